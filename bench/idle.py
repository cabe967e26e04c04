"""Hold N idle keep-alive connections open to a server: the client half of
the per-connection memory measurement (run.py reads the server's RSS).

    python bench/idle.py PORT COUNT [HOLD_SECONDS]

Opens the connections one after another, sends one GET /hello on each and
reads its whole answer (so the server has accepted and served each one),
prints "ready COUNT", then keeps them idle until stdin closes or
HOLD_SECONDS pass, and closes them."""

import select
import socket
import sys

from procs import HOST, raise_nofile

REQUEST = b"GET /hello HTTP/1.1\r\nHost: bench\r\n\r\n"


def read_response(sock):
    """Read one response with a Content-Length body (what /hello answers)."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(4096)
        if not piece:
            raise ConnectionError("server closed the connection")
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
            break
    else:
        raise ValueError("no Content-Length in %r" % head)
    while len(body) < length:
        piece = sock.recv(4096)
        if not piece:
            raise ConnectionError("server closed the connection")
        body += piece


def main(port, count, hold):
    raise_nofile(count + 64)
    socks = []
    try:
        for _ in range(count):
            sock = socket.create_connection((HOST, port), timeout=10)
            sock.sendall(REQUEST)
            read_response(sock)
            socks.append(sock)
        print("ready %d" % len(socks), flush=True)
        # Idle until the parent closes our stdin, or the hold time ends.
        select.select([sys.stdin], [], [], hold)
    finally:
        for sock in socks:
            sock.close()


if __name__ == "__main__":
    port, count = int(sys.argv[1]), int(sys.argv[2])
    hold = float(sys.argv[3]) if len(sys.argv) > 3 else 30.0
    main(port, count, hold)
