"""The `picoweb` command as a user runs it: real processes (`python -m
picoweb`, the console script), real sockets on 127.0.0.1 with ports the
kernel picks, SIGTERM to stop; --reload on an edited copy of an example,
--workers on a test app that shows its pid, and every setup mistake."""

import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

import httpx
import pytest

from tlscert import OPENSSL, SKIP_REASON, make_certificate

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(REPO, "examples")
RUNNING = re.compile(r"\[(\d+)\] INFO picoweb: Running on (https?)://127\.0\.0\.1:(\d+)/")

PID_APP = '''
import asyncio, os, picoweb

app = picoweb.WebApp(__name__)


@app.route("/pid")
def pid(req, resp):
    return str(os.getpid())


@app.route("/slow")
async def slow(req, resp):
    await asyncio.sleep(1)
    return "done " + str(os.getpid())


def create_app():
    return app
'''


class Command:
    """`python -m picoweb ARGS` in `cwd`, its output in a file in `logs`;
    stopped by SIGTERM (then SIGKILL) when the test ends."""

    def __init__(self, args, cwd, logs, command=None):
        self.log_path = os.path.join(str(logs), "command-%d.log" % id(self))
        self.log = open(self.log_path, "w")
        env = dict(os.environ, PYTHONPATH=REPO, PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen((command or [sys.executable, "-m", "picoweb"]) + list(args), cwd=str(cwd),
                                        stdout=self.log, stderr=subprocess.STDOUT, env=env)

    def output(self):
        with open(self.log_path) as f:
            return f.read()

    def wait_for(self, condition, timeout=10, what="the condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError("%s not met; the command said:\n%s" % (what, self.output()))

    def servers(self):
        """(pid, scheme, port) of each "Running on" line so far."""
        return [(int(pid), scheme, int(port)) for pid, scheme, port in RUNNING.findall(self.output())]

    def wait_running(self, count=1):
        found = self.wait_for(lambda: len(self.servers()) >= count and self.servers(), what="%d servers" % count)
        return found[-1][2]

    def stop(self, timeout=15):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
                raise AssertionError("did not stop on SIGTERM within %s s:\n%s" % (timeout, self.output()))
        self.log.close()
        return self.process.returncode


@pytest.fixture
def command(tmp_path_factory):
    started = []
    logs = tmp_path_factory.mktemp("logs")  # never in a watched folder nor in the repository

    def start(args, cwd=REPO, executable=None):
        started.append(Command(args, cwd, logs, executable))
        return started[-1]

    yield start
    for each in started:
        try:
            each.stop()
        except AssertionError:
            pass


def run_to_end(args, cwd=REPO, timeout=20):
    env = dict(os.environ, PYTHONPATH=REPO)
    return subprocess.run([sys.executable, "-m", "picoweb"] + list(args), cwd=str(cwd), env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_serves_the_example_and_stops_on_sigterm(command):
    cmd = command(["--port", "0", "examples.example_webapp2:app"])
    port = cmd.wait_running()
    response = httpx.get("http://127.0.0.1:%d/square/12" % port, timeout=5)
    assert response.json() == {"n": 12, "square": 144}
    assert cmd.stop() == 0
    assert "Stopped" in cmd.output()


def test_console_script_and_a_factory(command, tmp_path):
    script = shutil.which("picoweb", path=os.path.dirname(sys.executable))
    if script is None:
        pytest.skip("no `picoweb` console script beside this Python: install the package (make .venv/ready)")
    (tmp_path / "pidapp.py").write_text(PID_APP)
    cmd = command(["--port", "0", "--debug", "pidapp:create_app()"], cwd=tmp_path, executable=[script])
    port = cmd.wait_running()
    assert httpx.get("http://127.0.0.1:%d/pid" % port, timeout=5).text == str(cmd.process.pid)
    assert cmd.stop() == 0


# Setup mistakes: one line on stderr, exit status 2.

@pytest.fixture
def broken_modules(tmp_path):
    (tmp_path / "needs_missing.py").write_text("import no_such_dependency\n")
    (tmp_path / "bad_syntax.py").write_text("def broken(:\n")
    (tmp_path / "pidapp.py").write_text(PID_APP)
    return tmp_path


@pytest.mark.parametrize("spec, message", [
    ("no_such_module:app", "picoweb: cannot import no_such_module: ModuleNotFoundError: No module named 'no_such_module'"),
    ("needs_missing:app", "picoweb: cannot import needs_missing: ModuleNotFoundError: "
                          "No module named 'no_such_dependency'"),
    ("bad_syntax:app", "picoweb: cannot import bad_syntax: SyntaxError: "),
    ("pidapp:nope", "picoweb: module pidapp has no attribute nope"),
    ("pidapp:os", "picoweb: pidapp:os is a module, not a WebApp"),
    ("pidapp:create_app", "picoweb: pidapp:create_app is a function, not a WebApp (a factory? name it "
                          "pidapp:create_app())"),
    ("pidapp:pid()", "picoweb: pidapp:pid() failed: TypeError: "),
])
def test_a_bad_app_name_is_one_line_and_status_2(broken_modules, spec, message):
    result = run_to_end(["--port", "0", spec], cwd=broken_modules)
    assert result.returncode == 2, result
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_the_attribute_defaults_to_app(command, broken_modules):
    cmd = command(["--port", "0", "pidapp"], cwd=broken_modules)
    port = cmd.wait_running()
    assert httpx.get("http://127.0.0.1:%d/pid" % port, timeout=5).status_code == 200


@pytest.fixture
def taken_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    yield sock.getsockname()[1]
    sock.close()


@pytest.mark.parametrize("extra", [[], ["--workers", "2"], ["--reload"]])
def test_a_port_in_use_is_one_line_and_status_2(broken_modules, taken_port, extra):
    result = run_to_end(["--port", str(taken_port)] + extra + ["pidapp:app"], cwd=broken_modules)
    assert result.returncode == 2, result
    assert result.stderr == "picoweb: port %d on 127.0.0.1 is in use\n" % taken_port


def test_app_run_says_a_port_is_in_use_in_one_line(tmp_path, taken_port):
    (tmp_path / "runner.py").write_text(PID_APP + "\napp.run(port=%d)\n" % taken_port)
    result = subprocess.run([sys.executable, "runner.py"], cwd=str(tmp_path), capture_output=True, text=True,
                            timeout=20, env=dict(os.environ, PYTHONPATH=REPO))
    assert result.returncode == 2, result
    assert result.stderr == "picoweb: port %d on 127.0.0.1 is in use\n" % taken_port


@pytest.mark.parametrize("args, message", [
    (["--certfile", "missing.pem"], "picoweb: cannot load the certificate missing.pem: "),
    (["--keyfile", "key.pem"], "--keyfile needs --certfile"),
    (["--workers", "0"], "--workers must be 1 or more"),
])
def test_bad_options_are_status_2(broken_modules, args, message):
    result = run_to_end(["--port", "0"] + args + ["pidapp:app"], cwd=broken_modules)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


# --workers

def pids_seen(port, want, tries=200, scheme="http", verify=True):
    seen = set()
    for _ in range(tries):
        # A new connection each time: the kernel gives each to one worker.
        with httpx.Client(verify=verify, timeout=5) as client:
            seen.add(int(client.get("%s://127.0.0.1:%d/pid" % (scheme, port)).text))
        if len(seen) >= want:
            break
    return seen


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_two_workers_serve_and_stop_gracefully(command, broken_modules):
    cmd = command(["--port", "0", "--workers", "2", "pidapp:app"], cwd=broken_modules)
    port = cmd.wait_running(2)
    workers = pids_seen(port, 2)
    assert len(workers) == 2 and cmd.process.pid not in workers
    assert {pid for pid, _, _ in cmd.servers()} == workers

    # A request in flight when SIGTERM comes is answered before the workers stop.
    answers = []
    slow = threading.Thread(target=lambda: answers.append(httpx.get("http://127.0.0.1:%d/slow" % port, timeout=10)))
    slow.start()
    time.sleep(0.3)
    assert cmd.stop() == 0
    slow.join(10)
    assert answers and answers[0].status_code == 200 and answers[0].text.startswith("done ")
    assert not any(alive(pid) for pid in workers)
    assert cmd.output().count("Stopped") == 2


def test_a_worker_that_dies_is_replaced(command, broken_modules):
    cmd = command(["--port", "0", "--workers", "2", "pidapp:app"], cwd=broken_modules)
    port = cmd.wait_running(2)
    first = {pid for pid, _, _ in cmd.servers()}
    time.sleep(1.2)  # past the grace time in which a death means a broken app
    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    cmd.wait_for(lambda: len(cmd.servers()) == 3, what="a third worker")
    now = pids_seen(port, 2)
    assert victim not in now and len(now) == 2
    assert "worker %d was killed by signal 9" % victim in cmd.output()
    assert cmd.stop() == 0


def test_workers_that_cannot_start_stop_the_server(broken_modules):
    (broken_modules / "failing.py").write_text(PID_APP + "\ndef init():\n    raise RuntimeError('no database')\n"
                                               "app.init = init\n")
    result = run_to_end(["--port", "0", "--workers", "2", "failing:app"], cwd=broken_modules)
    assert result.returncode == 1, result
    assert "died within 1 s of its start: stopping" in result.stderr


@pytest.mark.skipif(OPENSSL is None, reason=SKIP_REASON)
def test_workers_over_tls(command, broken_modules):
    cert, key = make_certificate(str(broken_modules))
    cmd = command(["--port", "0", "--workers", "2", "--certfile", cert, "--keyfile", key, "pidapp:app"],
                  cwd=broken_modules)
    port = cmd.wait_running(2)
    assert {scheme for _, scheme, _ in cmd.servers()} == {"https"}
    assert len(pids_seen(port, 2, scheme="https", verify=ssl.create_default_context(cafile=cert))) == 2


# --reload

ROUTES_ADDED = '''

import os


@app.route("/pid")
def pid(req, resp):
    return str(os.getpid())


@app.route("/style")
async def style(req, resp):
    await app.sendfile(resp, "static/style.css", "text/css")
'''


class Prober(threading.Thread):
    """Requests on new connections every 20 ms while the app restarts: each
    must be answered, none may find the port closed."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.done = threading.Event()
        self.answered = 0
        self.failures = []

    def run(self):
        while not self.done.is_set() and self.answered + len(self.failures) < 2000:
            try:
                response = httpx.get("http://127.0.0.1:%d/square/2" % self.port, timeout=10)
                assert response.status_code == 200
                self.answered += 1
            except Exception as exc:
                self.failures.append(repr(exc))
            time.sleep(0.02)

    def stop(self):
        self.done.set()
        self.join(15)


def get_text(port, path):
    try:
        response = httpx.get("http://127.0.0.1:%d%s" % (port, path), timeout=5)
    except httpx.HTTPError:
        return None
    return response.text if response.status_code == 200 else None


def test_reload_restarts_on_each_kind_of_change(command, tmp_path):
    # The issue's own command line, `python -m picoweb examples.example_webapp2:app
    # --reload`, from the folder above a copy of examples/.
    checkout = tmp_path / "checkout"
    site = checkout / "examples"
    site.mkdir(parents=True)
    shutil.copy(os.path.join(EXAMPLES, "example_webapp2.py"), str(site))
    shutil.copytree(os.path.join(EXAMPLES, "templates"), str(site / "templates"))
    shutil.copytree(os.path.join(EXAMPLES, "static"), str(site / "static"))
    cmd = command(["examples.example_webapp2:app", "--reload", "--port", "0"], cwd=checkout)
    port = cmd.wait_running()
    assert "Squares</title>" in get_text(port, "/squares")  # compiles the template once
    prober = Prober(port)
    prober.start()
    try:
        # A .py edit: new routes.
        with open(str(site / "example_webapp2.py"), "a") as f:
            f.write(ROUTES_ADDED)
        first = int(cmd.wait_for(lambda: get_text(port, "/pid"), what="the new /pid route"))

        # A template edit: a restart, and the page changes.
        template = site / "templates" / "squares.tpl"
        template.write_text(template.read_text().replace("Squares</title>", "Squares, edited</title>"))
        second = int(cmd.wait_for(lambda: get_text(port, "/pid") not in (None, str(first)) and get_text(port, "/pid"),
                                  what="a restart on templates/"))
        assert "Squares, edited</title>" in get_text(port, "/squares")

        # A static file edit: the app restarts again and serves the new file.
        with open(str(site / "static" / "style.css"), "a") as f:
            f.write("\n/* edited */\n")
        cmd.wait_for(lambda: get_text(port, "/pid") not in (None, str(second)), what="a restart on static/")
        assert "/* edited */" in get_text(port, "/style")
    finally:
        prober.stop()
    assert prober.failures == [] and prober.answered >= 3, (prober.answered, prober.failures[:5])
    assert len(cmd.servers()) == 4 and len({port for _, _, port in cmd.servers()}) == 1
    assert "examples/templates/squares.tpl changed: restarting" in cmd.output()
    assert cmd.stop() == 0


def test_reload_waits_out_a_broken_edit(command, tmp_path):
    (tmp_path / "pidapp.py").write_text(PID_APP)
    cmd = command(["--port", "0", "--reload", "pidapp:app"], cwd=tmp_path)
    port = cmd.wait_running()
    (tmp_path / "pidapp.py").write_text(PID_APP + "\ndef broken(:\n")
    cmd.wait_for(lambda: "waiting for a change" in cmd.output(), what="the broken edit noticed")
    assert "picoweb: cannot import pidapp: SyntaxError" in cmd.output()
    (tmp_path / "pidapp.py").write_text(PID_APP + "\n# fixed\n")
    cmd.wait_for(lambda: len(cmd.servers()) == 2, what="a restart once fixed")
    assert get_text(port, "/pid") == str(cmd.servers()[-1][0])
    assert cmd.stop() == 0
