"""The response side of ASGI: a Response's head and body as ASGI events.

`AsgiConnection` stands where the built-in server's Connection stands for
a Response and a BodyReader (`send`, `fill_for_body`, `buf`, `lost`...),
over one request's `receive` and `send`; `AsgiResponse` is mixed into the
app's Response class, so the head a Response settles (`settle_head()`)
goes out as an `http.response.start` event instead of HTTP/1 bytes. The
ASGI server frames the body (Content-Length or chunked) and owns the
connection (keep-alive, close).

Imported by picoweb.asgi, never by the built-in server.
"""

import os

from .compat import asyncio
from .errors import HTTPError
from .http1 import check_header_name, check_header_text, find_head_end
from .server import Connection

# Hop-by-hop headers of a head written by the handler itself: the ASGI
# server frames the body and owns the connection, so they cannot be relayed.
_HOP_BY_HOP = frozenset((b"connection", b"keep-alive", b"proxy-connection", b"upgrade", b"te", b"trailer"))
_MAX_RAW_HEAD = 16384  # bytes of a handler's own head, as Limits.max_header_size


class AsgiConnection:
    """One ASGI request's side of a connection, as Response, BodyReader and
    the error path use it. `start_type` and `body_type` name the events the
    head and body go out as (a WebSocket's refusal uses others)."""

    start_type = "http.response.start"
    body_type = "http.response.body"
    start = None  # the start event, waiting for the first body bytes
    head_sent = False
    finishing = False  # Response.finish() is sending: that body is the whole of it
    ended = False  # the last body event went out
    raw_head = None  # a head the handler wrote itself, while it is not whole
    body_done = False  # the request body was received to its end
    lost = None  # why sending failed: the client left (as Connection.lost)
    watcher = None  # the task that waits for http.disconnect while a body streams
    buf = None  # request body bytes received and not yet read (a bytearray)
    sent_headers = ()  # those of the start event
    skip_budget = 0  # bytes of unread request body skip_body() takes
    close_after_body = False  # the body says it is longer: the connection must end
    watches_disconnect = True  # while a body streams (a websocket scope's receive() is the handler's)

    # A before_send hook that fails as the response finishes gets the same answer.
    finish_failed = Connection.finish_failed

    def __init__(self, app, scope, receive, send):
        self.app = app
        self.limits = app.limits
        self.extensions = scope.get("extensions") or {}
        self.receive = receive
        self.asgi_send = send
        client = scope.get("client")
        # (host, port) as on the built-in server (granian gives the port as a str).
        self.peer = (client[0], int(client[1])) if client else None

    async def send(self, data):
        """Send bytes a Response gives: the head settled by `_head()` first,
        then body events; a head the handler wrote itself is parsed first."""
        if self.lost is not None:
            raise self.lost
        if self.ended:
            raise RuntimeError("the response is complete: nothing more can be sent")
        if not self.head_sent:
            if self.start is None:
                data = self._take_raw_head(data)
                if data is None:
                    return  # more of the handler's head to come
            start = self.start
            self.start = None
            self.head_sent = True
            if self.finishing:
                # A whole body after its head: two events, and the response is over.
                if not self.body_done:
                    await self.skip_body()
                self.ended = True
                try:
                    await self.asgi_send(start)
                    await self.asgi_send({"type": self.body_type, "body": data})
                except OSError as exc:  # as _send()
                    self.lost = exc
                    raise
                return
            await self._send(start)
        if data:
            if self.watcher is None and self.body_done and self.watches_disconnect:
                # A streamed body: learn of a client that leaves meanwhile,
                # so that a write fails as on a lost socket.
                self.watcher = asyncio.ensure_future(self._watch_for_disconnect())
            await self._send({"type": self.body_type, "body": data, "more_body": True})

    async def end(self, resp):
        """The response is over: the last body event, unless the error path
        cut it short (then the server closes the connection)."""
        if self.ended or self.lost is not None or was_cut(resp):
            return
        if not self.head_sent:
            raise ValueError("the handler's own response head ended before its blank line")
        if not self.body_done:
            await self.skip_body()
        self.ended = True
        await self._send({"type": self.body_type, "body": b""})

    async def send_zero_copy(self, f, offset, count):
        """A file body handed to the server where it offers that: the bytes
        sent, or None (nothing sent) where it cannot (see files.write_file)."""
        if "http.response.zerocopysend" in self.extensions and count is not None:
            await self._send({"type": "http.response.zerocopysend", "file": f, "offset": offset,
                              "count": count, "more_body": True})
            return count
        if "http.response.pathsend" in self.extensions and self.head_sent and offset == 0:
            # The server opens the file by its path: only for a whole file
            # that is the whole body, and still the file that was opened.
            path = getattr(f, "name", None)
            if not isinstance(path, str):
                return None
            path = os.path.realpath(path)
            opened = os.fstat(f.fileno())
            try:
                found = os.stat(path)
            except OSError:
                return None
            if (found.st_ino, found.st_dev) != (opened.st_ino, opened.st_dev):
                return None
            if count is None:
                count = opened.st_size
            if count != opened.st_size or self.declared_length != count:
                return None
            if not self.body_done:
                await self.skip_body()
            self.ended = True
            await self._send({"type": "http.response.pathsend", "path": path})
            return count
        return None

    async def fill_for_body(self, timeout, size=0):
        """Receive more of the request body into `buf`, within `timeout`
        seconds (408); False once it has all come. (`size`: the server
        hands out what it has.)"""
        if self.body_done:
            return False
        try:
            message = await asyncio.wait_for(self.receive(), timeout)
        except asyncio.TimeoutError:
            raise HTTPError(408, "request body timed out")
        if message["type"] != "http.request":  # http.disconnect: the client left
            self.lost = ConnectionResetError("the client left during the request body")
            raise self.lost
        if not message.get("more_body", False):
            self.body_done = True
        body = message.get("body", b"")
        if body:
            self.buf += body
            return True
        return not self.body_done

    async def skip_body(self):
        """Receive and drop what is left of a request body nobody read (up
        to skip_budget bytes), before the answer's last event, as the
        built-in server skips it: a server that cannot go on to the next
        request until the app has taken the body (hypercorn) then can, and a
        proxy still sending it reads the answer rather than a reset."""
        if self.close_after_body:
            return  # more than that: the connection ends instead
        budget = self.skip_budget
        while not self.body_done and budget >= 0:
            try:
                message = await asyncio.wait_for(self.receive(), self.limits.read_timeout)
            except asyncio.TimeoutError:
                return
            if message["type"] != "http.request":
                return  # http.disconnect
            budget -= len(message.get("body", b""))
            if not message.get("more_body", False):
                self.body_done = True

    def upgrade_refused(self):
        """What resp.upgrade() raises: an ASGI http scope hands no connection over."""
        return HTTPError(501, "this server hands no connection over to another protocol")

    async def _send(self, event):
        try:
            await self.asgi_send(event)
        except OSError as exc:  # a server that says the client left
            self.lost = exc
            raise

    async def _watch_for_disconnect(self):
        while (await self.receive())["type"] != "http.disconnect":
            pass  # what is left of a request body nobody reads
        self.lost = ConnectionResetError("the client closed the connection")

    @property
    def declared_length(self):
        """The Content-Length of the head sent, or None."""
        for name, value in self.sent_headers:
            if name == b"content-length":
                return int(value)
        return None

    def _take_raw_head(self, data):
        """Collect the head a handler wrote itself; once it is whole, make
        it the start event and return the body bytes after it."""
        head = self.raw_head = (self.raw_head or b"") + bytes(data)
        found = find_head_end(head, head.find(b"\n"))
        if found is None:
            if len(head) > _MAX_RAW_HEAD:
                raise ValueError("the handler's own response head is longer than %d bytes" % _MAX_RAW_HEAD)
            return None
        status, headers = parse_response_head(head[:found[0]])
        self.raw_head = None
        self.set_start(status, headers)
        return head[found[1]:]

    def set_start(self, status, headers):
        """The start event for `status` and `headers` ((bytes, bytes) pairs)."""
        self.sent_headers = headers
        self.start = {"type": self.start_type, "status": status, "headers": headers}


