"""The connection loop: bytes from an asyncio stream in, responses out.

Works on any reader with `async read(n)` and writer with `write()` and
`async drain()`: asyncio streams on both runtimes, memory streams in the
test client.
"""

from .compat import IS_MICROPYTHON, asyncio, call, ticks_diff, ticks_ms
from .errors import HTTPError
from .headers import Headers
from .http1 import NO_FRAMING, find_head_end, parse_headers, parse_request_line
from .httpdate import keep_fresh
from .logs import log_exception, loggable
from .request import NO_BODY, BodyReader

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"

class Connection:
    """One client connection: its input buffer and the requests read from it."""

    scheme = "http"  # "https" over TLS: each request's req.scheme
    fresh = True  # no request answered yet

    def __init__(self, app, reader, writer):
        self.app = app
        self.reader = reader
        self.writer = writer
        self.limits = app.limits  # the root app's: those of the connection (see Limits)
        self.buf = bytearray()
        # A reader that bounds its own waits spares a Task per read (wait_for).
        self.read_within = getattr(reader, "read_within", None)
        self.must_drain = getattr(writer, "must_drain", None)
        self.idle = True  # waiting between requests, safe to close on shutdown
        self.expect_continue = False
        self.lost = None  # why a send failed: the client left or stopped reading
        try:
            self.peer = writer.get_extra_info("peername")
        except (AttributeError, OSError):
            self.peer = None
        if IS_MICROPYTHON:
            if isinstance(self.peer, (bytes, bytearray)):
                self.peer = _decode_sockaddr(self.peer)
            # MicroPython leaves Nagle's algorithm on (CPython's asyncio turns
            # it off): a streamed response's second write would wait for the
            # client's delayed ACK, ~40 ms. IPPROTO_TCP 6 and TCP_NODELAY 1 on
            # Linux and lwIP; the unix socket module has no names for them,
            # and a port whose sockets lack the option serves on as before.
            try:
                writer.s.setsockopt(6, 1, 1)
            except (AttributeError, OSError, TypeError):
                pass

    async def fill(self, timeout, size=0):
        """Read more input (up to `size` bytes, else read_size) into `buf`;
        False at end of stream."""
        size = size or self.limits.read_size
        read_within = self.read_within
        if read_within is not None:
            data = await read_within(size, timeout)
        else:
            data = await asyncio.wait_for(self.reader.read(size), timeout)
        if not data:
            return False
        self.buf += data
        return True

    async def fill_head(self):
        """Read more of a request head; all of it must come within
        head_timeout of its first byte, however slowly it trickles in."""
        if self.head_started is None:
            # The clock starts at the first wait: a head that came whole
            # (the usual case) never needs it.
            self.head_started = ticks_ms()
        left = self.limits.head_timeout * 1000 - ticks_diff(ticks_ms(), self.head_started)
        try:
            if left <= 0:
                raise asyncio.TimeoutError
            return await self.fill(left / 1000)
        except asyncio.TimeoutError:
            raise HTTPError(408)

    async def fill_for_body(self, timeout, size=0):
        """Read more of a request body (up to `size` bytes, else read_size),
        within `timeout` seconds (408)."""
        if self.expect_continue:
            self.expect_continue = False
            await self.send(_CONTINUE)
        try:
            return await self.fill(timeout, size)
        except asyncio.TimeoutError:
            # The client is slow, not the server: a 408, not a logged 500.
            raise HTTPError(408, "request body timed out")
        except OSError as exc:
            self.lost = exc  # reset by the client: see send()
            raise

    async def send(self, data):
        writer = self.writer
        try:
            writer.write(data)
            if self.must_drain is not None:
                if self.must_drain():
                    await asyncio.wait_for(writer.drain(), self.limits.send_timeout)
                return  # a ProtocolStream has nothing to wait for unless paused
            transport = getattr(writer, "transport", None)
            if transport is not None:
                # CPython buffers writes: drain() only waits above the high-water
                # mark, and only then can a client that stopped reading stall us.
                if transport.get_write_buffer_size() <= transport.get_write_buffer_limits()[1]:
                    await writer.drain()
                    return
            elif not IS_MICROPYTHON:
                await writer.drain()  # a memory stream never blocks
                return
            await asyncio.wait_for(writer.drain(), self.limits.send_timeout)
        except (OSError, asyncio.TimeoutError) as exc:
            # The client's doing, not the app's: handle_error() logs no traceback.
            self.lost = exc
            raise

    async def serve(self):
        """Answer requests until the client or the protocol ends the connection."""
        try:
            if await self.serve_one():
                self.fresh = False
                while await self.serve_one():
                    pass
        except HTTPError as exc:
            await self.reject(exc)
        except asyncio.TimeoutError:
            self.app.log.info("%s: timed out", self.peer)
        except (OSError, EOFError) as exc:
            self.app.log.debug("%s: connection lost: %r", self.peer, exc)
        except Exception as exc:
            log_exception(self.app.log, "%s: connection failed" % (self.peer,), exc)
        finally:
            await self.close()

    async def close(self):
        """Close the connection. Bytes the client has not taken get
        send_timeout to leave, then are dropped with the socket: closing
        waits for them, so a client that stopped reading would hold the
        socket (and with streams, this task) open for good."""
        writer = self.writer
        try:
            writer.close()
            transport = getattr(writer, "transport", None)
            if transport is not None and transport.get_write_buffer_size():
                if isinstance(self.lost, asyncio.TimeoutError):
                    transport.abort()  # it has left them unread for send_timeout already
                else:
                    asyncio.get_running_loop().call_later(self.limits.send_timeout, transport.abort)
            await writer.wait_closed()
        except Exception:
            pass

    async def serve_one(self):
        """Read one request, answer it; True if the connection may go on."""
        app = self.app
        buf = self.buf
        self.idle = True
        self.head_started = None
        if not buf and not await self._wait_idle():
            return False
        line_end = buf.find(b"\n")
        if line_end <= 0 or line_end > self.limits.max_request_line or (line_end == 1 and buf[0] == 13):
            # Not one whole request line first in buf: wait for it, skip
            # blank lines, refuse a long one (the usual request needs none).
            line_end = await self._read_request_line()
            if line_end < 0:
                return False
        self.idle = False
        # Strip one CR: more is a bare CR, which a proxy may take for a line
        # end (RFC 9112 2.2), so it must fail the version check, a 400.
        end = line_end - 1 if buf[line_end - 1] == 13 else line_end
        method, path, query, minor = parse_request_line(buf, end)
        req = app.new_request(method, path, query, minor, self.peer)
        if self.scheme != "http":
            req.scheme = self.scheme
        mode = req.route.header_mode if req.route is not None else "parse"
        try:
            if mode == "leave":
                # Headers and body stay in the stream; their framing is unknown
                # to us, so nothing may follow on this connection.
                buf[:line_end + 1] = b""
                req.headers = Headers()
                req.reader = BodyReader(self, req.limits, raw=True)
            else:
                found = find_head_end(buf, line_end)
                if found is None:
                    found = await self._wait_for_head(line_end, req.limits)
                buf[:self._parse_head(req, line_end, found, minor, mode == "parse")] = b""
        except HTTPError as exc:
            await self.reject(exc, req)
            return False
        resp = req.response_class(self, req)
        if app.stopping:
            resp.close_after = True  # tell the client, so it does not retry here
        try:
            try:
                await app.handle(req, resp)
            except Exception as exc:  # an override of handle() that raised
                await _answer_error(req, resp, exc)
            try:
                await resp.finish()
            except (OSError, asyncio.TimeoutError):  # a TimeoutError is no OSError before 3.11
                raise
            except Exception as exc:  # a before-send hook failed
                await self.finish_failed(req, resp, exc)
        finally:
            if resp.teardown:
                await tear_down(req, resp)
        if app.debug >= 0:
            app.log.info('%s "%s %s HTTP/%s" %d', self.peer and self.peer[0], method,
                         loggable(req.path), req.version, resp.status)
        if resp.close_after or not req.keep_alive or app.stopping:
            return False
        return req.reader.finished or await self._discard_unread_body(req)

    async def finish_failed(self, req, resp, exc):
        """A before-send hook raised `exc` as `resp` was finishing: answer
        with the error instead, if the head is not out, then close."""
        from .failures import finish_failed

        await finish_failed(self, req, resp, exc)

    async def _wait_idle(self):
        """Wait for the next request's first bytes; False if none come
        (the client left, idle_timeout passed, or the server is stopping)."""
        if self.app.stopping and not self.fresh:
            return False
        try:
            return await self.fill(self.limits.idle_timeout)
        except asyncio.TimeoutError:
            return False

    async def _read_request_line(self):
        """Index of the request line's b"\\n", or -1 if the client left."""
        buf = self.buf
        limits = self.limits
        while True:
            # RFC 9112 asks servers to skip blank lines before a request.
            while buf and (buf[0] == 10 or (buf[0] == 13 and buf[1:2] == b"\n")):
                buf[:1 if buf[0] == 10 else 2] = b""
            line_end = buf.find(b"\n")
            if line_end >= 0:
                if line_end > limits.max_request_line:
                    raise HTTPError(414)
                return line_end
            if len(buf) > limits.max_request_line:
                raise HTTPError(414)
            if buf:
                if not await self.fill_head():
                    return -1
                continue
            if not await self._wait_idle():
                return -1

    async def _wait_for_head(self, line_end, limits):
        """(end of header lines, body start) once the head's blank line is in."""
        buf = self.buf
        while True:
            if len(buf) - line_end > limits.max_header_size:
                raise HTTPError(431)
            if not await self.fill_head():
                raise EOFError("client left within the request head")
            found = find_head_end(buf, line_end)
            if found is not None:
                return found

    def _parse_head(self, req, line_end, found, minor, keep):
        """Parse the header lines into `req`; returns where the body starts."""
        block_end, body_start = found
        limits = req.limits
        if block_end - line_end > limits.max_header_size:
            raise HTTPError(431)
        values, framing = parse_headers(self.buf[line_end + 1:block_end], limits, keep)
        req.headers = Headers.from_parsed(values)
        if framing is NO_FRAMING:
            # No Content-Length, Transfer-Encoding, Connection or Expect.
            req.keep_alive = minor == 1
            req.reader = NO_BODY
            self.expect_continue = False
            return body_start
        framing.check(minor)
        req.keep_alive = framing.keep_alive(minor)
        length = framing.content_length
        req.content_length = length
        if length or framing.chunked:
            req.reader = BodyReader(self, limits, length, framing.chunked, limit=req.max_body)
            # RFC 9110 10.1.1: an HTTP/1.0 client's 100-continue is ignored.
            self.expect_continue = framing.expect_continue and minor == 1
        else:
            req.reader = NO_BODY
            self.expect_continue = False
        return body_start

    async def _discard_unread_body(self, req):
        """Skip what the handler left of the body, so the next request parses
        from its own first byte; False (close) if that is not worth it."""
        reader = req.reader
        if reader.finished:
            return True
        if reader.failed:
            return False  # where this body ends is unknown: so is the next request
        if self.expect_continue:
            return False  # the client still waits to be asked for its body
        # Within the route's limit: a lower one (limit_to()) was the handler's.
        reader.limit = reader.hard_limit
        try:
            while not reader.finished:
                await reader.read(self.limits.read_size)
        except HTTPError:
            return False  # a broken or too large body after the response: close
        return True

    async def reject(self, exc, req=None):
        """Answer an error met while reading a request (malformed, too
        large, too slow, or one connection too many) through the app's error
        handlers, then close: those of the app `req` was resolved to, or
        the root app's before any is known."""
        from .failures import reject

        try:
            await reject(self, exc, req)
        except (OSError, asyncio.TimeoutError):
            pass


