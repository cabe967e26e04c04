"""The connection loop: bytes from an asyncio stream in, responses out.

Works on any reader with `async read(n)` and writer with `write()` and
`async drain()`: asyncio streams on both runtimes, memory streams in the
test client.
"""

from .compat import asyncio, decode_header, log_exception
from .errors import HTTPError
from .headers import Headers
from .protocol import (
    decode_path, find_head_end, parse_headers, parse_request_line, response_head, split_target,
)
from .request import BodyReader, Request
from .response import HTML, Response, error_page

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class Connection:
    """One client connection: its input buffer and the requests read from it."""

    def __init__(self, app, reader, writer):
        self.app = app
        self.reader = reader
        self.writer = writer
        self.limits = app.limits
        self.buf = bytearray()
        self.idle = True  # waiting between requests, safe to close on shutdown
        self.expect_continue = False
        try:
            self.peer = writer.get_extra_info("peername")
        except (AttributeError, OSError):
            self.peer = None

    async def fill(self, timeout):
        """Read more input into `buf`; False at end of stream."""
        data = await asyncio.wait_for(self.reader.read(self.limits.read_size), timeout)
        if not data:
            return False
        self.buf += data
        return True

    async def fill_for_body(self):
        if self.expect_continue:
            self.expect_continue = False
            await self.send(_CONTINUE)
        return await self.fill(self.limits.read_timeout)

    async def send(self, data):
        self.writer.write(data)
        await self.writer.drain()

    async def serve(self):
        """Answer requests until the client or the protocol ends the connection."""
        try:
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
            try:
                self.writer.close()
                await self.writer.wait_closed()
            except Exception:
                pass

    async def serve_one(self):
        """Read one request, answer it; True if the connection may go on."""
        app = self.app
        limits = self.limits
        buf = self.buf
        self.idle = True
        line_end = await self._read_request_line()
        if line_end < 0:
            return False
        self.idle = False
        method, target, minor = parse_request_line(bytes(buf[:line_end]).rstrip(b"\r"))
        raw_path, query = split_target(target)
        req = Request(method, decode_path(raw_path), decode_header(query), minor, self.peer)
        req.max_body = limits.max_body
        mode = app.resolve(req)
        if mode == "leave":
            # Headers and body stay in the stream; their framing is unknown
            # to us, so nothing may follow on this connection.
            del buf[:line_end + 1]
            req.reader = BodyReader(self, raw=True)
        else:
            body_start = await self._read_headers(req, line_end, mode == "parse")
            del buf[:body_start]
        resp = Response(self, req)
        await app.dispatch(req, resp)
        await resp.finish()
        if app.debug >= 0:
            app.log.info('%s "%s %s HTTP/%s" %d', self.peer and self.peer[0], method,
                         req.path, req.version, resp.status)
        if resp.close_after or not req.keep_alive or app.stopping:
            return False
        return await self._discard_unread_body(req)

    async def _read_request_line(self):
        """Index of the request line's b"\\n", or -1 if the client left."""
        buf = self.buf
        limits = self.limits
        while True:
            # RFC 9112 asks servers to skip blank lines before a request.
            while buf[:1] == b"\n" or buf[:2] == b"\r\n":
                del buf[:1 if buf[:1] == b"\n" else 2]
            line_end = buf.find(b"\n")
            if line_end >= 0:
                if line_end > limits.max_request_line:
                    raise HTTPError(414)
                return line_end
            if len(buf) > limits.max_request_line:
                raise HTTPError(414)
            if not buf and self.app.stopping:
                return -1
            try:
                timeout = limits.head_timeout if buf else limits.idle_timeout
                if not await self.fill(timeout):
                    return -1
            except asyncio.TimeoutError:
                if buf:
                    raise HTTPError(408)
                return -1

    async def _read_headers(self, req, line_end, keep):
        buf = self.buf
        limits = self.limits
        while True:
            found = find_head_end(buf, line_end)
            if found is not None:
                break
            if len(buf) - line_end > limits.max_header_size:
                raise HTTPError(431)
            try:
                if not await self.fill(limits.head_timeout):
                    raise EOFError("client left within the request head")
            except asyncio.TimeoutError:
                raise HTTPError(408)
        block_end, body_start = found
        if block_end - line_end > limits.max_header_size:
            raise HTTPError(431)
        minor = int(req.version[2])
        values, framing = parse_headers(bytes(buf[line_end + 1:block_end]), limits, keep)
        framing.check(minor)
        req.headers = Headers.from_parsed(values)
        req.keep_alive = framing.keep_alive(minor)
        length = framing.content_length
        req.content_length = length
        if length and length > req.max_body:
            raise HTTPError(413)
        req.reader = BodyReader(self, length, framing.chunked, limit=req.max_body)
        self.expect_continue = framing.expect_continue and not req.reader.finished
        return body_start

    async def _discard_unread_body(self, req):
        """Skip what the handler left of the body, so the next request parses
        from its own first byte; False (close) if that is not worth it."""
        reader = req.reader
        if reader.finished:
            return True
        if self.expect_continue:
            return False  # the client still waits to be asked for its body
        skipped = 0
        try:
            while not reader.finished:
                piece = await reader.read(self.limits.read_size)
                skipped += len(piece)
                if skipped > req.max_body:
                    return False
        except HTTPError:
            return False  # a broken body after a sent response: just close
        return True

    async def reject(self, exc):
        """Answer a request we could not parse, then close."""
        self.app.log.info("%s: rejected with %d: %s", self.peer, exc.status, exc.message)
        body = error_page(exc.status, exc.message).encode()
        headers = [("Content-Type", HTML), ("Content-Length", str(len(body))), ("Connection", "close")]
        try:
            await self.send(response_head(exc.status, headers) + body)
        except OSError:
            pass


async def serve(app, host, port, stop_event):
    """Accept connections for `app` until `stop_event` is set, then drain."""
    connections = set()

    async def accept(reader, writer):
        conn = Connection(app, reader, writer)
        conn.task = asyncio.current_task()
        connections.add(conn)
        try:
            await conn.serve()
        finally:
            connections.discard(conn)

    server = await asyncio.start_server(accept, host, port)
    sockets = getattr(server, "sockets", None)
    if sockets:
        port = sockets[0].getsockname()[1]
    app.port = port
    if app.debug >= 0:
        app.log.info("Running on http://%s:%d/", host, port)
    try:
        await stop_event.wait()
    finally:
        server.close()
        await _close_connections(app, connections)


async def _close_connections(app, connections):
    # Idle keep-alive connections go now; busy ones get shutdown_timeout.
    for conn in list(connections):
        if conn.idle:
            conn.task.cancel()
    waited = 0
    while connections and waited < app.limits.shutdown_timeout:
        await asyncio.sleep(0.05)
        waited += 0.05
    for conn in list(connections):
        conn.task.cancel()
    if app.debug >= 0:
        app.log.info("Stopped")
