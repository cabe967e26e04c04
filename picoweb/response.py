"""The response stream handed to handlers as `resp`, and helpers over it.

Status and headers wait in `resp` until the first body byte goes out (or
the handler ends), so hooks can still change them; the wire then carries
head and first body bytes in one write.
"""

from .compat import call
from .headers import Headers
from . import httpdate
from .http1 import check_header_text, chunk, response_head, status_line

HTML = "text/html; charset=utf-8"


# (status, Content-Type) -> the head up to the Content-Length value, for
# responses whose headers nobody touched: a few statuses and types repeat.
_quick_heads = {}


class Response:
    """`resp`: the raw write stream of one response, as in the original.

    `status`, `headers` (a `Headers`) and `body` may be changed until
    `headers_sent`. `await resp.awrite(data)` streams: an HTTP/1.1 client
    gets chunked encoding unless a Content-Length header was set.
    """

    # Defaults most responses keep, as class attributes: fewer stores per
    # response, and a smaller instance on MicroPython's heap.
    status = 200
    body = None  # a returned body, sent with Content-Length at the end
    started = False  # start_response ran or a body was set
    headers_sent = False
    chunked = False
    raw = False  # the handler wrote its own status line
    send_body = True
    before_send = ()  # hooks of the apps this request passed through
    teardown = ()  # their teardown_request hooks
    # `headers` is made on first use: a returned body that nobody added a
    # header to needs only its Content-Type, kept here meanwhile.
    _headers = None
    _content_type = None

    def __init__(self, conn, req):
        self.conn = conn
        self.req = req
        self.close_after = not req.keep_alive

    @property
    def headers(self):
        headers = self._headers
        if headers is None:
            headers = self._headers = Headers()
            if self._content_type is not None:
                headers._set_known("content-type", "Content-Type", self._content_type)
                self._content_type = None
        return headers

    @headers.setter
    def headers(self, headers):
        self._headers = headers  # None: made afresh on next use
        self._content_type = None

    async def awrite(self, data, off=0, sz=-1):
        """Write body bytes (str is UTF-8 encoded); sends the head first."""
        if isinstance(data, str):
            data = data.encode()
        if off or sz >= 0:
            data = data[off:off + sz] if sz >= 0 else data[off:]
        if not self.headers_sent:
            if not self.started and data[:5] == b"HTTP/":
                # The original let handlers write their own head; it has no
                # framing we can trust, so this connection ends after it.
                self.raw = self.headers_sent = self.close_after = True
                await self.conn.send(data)
                return
            if self.before_send:
                await self._run_before_send()
            head = self._head(None)
            if not self.send_body:
                await self.conn.send(head)
                return
            # An empty first write must not become the last chunk.
            data = head + (chunk(data) if self.chunked and data else data)
        elif not self.send_body:
            return
        elif self.chunked:
            if not data:
                return  # an empty chunk would end the body
            data = chunk(data)
        await self.conn.send(data)

    # Streams of the original picoweb had these names too.
    awritestr = awrite

    async def write_file(self, f, offset=0, count=None):
        """Write `count` bytes (None: to the end) of the open binary file `f`
        from `offset` as the body, zero-copy where the connection can; the
        caller sets Content-Length. Sends the head first; no body for HEAD."""
        from .files import write_file  # on first use: most apps send no files

        await write_file(self, f, offset, count)

    async def upgrade(self, headers=None, status=101):
        """Send the head now (101 Switching Protocols by default, with
        `headers`, after the before_send hooks) and take over the
        connection: returns a stream with `read(n, timeout=None)`,
        `readexactly(n, timeout=None)`, `write(data)` and `close()`. No
        other request follows on it; it closes when the handler returns."""
        from .upgrade import upgrade  # on first use: WebSocket and the like

        return await upgrade(self, headers, status)

    def set_cookie(self, name, value="", **options):
        """Add a Set-Cookie header; options are those of
        `picoweb.cookies.format_set_cookie` (max_age, path, httponly...)."""
        from .cookies import format_set_cookie

        self.headers.add("Set-Cookie", format_set_cookie(name, value, **options))

    def delete_cookie(self, name, path="/", domain=None):
        """Tell the client to drop a cookie."""
        self.set_cookie(name, "", max_age=0, expires=0, path=path, domain=domain)

    async def aclose(self):
        """End the response now and close the connection after it."""
        self.close_after = True
        await self.finish()

    def set_body(self, body, status=None, content_type=None, headers=None):
        """Answer with a whole body (str or bytes), sent with its
        Content-Length once the handler ends; `content_type` replaces the
        Content-Type (None keeps the one set, if any), `headers` (a dict or
        pairs) are set over those already there. Hooks may still change it all."""
        if self.headers_sent:
            raise RuntimeError("the response head is already sent")
        if status is not None:
            self.status = int(status)
        if headers:
            own = self.headers
            for name, value in header_pairs(headers):
                own[name] = value
        if content_type is not None:
            if self._headers is None:
                self._content_type = content_type
            else:
                self._own_headers()._set_known("content-type", "Content-Type", content_type)
        self.body = body.encode() if isinstance(body, str) else body
        self.started = True

    def set_result(self, result):
        """Take a handler's return value: body, (body, status) or
        (body, status, headers); a dict or list body becomes JSON, str and
        bytes are text/html unless a Content-Type was set."""
        if self.headers_sent:
            raise RuntimeError("a handler returned a body after streaming one")
        status = None
        if isinstance(result, tuple):
            if len(result) == 3:
                headers = self.headers
                for name, value in header_pairs(result[2]):
                    headers[name] = value
            status = result[1]
            result = result[0]
        if isinstance(result, (str, bytes, bytearray)):
            content_type = HTML
        elif isinstance(result, (dict, list)):
            result = self.req.app.encode_json(result)
            content_type = "application/json"
        else:
            raise TypeError("a handler returned %r; expected str, bytes, dict, list or a tuple" % type(result))
        if self._headers is not None and "content-type" in self._own_headers():
            content_type = None  # the handler chose one
        self.set_body(result, status, content_type)

    async def finish(self):
        """Send whatever has not been sent: the head, a set body, the last chunk."""
        if self.raw:
            return
        if not self.headers_sent:
            body = self.body or b""
            if self.before_send:
                await self._run_before_send()
            head = self._head(len(body))
            await self.conn.send(head + body if self.send_body and body else head)
        elif self.chunked and self.send_body:
            await self.conn.send(b"0\r\n\r\n")

    async def _run_before_send(self):
        for hook in self.before_send:
            await call(hook, self.req, self)

    def _own_headers(self):
        """`headers`, made a Headers (checked) if a handler put a dict there."""
        headers = self.headers
        if headers.__class__ is not Headers:
            headers = self._headers = Headers(headers)
        return headers

    def settle_head(self, body_length=None):
        """Settle the head this response is to carry and return its Headers
        (`status` is its status): Content-Length for a body of `body_length`
        bytes (None: not known yet), none for a status that has no body,
        and `send_body` (False for HEAD and such statuses). Without HTTP/1's
        hop-by-hop framing (Transfer-Encoding: chunked, Connection), which
        `_head()` adds: a server that frames bodies itself (ASGI) sends it
        as it is. Runs no hook and sends nothing."""
        headers = self._own_headers()
        status = self.status
        if status < 200 or status == 204 or status == 304:
            # No content, so nothing to frame or type (RFC 9110 8.3, 15.3.5, 15.4.5).
            self.send_body = False
            headers.pop("Content-Length")
            headers.pop("Transfer-Encoding")
            headers.pop("Content-Type")
        else:
            self.send_body = self.req.method != "HEAD"
            if body_length is not None:
                headers._set_known("content-length", "Content-Length", str(body_length))
        return headers

    def _head(self, body_length):
        """Settle the framing and serialise the head (hooks have run)."""
        status = self.status
        req = self.req
        if getattr(req.reader, "failed", False):
            # The request body broke its framing (or timed out): the server
            # closes after this response, so say so (RFC 9112 9.6).
            self.close_after = True
        if self._headers is None and body_length is not None and status >= 200 and status != 204 and status != 304:
            # Nobody set a header: the framework's own need no Headers
            # round trip or checks (the common returned body).
            self.send_body = req.method != "HEAD"
            key = (status, self._content_type)
            start = _quick_heads.get(key)
            if start is None:
                start = status_line(status)
                if self._content_type is not None:
                    # set_body() took it unchecked: a CR or LF here would split the head.
                    start += "Content-Type: " + check_header_text(self._content_type) + "\r\n"
                start = (start + "Content-Length: ").encode()
                if len(_quick_heads) < 32:
                    _quick_heads[key] = start
            if self.close_after:
                end = b"\r\nConnection: close\r\n"
            elif req.version == "1.0":
                end = b"\r\nConnection: keep-alive\r\n"
            else:
                end = b"\r\n"
            self.headers_sent = True
            date = httpdate.current
            if date is None:
                date = httpdate.date_line()
            return start + str(body_length).encode() + end + date + b"\r\n"
        headers = self.settle_head(body_length)
        connection = headers.get("Connection")
        if connection and "close" in [token.strip() for token in connection.lower().split(",")]:
            self.close_after = True  # the app said close: RFC 9112 9.6 has us close then
        if body_length is None and status >= 200 and status != 204 and status != 304 and "Content-Length" not in headers:
            if self.req.version == "1.1":
                # Chunked even when the connection closes after: the
                # last chunk tells a complete body from a cut one.
                headers._set_known("transfer-encoding", "Transfer-Encoding", "chunked")
                self.chunked = True
            else:
                self.close_after = True  # the end of the body is the close
        if self.close_after:
            headers._set_known("connection", "Connection", "close")
        elif self.req.version == "1.0":
            headers._set_known("connection", "Connection", "keep-alive")
        date = httpdate.current
        if date is None:
            date = httpdate.date_line()
        if date and "date" not in headers._values:
            headers._set_known("date", "Date", date[6:-2].decode())
        try:
            head = response_head(status, headers.items(), 1)
        except ValueError:
            # A header with CR/LF: nothing was sent, so error handling may
            # still answer, and finish() must not send a lone last chunk.
            self.chunked = False
            raise
        self.headers_sent = True
        return head