def _decode_sockaddr(raw):
    # The unix port hands out the raw struct sockaddr (boards give a tuple).
    import socket

    try:
        family, packed, port = socket.sockaddr(raw)[:3]
        return socket.inet_ntop(family, packed), port
    except (AttributeError, OSError, ValueError):
        return None


async def _answer_error(req, resp, exc):
    from .failures import answer_error

    await answer_error(req, resp, exc)


async def tear_down(req, resp):
    """Run the request's teardown hooks, inner apps' first; a failing one
    is logged and does not stop the others."""
    for hook in reversed(resp.teardown):
        try:
            await call(hook, req, resp)
        except Exception as exc:
            log_exception(req.app.log, "teardown of %r failed" % req, exc)


if hasattr(asyncio, "SendfileNotAvailableError"):
    # CPython's loop.sendfile() gives zero-copy file bodies (see files.py).
    # MicroPython has none: without the method, resp.write_file() copies
    # through a buffer at once, and its heap does not hold the code.
    from .files import send_zero_copy

    Connection.send_zero_copy = send_zero_copy


def default_transport():
    """"protocol" on CPython ("streams" if PICOWEB_TRANSPORT says so: the
    test suite runs on both); "streams" on MicroPython, which has no other."""
    if IS_MICROPYTHON:
        return "streams"
    import os

    return os.environ.get("PICOWEB_TRANSPORT", "protocol")


