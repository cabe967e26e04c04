"""The in-process test client: parse_responses over raw bytes, raw(),
request() and its helpers, and the memory streams."""

import asyncio

import pytest

import picoweb.httpdate
from picoweb import WebApp, start_response
from picoweb.testclient import MemoryReader, MemoryWriter, TestClient, parse_responses

# parse_responses


def test_parse_one_content_length_response():
    (resp,) = parse_responses(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello")
    assert (resp.status, resp.body, resp.text) == (200, b"hello", "hello")
    assert resp.headers["x-a"] == "1"
    assert repr(resp) == "<TestResponse 200, 5 bytes>"


def test_parse_pipelined_responses_in_order():
    data = (b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none"
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
            b"HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nthree")
    responses = parse_responses(data)
    assert [(r.status, r.body) for r in responses] == [(200, b"one"), (404, b""), (201, b"three")]


def test_parse_chunked_response():
    data = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\na\r\n0123456789\r\n0\r\n\r\n"
    (resp,) = parse_responses(data)
    assert resp.body == b"abc0123456789"


def test_parse_chunked_then_pipelined_response():
    data = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n"
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz")
    assert [r.body for r in parse_responses(data)] == [b"ab", b"z"]


def test_parse_truncated_chunked_raises():
    with pytest.raises(ValueError):
        parse_responses(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")


def test_parse_truncated_content_length_raises():
    with pytest.raises(ValueError):
        parse_responses(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")


def test_parse_truncated_head_raises():
    with pytest.raises(ValueError):
        parse_responses(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n")


def test_parse_head_response_has_no_body():
    data = (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
    head, get = parse_responses(data, head_requests=(0,))
    assert (head.body, head.headers["Content-Length"]) == (b"", "5")
    assert get.body == b"hi"


def test_parse_skips_100_continue():
    data = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    (resp,) = parse_responses(data)
    assert (resp.status, resp.body) == (200, b"ok")


def test_parse_204_and_304_have_no_body():
    data = (b"HTTP/1.1 204 No Content\r\n\r\n"
            b"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n"
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")
    assert [(r.status, r.body) for r in parse_responses(data)] == [(204, b""), (304, b""), (200, b"x")]


def test_parse_close_delimited_body():
    (resp,) = parse_responses(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end")
    assert resp.body == b"until the end"


def test_parse_repeated_headers():
    (resp,) = parse_responses(b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n\r\n")
    assert resp.headers.getlist("set-cookie") == ["a=1", "b=2"]


def test_parse_json_body():
    (resp,) = parse_responses(b'HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n{"a": 1}')
    assert resp.json() == {"a": 1}


def test_parse_nothing():
    assert parse_responses(b"") == []


# raw()


def echo_app():
    app = WebApp()

    @app.route("/echo", methods=["GET", "POST"])
    async def echo(req, resp):
        body = await req.read_body()
        return "%s %s %s" % (req.method, req.path, body.decode())

    return app


def test_raw_returns_server_bytes_exactly(client, monkeypatch):
    monkeypatch.setattr(picoweb.httpdate, "current", b"")  # no clock: no Date header
    out = client(echo_app()).raw(b"GET /echo HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert out == (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                   b"Content-Length: 10\r\nConnection: close\r\n\r\nGET /echo ")


def test_raw_pipelined_requests_answered_in_order(client):
    data = (b"GET /echo HTTP/1.1\r\n\r\n"
            b"POST /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
            b"GET /nope HTTP/1.1\r\nConnection: close\r\n\r\n"
            b"GET /echo HTTP/1.1\r\n\r\n")
    responses = parse_responses(client(echo_app()).raw(data))
    # Nothing after the Connection: close request is answered.
    assert [r.status for r in responses] == [200, 200, 404]
    assert [r.body for r in responses[:2]] == [b"GET /echo ", b"POST /echo abc"]


@pytest.mark.parametrize("chunk", [1, 2, 7, 65536])
def test_raw_input_split_in_small_reads(client, chunk):
    data = (b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
            b"GET /echo HTTP/1.1\r\nConnection: close\r\n\r\n")
    responses = parse_responses(client(echo_app()).raw(data, chunk=chunk))
    assert [r.body for r in responses] == [b"POST /echo abc", b"GET /echo "]


def test_raw_chunked_response(client):
    app = WebApp()

    @app.route("/")
    async def stream(req, resp):
        await start_response(resp, "text/plain")
        await resp.awrite("ab")
        await resp.awrite("")
        await resp.awrite("cd")

    out = client(app).raw(b"GET / HTTP/1.1\r\n\r\n")
    assert out.endswith(b"\r\n\r\n2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n")
    (resp,) = parse_responses(out)
    assert (resp.headers["Transfer-Encoding"], resp.body) == ("chunked", b"abcd")


def test_raw_100_continue_when_handler_reads_body(client):
    data = b"POST /echo HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"
    # Delivered in two reads: the body is not yet there when the handler asks.
    out = client(echo_app()).raw(data, chunk=len(data) - 2)
    assert out.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")
    (resp,) = parse_responses(out)
    assert resp.body == b"POST /echo hi"


def test_raw_malformed_input_is_400(client):
    out = client(echo_app()).raw(b"NOT HTTP\r\n\r\n")
    (resp,) = parse_responses(out)
    assert resp.status == 400
    assert resp.headers["Connection"] == "close"


def test_raw_empty_input_gives_empty_output(client):
    assert client(echo_app()).raw(b"") == b""


# request() and helpers


def test_request_sends_connection_close_and_content_length(client):
    app = WebApp()
    app.add_url_rule("/", lambda req, resp: "%s|%s|%s" % (
        req.headers["connection"], req.headers["content-length"], req.headers["host"]), methods=["POST"])
    assert client(app).post("/", "héllo").text == "close|6|testclient"


def test_request_custom_headers(client):
    app = WebApp()
    app.add_url_rule("/", lambda req, resp: req.headers["x-a"])
    assert client(app).get("/", headers=[("X-A", "pairs")]).text == "pairs"


def test_request_chunked_body_given_by_caller(client):
    resp = client(echo_app()).post("/echo", b"3\r\nxyz\r\n0\r\n\r\n", headers={"Transfer-Encoding": "chunked"})
    assert resp.text == "POST /echo xyz"


def test_request_helpers_use_their_method(client):
    app = WebApp()
    app.add_url_rule("/", lambda req, resp: req.method, methods=["GET", "POST", "PUT", "DELETE"])
    c = client(app)
    assert [c.get("/").text, c.post("/").text, c.put("/").text, c.delete("/").text] == [
        "GET", "POST", "PUT", "DELETE"]
    head = c.head("/")
    assert (head.status, head.body, head.headers["Content-Length"]) == (200, b"", "4")


def test_request_raises_if_not_exactly_one_response():
    app = WebApp()
    app.add_url_rule("/", lambda req, resp: "x")
    tc = TestClient(app)
    # Two requests in the path make the server answer twice.
    with pytest.raises(AssertionError):
        asyncio.run(tc.request("GET", "/ HTTP/1.1\r\n\r\nGET /"))


def test_client_is_async():
    app = WebApp()
    app.add_url_rule("/", lambda req, resp: "async")

    async def main():
        tc = TestClient(app)
        first, second = await asyncio.gather(tc.get("/"), tc.get("/"))
        return first.text, second.text

    assert asyncio.run(main()) == ("async", "async")


def test_client_lazy_init_flag():
    calls = []

    class Sub(WebApp):
        def init(self):
            calls.append("sub")

    root = WebApp()
    root.mount("/s", Sub())
    asyncio.run(TestClient(root, lazy_init=True).raw(b""))
    assert calls == []
    asyncio.run(TestClient(root).raw(b""))
    assert calls == ["sub"]


def test_client_is_not_collected_as_a_test():
    assert TestClient.__test__ is False


# Memory streams


def test_memory_reader_hands_out_chunks():
    async def main():
        reader = MemoryReader(b"abcdefg", chunk=3)
        return [await reader.read(100), await reader.read(2), await reader.read(), await reader.read(5)]

    assert asyncio.run(main()) == [b"abc", b"de", b"fg", b""]


def test_memory_writer_keeps_output():
    async def main():
        writer = MemoryWriter()
        writer.write(b"ab")
        writer.write(b"c")
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        return bytes(writer.out), writer.closed, writer.get_extra_info("peername")

    assert asyncio.run(main()) == (b"abc", True, ("127.0.0.1", 0))
