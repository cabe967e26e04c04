"""HTTPS on the MicroPython unix port, run as a real process: httpx
verifies a throwaway self-signed certificate made by Debian's `openssl`
command (tests/tlscert.py), as tests/test_tls.py does on CPython."""

import os
import ssl

import httpx
import pytest

from rawhttp import connect, get, recv_until_closed
from test_tls import wait_for
from tlscert import OPENSSL, SKIP_REASON, make_certificate

pytestmark = pytest.mark.skipif(OPENSSL is None, reason=SKIP_REASON)

# run() on port 0 logs "Running on https://127.0.0.1:PORT/" (the launcher
# reads it) and each failed handshake, as PrintLog lines on stdout.
APP = """\
import ssl
import sys

import picoweb

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
        await resp.awrite("line %d\\n" % i)


context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[1], sys.argv[2])  # DER: this build's mbedtls reads no PEM
app.limits.head_timeout = 2
app.run("127.0.0.1", 0, ssl=context)
"""


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return make_certificate(str(tmp_path_factory.mktemp("tls")))


def test_micropython_serves_https(mp_server, certificate):
    cert, key = certificate
    server = mp_server(None, cert[:-3] + "der", key[:-3] + "der", source=APP)
    port = server.port
    client_context = ssl.create_default_context(cafile=cert)
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
    wait_for(lambda: server.collect(0.05).count("TLS handshake failed") == 3)
    failures = [line for line in server.output.splitlines() if "TLS handshake failed" in line]
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
