"""deploy/nginx.conf, as it is, served by a real nginx on a free 127.0.0.1
port in front of uvicorn: proxying, keep-alive to the app server, static
files from disk, WebSocket, and Server-Sent Events without buffering. Only
its addresses and the static root are replaced, and nginx's own files go
to a temporary folder."""

import os
import subprocess
import time

import httpx
import pytest
from websockets.sync.client import connect

from asgi_servers import EXAMPLES, HOST, ROOT, STOP_TIMEOUT, asgi_server, die_with_the_tests, free_port, nginx_binary
from process_output import end_process
from test_asgi_servers import pytestmark as protocol_pass_only

NGINX = nginx_binary()
pytestmark = [protocol_pass_only, pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (bench/setup.sh installs it with apt-get)")]

MAIN = """\
{user}worker_processes 1;
daemon off;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    include /etc/nginx/mime.types;
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    include {run}/picoweb.conf;
}}
"""


def render(sample, upstream_port, listen_port):
    """The sample with this test's addresses and static root."""
    replaced = sample
    for old, new in (("server 127.0.0.1:8000;", "server %s:%d;" % (HOST, upstream_port)),
                     ("listen 80;", "listen %s:%d;" % (HOST, listen_port)),
                     ("alias /srv/picoweb/static/;", "alias %s/;" % os.path.join(EXAMPLES, "static"))):
        assert old in replaced, old
        replaced = replaced.replace(old, new)
    return replaced


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nginx")
    # The TCP peer as the client address, to tell upstream connections apart
    # (behind nginx in production: --forwarded-allow-ips with its address).
    app_server = asgi_server("uvicorn", "asgi_site", tmp, options=["--no-proxy-headers"]).start()
    with open(os.path.join(ROOT, "deploy", "nginx.conf")) as f:
        sample = f.read()
    port = free_port()
    (tmp / "picoweb.conf").write_text(render(sample, app_server.port, port))
    # As root, nginx's workers would run as "nobody"; here they stay root.
    (tmp / "nginx.conf").write_text(MAIN.format(run=tmp, user="user root;\n" if os.getuid() == 0 else ""))
    nginx = subprocess.Popen([NGINX, "-e", str(tmp / "error.log"), "-p", str(tmp), "-c", str(tmp / "nginx.conf")],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                             start_new_session=True, preexec_fn=die_with_the_tests)
    url = "http://%s:%d" % (HOST, port)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(url + "/", timeout=2)
                break
            except httpx.HTTPError:
                assert nginx.poll() is None and time.monotonic() < deadline, (tmp / "error.log").read_text()
                time.sleep(0.1)
        with httpx.Client(base_url=url, timeout=10) as client:
            yield client, url
    finally:
        end_process(nginx, STOP_TIMEOUT)
        app_server.stop()


def test_requests_reach_the_app_with_forwarded_headers(proxied):
    client, _ = proxied
    hello = client.get("/")
    assert hello.text == "Hello, world!" and hello.headers["x-site"] == "picoweb"
    assert hello.headers["server"].startswith("nginx")
    assert client.get("/peer").json()["forwarded_for"] == "127.0.0.1"
    assert client.post("/echo", content=b"x" * 60000).content == b"x" * 60000
    assert client.post("/echo", content=b"x" * 70000).status_code == 413


def test_connections_to_the_app_server_are_kept_alive(proxied):
    client, _ = proxied
    ports = {client.get("/peer").json()["port"] for _ in range(20)}
    assert len(ports) <= 2, ports  # one upstream connection, reused (a second if one idled out)


def test_static_files_come_from_nginx(proxied):
    client, _ = proxied
    css = client.get("/static/style.css", headers={"accept-encoding": "identity"})
    with open(os.path.join(EXAMPLES, "static", "style.css"), "rb") as f:
        assert css.content == f.read()
    assert "x-site" not in css.headers  # picoweb never saw it
    packed = client.get("/static/style.css", headers={"accept-encoding": "gzip"})
    assert packed.headers.get("content-encoding") == "gzip" and packed.content == css.content


def test_websocket_through_nginx(proxied):
    _, url = proxied
    with connect(url.replace("http", "ws") + "/ws", open_timeout=5, close_timeout=2) as ws:
        ws.send("through the proxy")
        assert ws.recv(timeout=5) == "through the proxy"


def test_server_sent_events_are_not_buffered(proxied):
    # 3 events of ~25 bytes, 20 ms apart: a buffering proxy would hold them
    # until its 4-8 KiB buffer fills, seconds later.
    client, _ = proxied
    started = time.monotonic()
    with client.stream("GET", "/events") as events:
        count = 0
        for line in events.iter_lines():
            if line.startswith("data: "):
                count += 1
                if count == 3:
                    break
    assert time.monotonic() - started < 2