def parse_response_head(head):
    """(status, [(lowercase name, value) as bytes]) of an HTTP/1 response
    head (its lines, without the blank line), hop-by-hop headers dropped;
    ValueError if it is not one or its body framing cannot be relayed."""
    lines = head.split(b"\n")
    if lines[-1] == b"":
        lines.pop()  # after the last line's end
    parts = lines[0].rstrip(b"\r").split(b" ", 2)
    if len(parts) < 2 or parts[0] not in (b"HTTP/1.0", b"HTTP/1.1") or len(parts[1]) != 3 or not parts[1].isdigit():
        raise ValueError("the handler's own response head has a malformed status line: %r" % lines[0][:80])
    if parts[1] < b"200":
        raise ValueError("the handler's own response head has an interim status, which ASGI cannot send")
    headers = []
    for line in lines[1:]:
        line = line.rstrip(b"\r")
        name, colon, value = line.partition(b":")
        try:
            check_header_name(name.decode("latin-1"))
            check_header_text(value.decode("latin-1"))
        except ValueError:
            colon = b""
        if not colon:
            raise ValueError("the handler's own response head has a malformed header line: %r" % line[:80])
        name = name.lower()
        if name == b"transfer-encoding":
            raise ValueError("the handler's own head frames its body (Transfer-Encoding): under ASGI the server does")
        if name not in _HOP_BY_HOP:
            headers.append((name, value.strip(b" \t")))
    return int(parts[1]), headers


