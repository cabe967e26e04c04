"""picoweb.response through the in-process test client, byte-exact where it matters."""

import asyncio
import email.utils
import time

import pytest

import picoweb.httpdate
from picoweb import HTTPError, WebApp, get_mime_type, http_error, redirect, sendfile, start_response
from picoweb.pages import error_page, escape_html
from picoweb.testclient import TestClient, parse_responses

HTML = "text/html; charset=utf-8"
HTML_CT = b"Content-Type: text/html; charset=utf-8\r\n"


@pytest.fixture(autouse=True)
def no_clock(monkeypatch):
    """Byte-exact heads below are those of a board whose clock was never set:
    no Date header. The Date tests at the end set the clock back."""
    monkeypatch.setattr(picoweb.httpdate, "current", b"")


def app_with(handler, path="/", methods=None):
    """A quiet app serving `handler` at `path`, and a plain "/ok" route."""
    app = WebApp()
    app.debug = -1
    app.add_url_rule(path, handler, methods)
    app.add_url_rule("/ok", lambda req, resp: "ok")
    return app


def raw(app, data):
    """Everything the server writes for `data` sent on one connection."""
    return asyncio.run(TestClient(app).raw(data))


def get(app, path, **kwargs):
    return asyncio.run(TestClient(app).get(path, **kwargs))


def head(app, path):
    return asyncio.run(TestClient(app).head(path))


GET = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"
GET_OK = b"GET /ok HTTP/1.1\r\nHost: t\r\n\r\n"
OK_RESPONSE = b"HTTP/1.1 200 OK\r\n" + HTML_CT + b"Content-Length: 2\r\n\r\nok"


async def stream_hello(req, resp):
    await start_response(resp, "text/plain")
    await resp.awrite("hello")
    await resp.awrite(" world")


# Framing of streamed responses


def test_streamed_response_is_chunked_on_http11_keep_alive():
    assert raw(app_with(stream_hello), GET) == (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    )


def test_chunked_response_keeps_the_connection_for_the_next_request():
    out = raw(app_with(stream_hello), GET + GET_OK)
    assert out.endswith(b"0\r\n\r\n" + OK_RESPONSE)
    assert [r.body for r in parse_responses(out)] == [b"hello world", b"ok"]


def test_streamed_response_with_content_length_set_by_handler():
    async def handler(req, resp):
        await start_response(resp, "text/plain")
        resp.headers["Content-Length"] = "11"
        await resp.awrite("hello")
        await resp.awrite(" world")

    assert raw(app_with(handler), GET + GET_OK) == (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world"
        + OK_RESPONSE
    )


@pytest.mark.parametrize("request_head", [
    b"GET / HTTP/1.0\r\n\r\n",
    b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",  # no length known: close anyway
])
def test_streamed_response_to_http10_is_close_delimited(request_head):
    out = raw(app_with(stream_hello), request_head + GET_OK)
    assert out == (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nhello world"
    )


