"""Drive an app in-process through the same parser, dispatch and
serialisation as the server, over memory streams instead of a socket."""

from .compat import decode_header
from .headers import Headers
from .http1 import find_head_end
from .server import Connection


class MemoryReader:
    """A stream reader over fixed bytes, handed out in `chunk`-sized reads."""

    def __init__(self, data, chunk=65536):
        self.data = data
        self.pos = 0
        self.chunk = chunk

    async def read(self, size=-1):
        if size < 0:
            size = len(self.data)
        size = min(size, self.chunk)
        piece = self.data[self.pos:self.pos + size]
        self.pos += len(piece)
        return piece


class MemoryWriter:
    """A stream writer that keeps everything written to it."""

    def __init__(self):
        self.out = bytearray()
        self.closed = False

    def write(self, data):
        self.out += data

    async def drain(self):
        pass

    def close(self):
        self.closed = True

    async def wait_closed(self):
        pass

    def get_extra_info(self, name):
        return ("127.0.0.1", 0) if name == "peername" else None


class TestResponse:
    """One parsed response: `status`, `headers`, `body`, `text`, `json()`."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode()

    def json(self):
        import json

        return json.loads(self.body)

    def __repr__(self):
        return "<TestResponse %d, %d bytes>" % (self.status, len(self.body))


def parse_responses(data, head_requests=()):
    """Split raw server output into TestResponses. `head_requests` holds
    the indexes of responses that answer HEAD (they carry no body)."""
    buf = bytearray(data)
    responses = []
    while buf:
        line_end = buf.find(b"\n")
        found = find_head_end(buf, line_end)
        if line_end < 0 or found is None:
            raise ValueError("truncated response head: %r" % bytes(buf[:200]))
        status = int(bytes(buf[:line_end]).split(b" ")[1])
        headers = Headers()
        for line in bytes(buf[line_end + 1:found[0]]).split(b"\n"):
            name, _, value = decode_header(line.rstrip(b"\r")).partition(":")
            if name:
                headers.add(name, value.strip())
        buf[:found[1]] = b""
        if status < 200 or status in (204, 304) or len(responses) in head_requests:
            body = b""
        elif headers.get("transfer-encoding") == "chunked":
            from .chunked import ChunkedDecoder

            decoder = ChunkedDecoder(len(buf) + 1, 1 << 20)
            pieces = []
            while True:
                piece = decoder.next_data(buf, len(buf) + 1)
                if not piece:
                    break
                pieces.append(piece)
            if piece is not None:
                raise ValueError("truncated chunked body")
            body = b"".join(pieces)
        elif "content-length" in headers:
            length = int(headers["content-length"])
            if len(buf) < length:
                raise ValueError("truncated body")
            body = bytes(buf[:length])
            buf[:length] = b""
        else:
            body = bytes(buf)
            buf[:] = b""
        if status >= 200:  # a 100 Continue precedes the real answer
            responses.append(TestResponse(status, headers, body))
    return responses


class TestClient:
    """`await client.get("/")` and friends return a TestResponse.

    Each call is one connection; `raw(bytes)` sends anything (several
    pipelined requests, malformed input) and returns the raw output.
    """

    __test__ = False  # not a pytest test class

    def __init__(self, app, lazy_init=False):
        self.app = app
        self.lazy_init = lazy_init

    async def raw(self, data, chunk=65536):
        """Feed `data` as one client connection; return all the server wrote."""
        await self.app.start(self.lazy_init)
        writer = MemoryWriter()
        await Connection(self.app, MemoryReader(data, chunk), writer).serve()
        return bytes(writer.out)

    async def request(self, method, path, body=b"", headers=None, chunk=65536):
        if isinstance(body, str):
            body = body.encode()
        lines = ["%s %s HTTP/1.1" % (method, path), "Host: testclient"]
        headers = Headers(headers)
        if body and "content-length" not in headers and "transfer-encoding" not in headers:
            headers["Content-Length"] = len(body)
        for name, value in headers.items():
            lines.append("%s: %s" % (name, value))
        lines.append("Connection: close")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        out = await self.raw(data, chunk)
        responses = parse_responses(out, (0,) if method == "HEAD" else ())
        if len(responses) != 1:
            raise AssertionError("expected one response, got %d: %r" % (len(responses), out[:300]))
        return responses[0]

    async def get(self, path, **kwargs):
        return await self.request("GET", path, **kwargs)

    async def head(self, path, **kwargs):
        return await self.request("HEAD", path, **kwargs)

    async def post(self, path, body=b"", **kwargs):
        return await self.request("POST", path, body, **kwargs)

    async def put(self, path, body=b"", **kwargs):
        return await self.request("PUT", path, body, **kwargs)

    async def delete(self, path, **kwargs):
        return await self.request("DELETE", path, **kwargs)