def was_cut(resp):
    """True if the error path cut the response short (its head is out):
    its body must not look complete."""
    status = resp.status
    return (not resp.send_body and resp.req.method != "HEAD"
            and status >= 200 and status != 204 and status != 304)


class AsgiResponse:
    """Mixed into an app's Response class under ASGI (see response_class)."""

    def _head(self, body_length):
        # The head Response settles, as an event instead of HTTP/1 bytes;
        # send() carries it out with the first body bytes.
        status = self.status
        if (self._headers is None and body_length is not None and status >= 200 and status != 204
                and status != 304 and not self.conn.close_after_body):
            # Nobody set a header (the usual returned body): what settle_head()
            # gives, without a Headers round trip, as Response._head() does.
            self.send_body = self.req.method != "HEAD"
            length = (b"content-length", b"%d" % body_length)
            content_type = self._content_type
            self.conn.set_start(status, [length] if content_type is None else [
                (b"content-type", _encoded_type(content_type)), length])
            self.headers_sent = True
            return b""
        headers = self.settle_head(body_length)
        if self.conn.close_after_body and self.req.version < "2":
            # A body longer than is skipped: as the built-in server, this
            # connection cannot go on (HTTP/2 forbids the header, and ends
            # just the stream).
            headers._set_known("connection", "Connection", "close")
        self.conn.set_start(self.status, [(name.lower().encode(), value.encode()) for name, value in headers.items()])
        self.headers_sent = True
        return b""

    async def finish(self):
        conn = self.conn
        conn.finishing = True
        await super().finish()
        await conn.end(self)

    async def upgrade(self, headers=None, status=101):
        raise self.conn.upgrade_refused()


_encoded_types = {}  # Content-Type -> its bytes, checked: a few repeat


def _encoded_type(content_type):
    encoded = _encoded_types.get(content_type)
    if encoded is None:
        # set_body() took it unchecked: a CR or LF here would split the head.
        encoded = check_header_text(content_type).encode()
        if len(_encoded_types) < 32:
            _encoded_types[content_type] = encoded
    return encoded


_response_classes = {}


def response_class(base):
    """The app's Response class (`base`, with its plugins' extensions)
    answering through ASGI events."""
    cls = _response_classes.get(base)
    if cls is None:
        cls = _response_classes[base] = type(base.__name__, (AsgiResponse, base), {})
    return cls
