"""Listening sockets: one line for a port already in use, port=0 on
MicroPython, and (CPython) a socket bound once for the processes that
serve it in turn or together (the `picoweb` command's --reload and
--workers)."""

import errno


def in_use_message(host, port):
    return "port %d on %s is in use" % (port, host)


def exit_if_in_use(exc, host, port):
    """Exit with status 2 and one line on stderr if `exc` says the address
    is taken: a mistake of the setup, not of the program, so no traceback."""
    if getattr(exc, "errno", None) == errno.EADDRINUSE:
        import sys

        print("picoweb: " + in_use_message(host, port), file=sys.stderr)
        raise SystemExit(2)


def bind(host, port, backlog=1024):
    """A listening TCP socket on host:port (port 0: a free one), inheritable,
    so that a child process can serve it; OSError if it cannot be had."""
    import socket

    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, 0, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(backlog)
        sock.set_inheritable(True)
    except BaseException:
        sock.close()
        raise
    return sock


async def listen_on_free_port(accept, host, tries=32):
    """(server, port) on a free port picked here: MicroPython's Server
    keeps no socket to ask the port that port=0 bound (its sockets have no
    getsockname() either), so try random ones of the ephemeral range."""
    import random

    from .compat import asyncio

    for attempt in range(tries):
        port = 49152 + random.getrandbits(14)
        try:
            return await asyncio.start_server(accept, host, port), port
        except OSError:  # in use
            if attempt == tries - 1:
                raise
