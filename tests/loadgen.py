"""Load generation and resource measurement for test_load.py and
test_slow_clients.py.

Measuring (in the test process): `fd_count()`, `rss_kib()`,
`server_tasks(server)` (tasks on a `serve_app` server's loop) and
`settle(measure, expected)`.

Loading (run as a script, in its own process so it has its own core and
GIL): `python3 loadgen.py PORT CONNECTIONS REQUESTS` opens CONNECTIONS
connections to 127.0.0.1:PORT, prints "connected N" once all are open,
waits for a line on stdin (so the test can look at the server while it
holds every one), then sends REQUESTS requests per connection in three
mixes, checks each answer and prints one JSON line of results:

- keep-alive: one request at a time on one connection (GET and POST);
- pipelined: three requests in one write, then their three answers;
- close: `Connection: close`, then a new connection for the next one.

Every request to /r/<conn>/<n> (a GET, or a POST with that body to echo)
must come back 200 with body b"<conn>-<n>" (`load_app()` in test_load.py
serves that); anything else is an error.
"""

import asyncio
import json
import os
import resource
import sys
import time

# Measuring


def fd_count():
    """Open file descriptors of this process (sockets included)."""
    return len(os.listdir("/proc/self/fd"))


def rss_kib(field="VmRSS"):
    """VmRSS (now) or VmHWM (peak) of this process, in KiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def server_tasks(server, timeout=5):
    """How many tasks the server's event loop holds (run on that loop,
    since asyncio.all_tasks is not thread-safe); the counting task itself
    is left out."""

    async def count():
        return len(asyncio.all_tasks()) - 1

    return asyncio.run_coroutine_threadsafe(count(), server.loop).result(timeout)


def settle(measure, expected, timeout=3.0, reached=None):
    """Poll `measure()` until it returns `expected` (or `reached(value)` is
    true) or `timeout` s pass; the last value. Closing sockets and ending
    tasks take a few loop turns."""
    deadline = time.monotonic() + timeout
    while True:
        value = measure()
        if (reached(value) if reached else value == expected) or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


def raise_fd_limit(needed):
    """Raise the soft RLIMIT_NOFILE to the hard one; False if that is below `needed`."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        return False
    if soft != resource.RLIM_INFINITY and soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return True


# Loading

CONNECT_AT_ONCE = 100  # connects in flight: the server's listen backlog is 100
KINDS = ("keep-alive", "pipelined", "close")


class LoadError(Exception):
    pass


def request(conn, number, close=False):
    path = "/r/%d/%d" % (conn, number)
    extra = "Connection: close\r\n" if close else ""
    if number % 2:
        body = b"%d-%d" % (conn, number)
        return ("POST %s HTTP/1.1\r\nHost: load\r\nContent-Length: %d\r\n%s\r\n"
                % (path, len(body), extra)).encode() + body
    return ("GET %s HTTP/1.1\r\nHost: load\r\n%s\r\n" % (path, extra)).encode()


async def read_response(reader, conn, number):
    """Read one response and check it is the 200 with body b"conn-number";
    its headers (lower-case names) as a dict."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = lines[0].split(" ")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name:
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    expected = b"%d-%d" % (conn, number)
    if status[1] != "200" or body != expected:
        raise LoadError("conn %d request %d: %s %r, expected 200 %r"
                        % (conn, number, status[1], body[:80], expected))
    return headers


class Load:
    def __init__(self, port, connections, requests):
        self.port = port
        self.connections = connections
        self.requests = requests
        self.served = 0
        self.reconnects = 0
        self.errors = []
        self.opened = 0
        self.all_open = asyncio.Event()
        self.go = asyncio.Event()
        self.connecting = asyncio.Semaphore(CONNECT_AT_ONCE)

    async def open(self):
        async with self.connecting:
            return await asyncio.open_connection("127.0.0.1", self.port)

    async def client(self, conn):
        try:
            reader, writer = await self.open()
        except OSError as exc:
            self.errors.append("conn %d: connect: %r" % (conn, exc))
            self.opened += 1
            if self.opened == self.connections:
                self.all_open.set()
            return
        self.opened += 1
        if self.opened == self.connections:
            self.all_open.set()
        await self.go.wait()
        kind = KINDS[conn % len(KINDS)]
        try:
            if kind == "keep-alive":
                for number in range(self.requests):
                    writer.write(request(conn, number))
                    await read_response(reader, conn, number)
                    self.served += 1
            elif kind == "pipelined":
                for first in range(0, self.requests, 3):
                    numbers = range(first, min(first + 3, self.requests))
                    writer.write(b"".join(request(conn, number) for number in numbers))
                    for number in numbers:
                        await read_response(reader, conn, number)
                        self.served += 1
            else:
                for number in range(self.requests):
                    if number:
                        reader, writer = await self.open()
                        self.reconnects += 1
                    writer.write(request(conn, number, close=True))
                    headers = await read_response(reader, conn, number)
                    if headers.get("connection") != "close":
                        raise LoadError("conn %d: no Connection: close" % conn)
                    if await reader.read(1) != b"":
                        raise LoadError("conn %d: not closed after Connection: close" % conn)
                    self.served += 1
                    writer.close()
        except (OSError, EOFError, asyncio.IncompleteReadError, LoadError) as exc:
            self.errors.append("conn %d (%s): %r" % (conn, kind, exc))
        finally:
            writer.close()

    async def run(self, timeout):
        started = time.monotonic()
        clients = [asyncio.ensure_future(self.client(conn)) for conn in range(self.connections)]
        await asyncio.wait_for(self.all_open.wait(), timeout)
        connect_time = time.monotonic() - started
        print("connected %d" % (self.connections - len(self.errors)), flush=True)
        # The test looks at the server holding every connection, then says go.
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        started = time.monotonic()
        self.go.set()
        done, pending = await asyncio.wait(clients, timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            self.errors.append("%d connections still busy after %s s" % (len(pending), timeout))
        return {
            "connections": self.connections,
            "requests": self.served,
            "expected": self.connections * self.requests,
            "reconnects": self.reconnects,
            "errors": len(self.errors),
            "error_samples": self.errors[:5],
            "connect_seconds": round(connect_time, 2),
            "load_seconds": round(time.monotonic() - started, 2),
        }


def main(port, connections, requests, timeout=20.0):
    raise_fd_limit(connections + 100)
    result = asyncio.run(Load(port, connections, requests).run(timeout))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), *map(float, sys.argv[4:5]))
