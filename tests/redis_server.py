"""A real redis-server (Debian's package; tests/setup/redis.sh installs it)
on 127.0.0.1 and a free port, for the Redis store tests: started by the
tests, stopped after them, its data in a temporary folder."""

import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

from process_output import end_process

START_TIMEOUT = 10  # seconds


def free_port():
    """A port the kernel just handed out for 127.0.0.1 (redis-server itself
    cannot be told to bind port 0 and say which it got)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, password=None):
        self.password = password
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="picoweb-redis-")
        self.process = None

    def start(self):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed (tests/setup/redis.sh installs Debian's "
                        "package; `make test` runs it first)")
        command = [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                   "--appendonly", "no", "--dir", self.folder, "--daemonize", "no",
                   "--protected-mode", "yes", "--loglevel", "warning"]
        if self.password:
            command += ["--requirepass", self.password]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        while not self._answers_ping():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("redis-server did not start on port %d" % self.port)
            time.sleep(0.02)
        return self

    def _answers_ping(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"*1\r\n$4\r\nPING\r\n")
                reply = sock.recv(64)
        except OSError:
            return False
        return reply.startswith((b"+PONG", b"-NOAUTH"))

    def stop(self):
        if self.process is not None:
            end_process(self.process, 5)
        self.process = None

    def restart(self):
        self.stop()
        return self.start()

    def close(self):
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
