"""app.run() on the MicroPython unix port: README's hello world started
as written, the port of port=0, and Ctrl-C (SIGINT) draining in-flight
requests before a clean exit, as on CPython."""

import http.client
import os
import re
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def readme_hello(folder):
    """README's hello-world snippet, as a script in `folder`."""
    with open(os.path.join(ROOT, "README.rst"), encoding="utf-8") as f:
        readme = f.read()
    code = readme.split("Hello, world\n------------\n", 1)[1].split(".. code-block:: python\n", 1)[1]
    code = re.split(r"\n\S", code, 1)[0]
    path = os.path.join(str(folder), "hello.py")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(line[4:] for line in code.splitlines()) + "\n")
    return path


def get(port, path, timeout=5):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read(), resp
    finally:
        conn.close()


def test_readme_hello_runs_with_app_run(mp_server, tmp_path):
    server = mp_server(readme_hello(tmp_path), cwd=str(tmp_path))
    status, body, _ = get(server.port, "/")
    assert (status, body) == (200, b"Hello, world!\n")
    status, body, resp = get(server.port, "/user/7?x=1")
    assert status == 200 and resp.getheader("Content-Type") == "application/json"
    assert body.replace(b" ", b"") == b'{"id":7,"query":"x=1"}'


def test_port_zero_serves_on_a_free_port_and_says_which(mp_server):
    # launch.py runs app.run(port=0); the log line names the bound port.
    server = mp_server("apps/core_app.py")
    assert server.port != 0, server.output
    status, body, _ = get(server.port, "/port")
    assert (status, body) == (200, str(server.port).encode())


class InFlight:
    """A GET in a thread; `result` is (status, body) or the exception."""

    def __init__(self, port, path):
        self.result = None
        self.thread = threading.Thread(target=self._run, args=(port, path), daemon=True)
        self.thread.start()

    def _run(self, port, path):
        try:
            status, body, _ = get(port, path, timeout=30)
            self.result = (status, body)
        except Exception as exc:
            self.result = exc

    def wait(self, timeout=10):
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the request did not end"
        return self.result


def test_ctrl_c_drains_the_request_in_flight_then_exits_0(mp_server):
    server = mp_server("apps/core_app.py")
    request = InFlight(server.port, "/slow/1500")
    time.sleep(0.5)  # it is in the handler now
    server.interrupt()
    server.wait_for_line(r"waiting for 1 requests \(Ctrl-C again to stop now\)", 5, "the drain to start")
    assert request.wait() == (200, b"slept 1500")
    assert server.wait_exit() == 0, server.output
    assert "Traceback" not in server.output and "KeyboardInterrupt" not in server.output
    assert "Stopped" in server.output


def test_ctrl_c_when_idle_exits_0_at_once(mp_server):
    server = mp_server("apps/core_app.py")
    assert get(server.port, "/returned")[0] == 200
    started = time.monotonic()
    output = server.stop()
    assert time.monotonic() - started < 3
    assert "waiting for" not in output


def test_second_ctrl_c_stops_at_once(mp_server):
    server = mp_server("apps/core_app.py")
    request = InFlight(server.port, "/slow/20000")
    time.sleep(0.5)
    server.interrupt()
    server.wait_for_line("waiting for 1 requests", 5, "the drain to start")
    started = time.monotonic()
    server.interrupt()
    assert server.wait_exit() == 0, server.output
    assert time.monotonic() - started < 3
    assert isinstance(request.wait(), Exception)  # cut short: no answer
    assert "Traceback" not in server.output
