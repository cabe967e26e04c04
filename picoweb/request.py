"""The request object handed to handlers, and the bounded body stream."""

from .compat import IS_MICROPYTHON
from .errors import HTTPError
from .headers import Headers
from .response import Response


class BodyReader:
    """Reads one request's body, and never past it into the next request.

    `length` is the Content-Length, or None for a chunked body; in the
    "leave" header mode (`raw=True`) it reads the rest of the stream as is.
    The body limit (`limit`, in bytes) is enforced here and only here:
    lower it with `limit_to()`.
    """

    def __init__(self, conn, limits, length=0, chunked=False, raw=False, limit=None):
        self.conn = conn
        self.limits = limits
        self.length = length
        self.remaining = length or 0
        self.decoder = None
        if chunked:
            from .chunked import ChunkedDecoder  # on first use: most bodies are not

            self.decoder = ChunkedDecoder(limits.max_chunk_line, limits.max_trailers)
        self.raw = raw
        self.limit = None
        self.received = 0
        self.finished = not (chunked or raw or length)
        self.failed = False  # the body broke its framing: the connection must end
        if limit is not None:
            self.limit_to(limit)
        self.hard_limit = self.limit  # the route's: past it the body is not even skipped

    def limit_to(self, size):
        """Lower the body limit to `size` bytes: HTTPError 413 at once if the
        Content-Length says more, else as soon as more arrives."""
        if self.finished:
            return  # nothing more to read, and NO_BODY is shared: leave it be
        if self.limit is None or size < self.limit:
            self.limit = size
        if self.length and self.length > self.limit:
            raise HTTPError(413)

    async def read(self, size=-1):
        """Up to `size` bytes (all that is left for -1); b"" at the end."""
        if size < 0:
            pieces = []
            while not self.finished:
                pieces.append(await self.read(self.limits.body_read_size))
            return b"".join(pieces)
        while not self.finished:
            data = self._take(size)
            if data or self.finished:
                return data
            # A large body in larger reads: fewer pieces for read() to join.
            limits = self.limits
            fill = min(self.remaining, limits.body_read_size) if self.remaining else limits.body_read_size
            try:
                more = await self.conn.fill_for_body(limits.read_timeout, max(fill, limits.read_size))
            except HTTPError:
                self.failed = True  # timed out: where the body ends is unknown
                raise
            if not more:
                if self.raw:
                    self.finished = True
                    break
                self.failed = True
                raise HTTPError(400, "request body ended early")
        return b""

    async def readexactly(self, size):
        pieces = []
        while size > 0:
            piece = await self.read(size)
            if not piece:
                raise EOFError("request body ended before %d more bytes" % size)
            pieces.append(piece)
            size -= len(piece)
        return b"".join(pieces)

    async def readline(self):
        """One line with its b"\\n", or what is left at the end of the body."""
        line = b""
        while not line.endswith(b"\n"):
            piece = await self.read(1)
            if not piece:
                break
            line += piece
        return line

    def _take(self, size):
        buf = self.conn.buf
        if self.decoder is not None:
            try:
                data = self.decoder.next_data(buf, size)
            except HTTPError:
                self.failed = True
                raise
            if data is None:
                self.finished = True
                return b""
        else:
            if self.raw:
                take = min(size, len(buf))
            else:
                take = min(size, len(buf), self.remaining)
                self.remaining -= take
                if not self.remaining:
                    self.finished = True
            data = bytes(buf[:take])
            buf[:take] = b""
        if self.length is None:
            # Only a body without a Content-Length can outgrow its limit here.
            self.received += len(data)
            if self.limit is not None and self.received > self.limit:
                if self.received > self.hard_limit:
                    self.failed = True
                raise HTTPError(413)
        return data



# The reader of every request without a body: it is finished, so it
# never touches a connection, and nothing ever changes it.
NO_BODY = BodyReader(None, None)

_NO_HEADERS = Headers()  # until the head is parsed (each request gets its own then)


class Request:
    """What the client asked for.

    `path` is percent-decoded and relative to the mount point of the app
    serving it; `prefix` is that mount point ("" at the root). `qs` is the
    raw query string, `headers` a case-insensitive `Headers`, `params` the
    path parameters, `url_match` the match of a regex route, `reader` the
    body stream, `client_addr` the peer's (host, port), `scheme` "http" or
    "https" (served over TLS).
    """

    # Defaults most requests keep, as class attributes: fewer stores per
    # request, and a smaller instance on MicroPython's heap.
    url_match = None
    route = None
    prefix = ""
    scheme = "http"  # "https" when served over TLS (set per connection)
    app = None  # the app serving it now: the root, then each mounted one
    scheme = "http"  # "https" when it came over TLS
    limits = None  # the Limits of the app it was resolved to
    reader = None
    keep_alive = False
    content_length = None
    hops = ()  # (app, prefix, path) of each app from the root to the mounted one serving it
    level = 0  # the index in hops of the app serving it now
    route_error = None  # the router's 404 or 405, raised once the hooks have run
    response_class = Response  # what answers it; plugins' extensions may subclass both
    _body = None
    _args = None
    _cookies = None
    headers = _NO_HEADERS  # until the head is parsed
    params = {}  # never changed: a resolved request gets its own
    max_body = 0  # the route's max_body or the app's limit (see WebApp.new_request)

    def __init__(self, method, path, qs, minor, client_addr=None):
        self.method = method
        self.path = path
        self.qs = qs
        self.version = "1.1" if minor else "1.0"
        self.client_addr = client_addr

    async def read_body(self, max_size=None):
        """The whole body as bytes, at most `max_size` (default: the app's
        limit, or the route's `max_body`), else HTTPError 413."""
        if self._body is None:
            if max_size is not None:
                self.reader.limit_to(max_size)
            self._body = await self.reader.read()
        return self._body

    @property
    def args(self):
        """The query string as a MultiDict (parsed on first use):
        `req.args.get("q")`, `req.args.getlist("tag")`; a missing
        `req.args["q"]` is a 400, a malformed escape too."""
        if self._args is None:
            from .urlencoded import parse_urlencoded

            qs = self.qs
            self._args = parse_urlencoded(qs, len(qs) + 1, len(qs) + 1)
            self._args.missing = "missing query parameter %r"
        return self._args

    @property
    def cookies(self):
        """The Cookie header as a dict (parsed on first use)."""
        if self._cookies is None:
            from .cookies import parse_cookies

            self._cookies = parse_cookies(self.headers.get("cookie", ""))
        return self._cookies

    def __repr__(self):
        from .logs import loggable  # reprs end up in log lines

        return "<Request %s %s>" % (loggable(self.method), loggable(self.prefix + self.path))


if not IS_MICROPYTHON:
    # CPython only: a board's heap has no room for the courtesy.
    from .plugin_hints import add_plugin_hints

    add_plugin_hints(Request)