def test_streamed_response_to_http11_close_is_still_chunked():
    # The last chunk lets the client tell a whole body from a cut one.
    out = raw(app_with(stream_hello), b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n" + GET_OK)
    assert out == (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    )


def test_returned_body_on_http10_keep_alive_keeps_the_connection():
    request = b"GET /ok HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
    one = b"HTTP/1.1 200 OK\r\n" + HTML_CT + b"Content-Length: 2\r\nConnection: keep-alive\r\n\r\nok"
    assert raw(app_with(stream_hello), request * 2) == one * 2


def test_returned_body_on_http10_closes_after_it():
    out = raw(app_with(stream_hello), b"GET /ok HTTP/1.0\r\n\r\n" + GET_OK)
    assert out == b"HTTP/1.1 200 OK\r\n" + HTML_CT + b"Content-Length: 2\r\nConnection: close\r\n\r\nok"


def test_empty_first_write_does_not_end_a_chunked_body():
    async def handler(req, resp):
        await start_response(resp, "text/plain")
        await resp.awrite(b"")
        await resp.awrite(b"abc")

    assert raw(app_with(handler), GET + GET_OK) == (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3\r\nabc\r\n0\r\n\r\n" + OK_RESPONSE
    )


def test_empty_write_mid_body_sends_no_chunk():
    async def handler(req, resp):
        await start_response(resp, "text/plain")
        await resp.awrite(b"a")
        await resp.awrite(b"")
        await resp.awrite("")
        await resp.awrite(b"b")

    assert raw(app_with(handler), GET) == (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"1\r\na\r\n1\r\nb\r\n0\r\n\r\n"
    )


def test_awrite_encodes_str_as_utf8():
    async def handler(req, resp):
        await start_response(resp, "text/plain")
        await resp.awrite("caf\u00e9 \u20ac")

    assert raw(app_with(handler), GET).endswith(b"\r\n\r\n9\r\ncaf\xc3\xa9 \xe2\x82\xac\r\n0\r\n\r\n")


def test_awrite_offset_and_size():
    async def handler(req, resp):
        await start_response(resp, "text/plain")
        await resp.awrite(b"abcdef", 1, 3)
        await resp.awrite(b"abcdef", 4)
        await resp.awrite(b"abcdef", 0, 0)

    assert get(app_with(handler), "/").body == b"bcdef"


def test_streamed_response_without_start_response_has_no_content_type():
    async def handler(req, resp):
        await resp.awrite("x")

    assert raw(app_with(handler), GET) == (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"
    )


# Returned values


@pytest.mark.parametrize("result, status, content_type, body", [
    ("text", 200, HTML, b"text"),
    (b"bytes", 200, HTML, b"bytes"),
    (bytearray(b"array"), 200, HTML, b"array"),
    ("", 200, HTML, b""),
    ({"a": 1}, 200, "application/json", b'{"a": 1}'),
    ([1, "x"], 200, "application/json", b'[1, "x"]'),
    ({}, 200, "application/json", b"{}"),
    (("created", 201), 201, HTML, b"created"),
    (("accepted", "202"), 202, HTML, b"accepted"),
    (({"error": "no"}, 400), 400, "application/json", b'{"error": "no"}'),
    (("plain", 200, {"Content-Type": "text/plain"}), 200, "text/plain", b"plain"),
    (([1], 201, {"Content-Type": "application/vnd.x+json"}), 201, "application/vnd.x+json", b"[1]"),
])
def test_returned_values(result, status, content_type, body):
    response = get(app_with(lambda req, resp: result), "/")
    assert response.status == status
    assert response.headers["Content-Type"] == content_type
    assert response.body == body
    assert response.headers["Content-Length"] == str(len(body))


def test_returned_str_exact_bytes():
    assert raw(app_with(lambda req, resp: "hi"), GET) == (
        b"HTTP/1.1 200 OK\r\n" + HTML_CT + b"Content-Length: 2\r\n\r\nhi"
    )


def test_returned_str_is_utf8_and_length_counts_bytes():
    response = get(app_with(lambda req, resp: "\u00e9\u20ac"), "/")
    assert response.body == b"\xc3\xa9\xe2\x82\xac"
    assert response.headers["Content-Length"] == "5"


@pytest.mark.parametrize("headers", [
    {"X-A": "1", "X-B": "2"},
    [("X-A", "1"), ("X-B", "2")],
    "X-A: 1\r\nX-B: 2\r\n",
    b"X-A: 1\nX-B: 2",
])
def test_returned_tuple_with_headers(headers):
    out = raw(app_with(lambda req, resp: ("t", 418, headers)), GET)
    assert out == (
        b"HTTP/1.1 418 Unknown\r\nX-A: 1\r\nX-B: 2\r\n" + HTML_CT + b"Content-Length: 1\r\n\r\nt"
    )


def test_handler_returning_nothing_sends_an_empty_200():
    assert raw(app_with(lambda req, resp: None), GET) == b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


def test_async_handler_return_value_is_used():
    async def handler(req, resp):
        return {"async": True}

    assert get(app_with(handler), "/").json() == {"async": True}


@pytest.mark.parametrize("result", [5, 1.5, object(), (b"x",)])
def test_handler_returning_an_unsupported_value_is_500(result):
    assert get(app_with(lambda req, resp: result), "/").status == 500


# HEAD


def test_head_sends_headers_with_content_length_but_no_body():
    app = app_with(lambda req, resp: "hello")
    out = raw(app, b"HEAD / HTTP/1.1\r\n\r\n" + GET_OK)
    assert out == b"HTTP/1.1 200 OK\r\n" + HTML_CT + b"Content-Length: 5\r\n\r\n" + OK_RESPONSE


def test_head_through_the_client():
    response = head(app_with(lambda req, resp: "hello"), "/")
    assert (response.status, response.body, response.headers["Content-Length"]) == (200, b"", "5")


def test_head_on_a_streamed_handler_sends_no_chunks():
    out = raw(app_with(stream_hello), b"HEAD / HTTP/1.1\r\n\r\n" + GET_OK)
    assert out == (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
        + OK_RESPONSE
    )


def test_head_on_a_streamed_handler_with_content_length():
    async def handler(req, resp):
        await start_response(resp, "text/plain")
        resp.headers["Content-Length"] = "3"
        await resp.awrite("abc")

    out = raw(app_with(handler), b"HEAD / HTTP/1.1\r\n\r\n" + GET_OK)
    assert out == b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\n" + OK_RESPONSE


# 204 and 304


@pytest.mark.parametrize("status, reason", [(204, b"No Content"), (304, b"Not Modified")])
def test_no_body_status_drops_a_returned_body(status, reason):
    out = raw(app_with(lambda req, resp: ("ignored", status)), GET + GET_OK)
    assert out == b"HTTP/1.1 %d %s\r\n\r\n" % (status, reason) + OK_RESPONSE  # no content: no type


@pytest.mark.parametrize("status, reason", [(204, b"No Content"), (304, b"Not Modified")])
def test_no_body_status_drops_streamed_data_and_length(status, reason):
    async def handler(req, resp):
        await start_response(resp, "text/plain", status)
        resp.headers["Content-Length"] = "7"
        await resp.awrite("ignored")

    out = raw(app_with(handler), GET + GET_OK)
    assert out == b"HTTP/1.1 %d %s\r\n\r\n" % (status, reason) + OK_RESPONSE  # no content: no type


# A head written by the handler itself


def test_raw_head_from_handler_passes_through_and_closes():
    async def handler(req, resp):
        await resp.awrite(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n")
        await resp.awrite(b"raw ")
        await resp.awrite("body")

    out = raw(app_with(handler), GET + GET_OK)
    assert out == b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nraw body"


def test_body_starting_with_http_after_start_response_is_just_body():
    async def handler(req, resp):
        await start_response(resp, "text/plain")
        await resp.awrite("HTTP/ is a protocol")

    assert get(app_with(handler), "/").body == b"HTTP/ is a protocol"


# settle_head(): the head without HTTP/1's own framing (what ASGI sends)


def fresh_response(method="GET", minor=1, keep_alive=True):
    app = WebApp()
    req = app.new_request(method, "/", "", minor)
    req.keep_alive = keep_alive
    return req.response_class(None, req)


def test_settle_head_of_a_returned_body_has_its_length_and_type():
    resp = fresh_response()
    resp.set_result("héllo")
    headers = resp.settle_head(len(resp.body))
    assert list(headers.items()) == [("Content-Type", HTML), ("Content-Length", "6")]
    assert resp.send_body and not resp.headers_sent


@pytest.mark.parametrize("minor, keep_alive", [(1, True), (1, False), (0, True), (0, False)])
def test_settle_head_of_a_streamed_body_adds_no_hop_by_hop_framing(minor, keep_alive):
    resp = fresh_response(minor=minor, keep_alive=keep_alive)
    resp.headers.add("Set-Cookie", "a=1")
    resp.headers.add("Set-Cookie", "b=2")
    assert list(resp.settle_head(None).items()) == [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
    assert not resp.chunked


@pytest.mark.parametrize("status", [101, 204, 304])
def test_settle_head_of_a_status_without_body_drops_the_framing(status):
    resp = fresh_response()
    resp.set_body("ignored", status, headers={"Content-Length": "7", "Transfer-Encoding": "chunked", "ETag": '"x"'})
    assert list(resp.settle_head(7).items()) == [("ETag", '"x"')]
    assert not resp.send_body


def test_settle_head_of_head_keeps_the_length_but_sends_no_body():
    resp = fresh_response("HEAD")
    resp.set_result(b"12345")
    assert resp.settle_head(5)["Content-Length"] == "5"
    assert not resp.send_body


def test_streamed_head_still_gets_http1_framing_after_settle_head():
    # _head() is settle_head() plus chunked/Connection: a streamed reply.
    resp = fresh_response(minor=1, keep_alive=False)
    resp.headers["X-A"] = "1"
    assert resp._head(None) == b"HTTP/1.1 200 OK\r\nX-A: 1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    assert resp.chunked and resp.headers_sent


# 100 Continue, the interim response


def echo_app():
    async def echo(req, resp):
        return await req.read_body()

    return app_with(echo, methods=["POST"])


def post_waiting_for_continue(version):
    """A request whose body arrives in a later read than its head."""
    head = b"POST / HTTP/1.%d\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n" % version
    return asyncio.run(TestClient(echo_app()).raw(head + b"hello", chunk=len(head)))


def test_http11_expect_gets_100_continue_before_the_response():
    assert post_waiting_for_continue(1) == (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 200 OK\r\n" + HTML_CT + b"Content-Length: 5\r\n\r\nhello"
    )


def test_http10_expect_is_ignored():
    assert post_waiting_for_continue(0) == (
        b"HTTP/1.1 200 OK\r\n" + HTML_CT + b"Content-Length: 5\r\nConnection: close\r\n\r\nhello"
    )


# start_response


@pytest.mark.parametrize("headers", [
    {"X-A": "1", "X-B": "2"},
    [("X-A", "1"), ("X-B", "2")],
    "X-A: 1\r\nX-B: 2\r\n",
    "X-A:1\nX-B:   2",
    b"X-A: 1\r\nX-B: 2\r\n",
])
def test_start_response_headers(headers):
    async def handler(req, resp):
        await start_response(resp, "text/plain", "201", headers)
        await resp.awrite("x")

    assert raw(app_with(handler), GET) == (
        b"HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nX-A: 1\r\nX-B: 2\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"
    )


def test_start_response_keeps_repeated_headers():
    async def handler(req, resp):
        await start_response(resp, headers=[("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
        await resp.awrite("x")

    assert raw(app_with(handler), GET).startswith(
        b"HTTP/1.1 200 OK\r\n" + HTML_CT + b"Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n"
    )


def test_start_response_without_content_type():
    async def handler(req, resp):
        await start_response(resp, None, 404)
        await resp.awrite("x")

    assert raw(app_with(handler), GET).startswith(
        b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
    )


def test_start_response_rejects_header_text_without_colon():
    async def handler(req, resp):
        await start_response(resp, headers="no colon here")

    assert get(app_with(handler), "/").status == 500


# Headers with CR/LF never reach the wire


async def bad_header_then_stream(req, resp):
    resp.headers["X-Bad"] = "a\r\nInjected: 1"
    await resp.awrite("body")


def bad_header_then_return(req, resp):
    resp.headers["X-Bad"] = "a\r\nInjected: 1"
    return "body"


def bad_header_in_returned_tuple(req, resp):
    return "body", 200, {"X-Bad": "a\nInjected: 1"}


async def bad_header_in_start_response(req, resp):
    await start_response(resp, headers={"X-Bad": "a\r\nInjected: 1"})
    await resp.awrite("body")


async def bad_header_name(req, resp):
    await start_response(resp, headers=[("Injected: 1\r\nX-Bad", "a")])
    await resp.awrite("body")


async def bad_content_type(req, resp):
    await start_response(resp, "text/html\r\nInjected: 1")
    await resp.awrite("body")


def bad_header_nul(req, resp):
    resp.headers["X-Bad"] = "a\x00b"
    return "body"


ERROR_500 = (
    b"HTTP/1.1 500 Internal Server Error\r\n" + HTML_CT + b"Content-Length: 90\r\n\r\n"
    b"<!DOCTYPE html><title>500 Internal Server Error</title><h1>500 Internal Server Error</h1>\n"
)


@pytest.mark.parametrize("handler", [
    bad_header_then_stream,
    bad_header_then_return,
    bad_header_in_returned_tuple,
    bad_header_in_start_response,
    bad_header_name,
    bad_content_type,
    bad_header_nul,
])
def test_header_with_cr_lf_nul_never_reaches_the_wire(handler):
    # Refused where it is set, before anything is sent: a 500, and the
    # connection stays usable for the next request.
    assert raw(app_with(handler), GET + GET_OK) == ERROR_500 + OK_RESPONSE


@pytest.mark.parametrize("status", [200, 201])
def test_content_type_given_to_set_body_cannot_split_the_head(status):
    # set_body() keeps a Content-Type for the head without a Headers (and
    # its checks): the head refuses it as it is built, and answers 500.
    def handler(req, resp):
        resp.set_body("body", status, content_type="text/plain\r\nInjected: 1")

    out = raw(app_with(handler), GET)
    assert out.startswith(b"HTTP/1.1 500 ") and b"Injected" not in out


@pytest.mark.parametrize("handler", [bad_header_then_stream, bad_header_then_return])
def test_app_serves_a_fresh_client_after_a_bad_header(handler):
    app = app_with(handler)
    raw(app, GET)
    assert raw(app, GET_OK) == OK_RESPONSE


# http_error, redirect, error pages


def test_http_error_page():
    async def handler(req, resp):
        await http_error(resp, 403, "no <b>entry</b> for 'you' & \"them\"")

    body = (
        b"<!DOCTYPE html><title>403 Forbidden</title><h1>403 Forbidden</h1>"
        b"<p>no &lt;b&gt;entry&lt;/b&gt; for &#39;you&#39; &amp; &quot;them&quot;</p>\n"
    )
    assert raw(app_with(handler), GET) == (
        b"HTTP/1.1 403 Forbidden\r\n" + HTML_CT + b"Content-Length: %d\r\n\r\n" % len(body) + body
    )


def test_http_error_headers():
    async def handler(req, resp):
        await http_error(resp, "401", headers={"WWW-Authenticate": 'Basic realm="x"'})

    response = get(app_with(handler), "/")
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="x"'
    assert response.text == "<!DOCTYPE html><title>401 Unauthorized</title><h1>401 Unauthorized</h1>\n"


def test_http_error_replaces_a_set_content_type():
    async def handler(req, resp):
        resp.headers["Content-Type"] = "application/json"
        await http_error(resp, 404)

    assert get(app_with(handler), "/").headers.getlist("Content-Type") == [HTML]


@pytest.mark.parametrize("status, message, page", [
    (404, None, "<!DOCTYPE html><title>404 Not Found</title><h1>404 Not Found</h1>\n"),
    (400, "", "<!DOCTYPE html><title>400 Bad Request</title><h1>400 Bad Request</h1>\n"),
    (599, "x", "<!DOCTYPE html><title>599 Error</title><h1>599 Error</h1><p>x</p>\n"),
])
def test_error_page(status, message, page):
    assert error_page(status, message) == page


def test_redirect_defaults_to_302():
    async def handler(req, resp):
        await redirect(resp, "/elsewhere?a=1")

    assert raw(app_with(handler), GET) == (
        b"HTTP/1.1 302 Found\r\nLocation: /elsewhere?a=1\r\n" + HTML_CT + b"Content-Length: 0\r\n\r\n"
    )


@pytest.mark.parametrize("status", [301, 303, 307, 308])
def test_redirect_status(status):
    async def handler(req, resp):
        await redirect(resp, "http://other.test/", status)

    response = get(app_with(handler), "/")
    assert (response.status, response.headers["Location"], response.body) == (status, "http://other.test/", b"")


def test_method_not_allowed_page_has_allow_header():
    response = asyncio.run(TestClient(app_with(lambda req, resp: "x")).post("/", b"data"))
    assert response.status == 405
    assert response.headers["Allow"] == "GET, HEAD"


# get_mime_type


@pytest.mark.parametrize("name, mime", [
    ("index.html", HTML),
    ("INDEX.HTM", HTML),
    ("style.css", "text/css"),
    ("app.js", "text/javascript"),
    ("data.json", "application/json"),
    ("notes.txt", "text/plain; charset=utf-8"),
    ("img.PNG", "image/png"),
    ("photo.jpg", "image/jpeg"),
    ("photo.jpeg", "image/jpeg"),
    ("logo.svg", "image/svg+xml"),
    ("favicon.ico", "image/x-icon"),
    ("module.wasm", "application/wasm"),
    ("dir/sub/page.html", HTML),
    ("archive.tar.gz", "application/octet-stream"),
    ("README", "application/octet-stream"),
    ("dir.d/file", "application/octet-stream"),
    ("trailing.", "application/octet-stream"),
])
def test_get_mime_type(name, mime):
    assert get_mime_type(name) == mime


# sendfile


def sendfile_app(path, **kwargs):
    async def handler(req, resp):
        await sendfile(resp, str(path), **kwargs)

    return app_with(handler)


def test_sendfile_streams_the_file_with_its_length(tmp_path):
    data = bytes(range(256)) * 6  # 1536 bytes: several 512-byte reads
    path = tmp_path / "data.txt"
    path.write_bytes(data)
    assert raw(sendfile_app(path), GET + GET_OK) == (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 1536\r\n\r\n"
        + data + OK_RESPONSE
    )


def test_sendfile_content_type_and_headers(tmp_path):
    path = tmp_path / "blob.txt"
    path.write_bytes(b"abc")
    app = sendfile_app(path, content_type="application/x-custom", headers={"Cache-Control": "no-store"})
    assert raw(app, GET) == (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/x-custom\r\nCache-Control: no-store\r\n"
        b"Content-Length: 3\r\n\r\nabc"
    )


def test_sendfile_empty_file(tmp_path):
    path = tmp_path / "empty.css"
    path.write_bytes(b"")
    assert raw(sendfile_app(path), GET) == (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/css\r\nContent-Length: 0\r\n\r\n"
    )


def test_sendfile_head_sends_length_without_body(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(b"<p>hi</p>")
    out = raw(sendfile_app(path), b"HEAD / HTTP/1.1\r\n\r\n" + GET_OK)
    assert out == b"HTTP/1.1 200 OK\r\n" + HTML_CT + b"Content-Length: 9\r\n\r\n" + OK_RESPONSE


@pytest.mark.parametrize("name", ["missing.txt", ""])
def test_sendfile_missing_file_or_directory_is_404(tmp_path, name):
    response = get(sendfile_app(tmp_path / name), "/")
    assert response.status == 404
    assert response.text == "<!DOCTYPE html><title>404 Not Found</title><h1>404 Not Found</h1>\n"


# escape_html and what error pages echo


@pytest.mark.parametrize("text, escaped", [
    ("plain text", "plain text"),
    ("<script>", "&lt;script&gt;"),
    ("a & b", "a &amp; b"),
    ("&amp;", "&amp;amp;"),
    ("\"double\" 'single'", "&quot;double&quot; &#39;single&#39;"),
    ("caf\u00e9", "caf\u00e9"),
    (42, "42"),
])
def test_escape_html(text, escaped):
    assert escape_html(text) == escaped


def test_not_found_page_does_not_echo_the_path():
    out = raw(app_with(lambda req, resp: "x"), b"GET /<script>alert(1)</script> HTTP/1.1\r\n\r\n")
    body = b"<!DOCTYPE html><title>404 Not Found</title><h1>404 Not Found</h1>\n"
    assert out == b"HTTP/1.1 404 Not Found\r\n" + HTML_CT + b"Content-Length: 66\r\n\r\n" + body
    assert len(body) == 66


def test_http_error_message_from_input_is_escaped():
    def handler(req, resp):
        raise HTTPError(409, "bad value: " + req.qs)

    response = get(app_with(handler), "/?x=<svg/onload=alert(1)>")
    assert response.status == 409
    assert response.text == (
        "<!DOCTYPE html><title>409 Conflict</title><h1>409 Conflict</h1>"
        "<p>bad value: x=&lt;svg/onload=alert(1)&gt;</p>\n"
    )


@pytest.mark.parametrize("request_bytes, message", [
    (b"<script>alert(1)</script> / HTTP/1.1\r\n\r\n", b"malformed method"),
    (b"GET /<script> HTTP/<b>\r\n\r\n", b"malformed HTTP version"),
    (b"GET /%3Cscript%3E%ff HTTP/1.1\r\n\r\n", b"malformed path encoding"),
    (b"GET / HTTP/1.1\r\n<script>: x\r\n\r\n", b"malformed header name"),
])
def test_rejected_request_page_does_not_echo_the_input(request_bytes, message):
    body = (
        b"<!DOCTYPE html><title>400 Bad Request</title><h1>400 Bad Request</h1><p>" + message + b"</p>\n"
    )
    assert raw(app_with(lambda req, resp: "x"), request_bytes) == (
        b"HTTP/1.1 400 Bad Request\r\n" + HTML_CT
        + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body
    )


# The Date header


def test_every_response_carries_a_date(monkeypatch):
    monkeypatch.setattr(picoweb.httpdate, "current", None)  # no server keeps it: the clock is read
    app = app_with(lambda req, resp: "hi")
    app.add_url_rule("/stream", streamed_hi)
    for path in ("/", "/stream", "/missing"):
        date = get(app, path).headers["Date"]
        assert email.utils.parsedate_to_datetime(date).timestamp() == pytest.approx(time.time(), abs=2)
    assert len(date) == 29 and date.endswith(" GMT")


async def streamed_hi(req, resp):
    await start_response(resp, "text/plain")
    await resp.awrite("hi")


def test_an_apps_own_date_header_is_kept(monkeypatch):
    monkeypatch.setattr(picoweb.httpdate, "current", None)
    app = app_with(lambda req, resp: ("old", 200, {"Date": "Sun, 06 Nov 1994 08:49:37 GMT"}))
    assert get(app, "/").headers.getlist("Date") == ["Sun, 06 Nov 1994 08:49:37 GMT"]


def test_no_date_on_a_board_whose_clock_was_never_set(monkeypatch):
    monkeypatch.setattr(picoweb.httpdate, "current", None)
    monkeypatch.setattr(picoweb.httpdate, "_made", (None, b""))
    monkeypatch.setattr(picoweb.httpdate, "gmtime", lambda seconds: time.gmtime(0))  # 1970
    assert "Date" not in get(app_with(lambda req, resp: "hi"), "/").headers


def test_a_running_server_keeps_the_date_fresh(serve_app):
    import httpx

    server = serve_app(app_with(lambda req, resp: "hi"))
    assert picoweb.httpdate.current.startswith(b"Date: ")
    with httpx.Client(base_url=server.url, timeout=5) as http:
        first = http.get("/").headers["Date"]
        time.sleep(1.2)
        second = http.get("/").headers["Date"]
    assert email.utils.parsedate_to_datetime(second) > email.utils.parsedate_to_datetime(first)


@pytest.mark.parametrize("status", [204, 304])
def test_no_content_type_or_length_without_content(status):
    async def handler(req, resp):
        await start_response(resp, "text/plain", status)

    for h in (handler, lambda req, resp: ("", status), lambda req, resp: ("", status, {"Content-Type": "x/y"})):
        out = raw(app_with(h), GET)
        head = out.split(b"\r\n\r\n", 1)[0].lower()
        assert head.startswith(b"http/1.1 %d " % status)
        assert b"content-type" not in head and b"content-length" not in head
        assert b"transfer-encoding" not in head and out.endswith(b"\r\n\r\n")