async def serve(app, host, port, transport=None, ssl=None, sock=None):
    """Accept connections for `app` until `app.shutdown()`, then drain.

    transport: "streams" (asyncio.start_server, MicroPython's only choice)
    or "protocol" (an asyncio.Protocol, CPython's default, faster).
    ssl: an SSLContext to serve HTTPS with (see tls.py); sock (CPython): a
    bound, listening socket to serve on in place of host and port."""
    if transport is None:
        transport = default_transport()
    if transport not in ("protocol", "streams"):
        raise ValueError("transport must be 'streams' or 'protocol'")
    connections = set()

    if ssl is not None and IS_MICROPYTHON:
        from .tls import handshake

    async def accept(reader, writer):
        conn = Connection(app, reader, writer)
        if ssl is not None:
            conn.scheme = "https"
            # CPython's handshake came before (tls.py); MicroPython's is now.
            if IS_MICROPYTHON and not await handshake(conn, ssl):
                return
        if len(connections) >= app.limits.max_connections:
            from .failures import refuse

            await refuse(conn)
            return
        conn.task = asyncio.current_task()
        connections.add(conn)
        try:
            await conn.serve()
        except asyncio.CancelledError:
            # Shutdown closed this connection. End the task normally: CPython
            # 3.11 and early 3.12 releases log a cancelled connection task as an error.
            pass
        finally:
            connections.discard(conn)

    where = (host, port) if sock is None else (None, None)
    if transport == "protocol":
        from .asyncio_protocol import start_server

        server = await start_server(accept, *where, app.limits, sock, ssl, app.log)
    elif ssl is not None and not IS_MICROPYTHON:
        from .tls import start_server, stream_protocol

        server = await start_server(stream_protocol(accept), *where, sock, ssl, app.limits, app.log)
    elif sock is not None:
        server = await asyncio.start_server(accept, sock=sock)
    elif port or not IS_MICROPYTHON:
        server = await asyncio.start_server(accept, host, port)
    else:
        from .listen import listen_on_free_port

        server, port = await listen_on_free_port(accept, host)
    sockets = getattr(server, "sockets", None)
    if sockets:
        address = sockets[0].getsockname()
        port = address[1]
        if sock is not None:
            host = address[0]
    app.port = port
    if app.debug >= 0:
        app.log.info("Running on %s://%s:%d/", "http" if ssl is None else "https", host, port)
    # The task that keeps the Date line fresh runs until shutdown() cancels
    # it: serving waits on it (an asyncio.Event would load one more module
    # onto MicroPython's heap).
    dates = app._serving = asyncio.create_task(keep_fresh(asyncio.sleep))
    try:
        try:
            await dates
        except asyncio.CancelledError:
            if not app.stopping:
                raise  # this task was cancelled, not stopped by shutdown()
    finally:
        app._serving = None
        dates.cancel()
        server.close()
        await app.notify_shutdown()
        from .shutdown import close_connections

        await close_connections(app, connections)
