"""Limits: every bound on what one client can make the server hold or wait for.

Each app has its own (`app.limits`). The connection-level ones, in force
before any app is known (the request line, the wait for a request, the
connection count, the input buffer), are the root app's; the rest apply
per request and are those of the app that serves it, mounted or not.
"""

from .compat import IS_MICROPYTHON


class Limits:
    """Change one with `app.limits.max_body = 10 * 1024 * 1024`, or the body
    limit per route with `@app.route(..., max_body=...)`; `Limits(**overrides)`."""

    # Per connection: the root app's.
    max_request_line = 8190  # bytes, else 414
    idle_timeout = 15  # seconds a keep-alive connection may wait for a request
    head_timeout = 30  # seconds to receive the rest of a request head
    max_connections = 16 if IS_MICROPYTHON else 1024  # then new ones get 503
    shutdown_timeout = 10  # seconds in-flight requests get on shutdown
    # Seconds a connection accepted as the server began to stop has to send
    # its first request: its client has had no answer yet, and would not
    # retry as on a kept-alive connection (a restart under --reload, say).
    first_request_grace = 0.5
    # Bytes asked of the socket per read. MicroPython allocates the whole
    # size for each read before it shrinks to what came: 4 KiB pieces took
    # a hello app from 97 to 113 KiB of heap.
    read_size = 512 if IS_MICROPYTHON else 4096
    body_read_size = 4096  # bytes per read of a request body, while that much is left
    read_buffer = 65536  # unread input the asyncio.Protocol path holds before pausing the socket
    send_timeout = 30  # seconds a client may leave a response unread, else closed
    # Per request: the serving app's.
    max_header_size = 16384  # bytes of header lines, else 431
    max_headers = 100  # header lines, else 431
    max_body = 1048576  # bytes of request body, else 413 (per route: max_body=)
    max_chunk_line = 4096  # bytes of one chunk-size or trailer line, else 400
    max_trailers = 32  # trailer lines after a chunked body (nobody reads them), else 431
    read_timeout = 30  # seconds one body read may wait, else 408

    def __init__(self, **overrides):
        for name, value in overrides.items():
            if not hasattr(Limits, name):
                raise TypeError("unknown limit %r" % name)
            setattr(self, name, value)