def dumps_json(obj):
    """The standard JSON encoding of `obj` (see WebApp.encode_json)."""
    global _encode_json
    if _encode_json is None:
        _encode_json = _json_encoder()
    return _encode_json(obj)


_encode_json = None


def _json_encoder():
    import json

    try:
        from json.encoder import JSONEncoder, c_make_encoder, encode_basestring_ascii
    except ImportError:  # MicroPython's json is all C already
        return json.dumps
    if c_make_encoder is None:
        return json.dumps
    # json.dumps() makes this C encoder anew for every call, which costs
    # more than encoding a small dict; one kept here gives the same text.
    # (No circular-reference check: such a body fails with RecursionError.)
    encode = c_make_encoder(None, JSONEncoder().default, encode_basestring_ascii, None,
                            ": ", ", ", False, False, True)
    return lambda obj: "".join(encode(obj, 0))


def header_pairs(headers):
    """(name, value) pairs of headers given as a dict, pairs, or the
    original picoweb's preformatted "Name: value\\r\\n" text."""
    if isinstance(headers, (str, bytes)):
        return _parse_header_text(headers)
    if hasattr(headers, "items"):
        return headers.items()
    return headers


def _parse_header_text(text):
    # The original's start_response also took preformatted header lines.
    if isinstance(text, bytes):
        text = text.decode()
    pairs = []
    for line in text.split("\n"):
        line = line.strip()
        if line:
            name, sep, value = line.partition(":")
            if not sep:
                raise ValueError("malformed header line %r" % line)
            pairs.append((name.strip(), value.strip()))
    return pairs


async def start_response(resp, content_type=HTML, status="200", headers=None):
    """Set the status, Content-Type and extra headers (a dict, pairs, or
    "Name: value\\r\\n" text) of a streamed response; they are sent with
    the first `await resp.awrite(...)`."""
    resp.status = int(status)
    if content_type:
        resp.headers["Content-Type"] = content_type
    if headers:
        for name, value in header_pairs(headers):
            resp.headers.add(name, value)
    resp.started = True


def __getattr__(name):
    # Helpers most apps never call live in modules imported on first use
    # (pages: error pages and redirects; files: file bodies and MIME types),
    # and are still found here, where they were first defined.
    if name in ("escape_html", "error_page", "error_response", "http_error", "redirect"):
        module = "pages"
    elif name in ("get_mime_type", "sendfile", "sendstream"):
        module = "files"
    else:
        raise AttributeError(name)
    # Not `from . import pages`: MicroPython would ask picoweb.__getattr__.
    return getattr(__import__(module, globals(), None, (name,), 1), name)
