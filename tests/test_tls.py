"""HTTPS on the built-in server, over real sockets on 127.0.0.1: httpx
verifies a throwaway self-signed certificate made by Debian's `openssl`
command (no verify=False), on both CPython transports. The same on the
MicroPython unix port, run as a real process: tests/unix/test_mp_tls.py."""

import logging
import os
import ssl
import time

import httpx
import pytest

import picoweb
from picoweb_plugins.static import Static
from rawhttp import connect, get, recv_until_closed
from tlscert import OPENSSL, SKIP_REASON, make_certificate

needs_openssl = pytest.mark.skipif(OPENSSL is None, reason=SKIP_REASON)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return make_certificate(str(tmp_path_factory.mktemp("tls")))


@pytest.fixture
def server_context(certificate):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def client_context(certificate):
    return ssl.create_default_context(cafile=certificate[0])


def make_app(static_root=None):
    app = picoweb.WebApp(__name__)

    @app.route("/")
    def index(req, resp):
        return {"scheme": req.scheme, "port": req.client_addr[1]}

    @app.route("/echo", methods=["POST"])
    async def echo(req, resp):
        return await req.read_body(), 200, {"Content-Type": "application/octet-stream"}

    @app.route("/stream")
    async def stream(req, resp):
        await picoweb.start_response(resp, "text/plain")
        for i in range(50):
            await resp.awrite("line %d\n" % i)

    if static_root:
        app.install(Static(root=static_root))
    return app


TRANSPORTS = ["protocol", "streams"]


def serve_tls(serve_app, app, context, transport):
    return serve_app(app, lambda app: app.serve("127.0.0.1", 0, transport=transport, ssl=context))


@needs_openssl
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_get_post_keep_alive_and_stream(serve_app, server_context, client_context, transport):
    server = serve_tls(serve_app, make_app(), server_context, transport)
    base = "https://127.0.0.1:%d" % server.port
    with httpx.Client(verify=client_context, timeout=5) as client:
        first = client.get(base + "/")
        second = client.get(base + "/")
        assert first.status_code == 200 and first.json()["scheme"] == "https"
        # One connection for both: the client's port is the same.
        assert second.json()["port"] == first.json()["port"]
        body = os.urandom(200000)
        echoed = client.post(base + "/echo", content=body)
        assert echoed.status_code == 200 and echoed.content == body
        streamed = client.get(base + "/stream")
        assert streamed.headers["transfer-encoding"] == "chunked"
        assert streamed.text == "".join("line %d\n" % i for i in range(50))


@needs_openssl
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_static_file_over_tls_is_copied_whole(serve_app, server_context, client_context, transport, tmp_path):
    # loop.sendfile() cannot send over TLS: the file must go through the copy.
    data = os.urandom(3 * 1024 * 1024 + 17)
    (tmp_path / "big.bin").write_bytes(data)
    server = serve_tls(serve_app, make_app(str(tmp_path)), server_context, transport)
    with httpx.Client(verify=client_context, timeout=10) as client:
        whole = client.get("https://127.0.0.1:%d/static/big.bin" % server.port)
        part = client.get("https://127.0.0.1:%d/static/big.bin" % server.port,
                          headers={"Range": "bytes=1000-1999"})
    assert whole.status_code == 200 and whole.content == data
    assert part.status_code == 206 and part.content == data[1000:2000]


def handshake_failures(caplog):
    return [r.getMessage() for r in caplog.records if "TLS handshake failed" in r.getMessage()]


@needs_openssl
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_plain_http_to_the_tls_port_is_closed_and_logged(serve_app, server_context, client_context,
                                                          transport, caplog):
    caplog.set_level(logging.INFO, logger="picoweb")
    server = serve_tls(serve_app, make_app(), server_context, transport)
    with connect(server.port) as sock:
        sock.sendall(get("/"))
        assert recv_until_closed(sock) == b""  # closed, nothing in plain text
    wait_for(lambda: handshake_failures(caplog))
    [line] = handshake_failures(caplog)
    assert "HTTP_REQUEST" in line and "\n" not in line
    # The server goes on serving.
    response = httpx.get("https://127.0.0.1:%d/" % server.port, verify=client_context, timeout=5)
    assert response.json()["scheme"] == "https"


@needs_openssl
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_untrusted_certificate_fails_the_handshake_in_one_line(serve_app, server_context, client_context,
                                                               transport, caplog):
    caplog.set_level(logging.INFO, logger="picoweb")
    server = serve_tls(serve_app, make_app(), server_context, transport)
    with pytest.raises(httpx.ConnectError):
        httpx.get("https://127.0.0.1:%d/" % server.port, verify=ssl.create_default_context(), timeout=5)
    wait_for(lambda: handshake_failures(caplog))
    [line] = handshake_failures(caplog)
    assert "UNKNOWN_CA" in line
    assert httpx.get("https://127.0.0.1:%d/" % server.port, verify=client_context, timeout=5).status_code == 200


@needs_openssl
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_client_that_never_shakes_hands_is_closed_after_head_timeout(serve_app, server_context,
                                                                       transport, caplog):
    caplog.set_level(logging.INFO, logger="picoweb")
    app = make_app()
    app.limits.head_timeout = 0.5
    server = serve_tls(serve_app, app, server_context, transport)
    with connect(server.port) as sock:
        started = time.monotonic()
        assert recv_until_closed(sock) == b""
        assert time.monotonic() - started < 4
    wait_for(lambda: handshake_failures(caplog))
    assert len(handshake_failures(caplog)) == 1


def test_plain_http_requests_say_http(client):
    assert client(make_app()).get("/").json()["scheme"] == "http"


def wait_for(condition, timeout=5):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met within %s s" % timeout)
        time.sleep(0.02)

