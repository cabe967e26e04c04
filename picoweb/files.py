"""Files as response bodies: `resp.write_file()`, `sendfile`, `sendstream`,
the MIME type of a file name, and (CPython) the connection's zero-copy
sending.

Imported on the first file sent (or MIME type asked), not with the core
(on CPython, with the server: see send_zero_copy).
"""

from .compat import IS_MICROPYTHON, asyncio
from .response import HTML, start_response

# Bytes read per write when a file body cannot go zero-copy.
_FILE_BUF_SIZE = 512 if IS_MICROPYTHON else 65536
_SENDFILE_PIECE = 1 << 20  # bytes per loop.sendfile() call


async def write_file(resp, f, offset=0, count=None):
    """`resp.write_file()`: the open binary file `f` as the body."""
    if not resp.headers_sent:
        if resp.before_send:
            await resp._run_before_send()
        await resp.conn.send(resp._head(None))
    if not resp.send_body or count == 0:
        return
    sent = None
    send_zero_copy = getattr(resp.conn, "send_zero_copy", None)
    if send_zero_copy is not None and not resp.chunked:
        sent = await send_zero_copy(f, offset, count)
    if sent is None:  # no zero-copy here: one small buffer, reused
        f.seek(offset)
        buf = bytearray(_FILE_BUF_SIZE)
        view = memoryview(buf)
        sent = 0
        while count is None or sent < count:
            left = len(buf) if count is None else min(len(buf), count - sent)
            size = f.readinto(view[:left])
            if not size:
                break
            # A copy: the writer may keep what it was given after drain.
            await resp.awrite(bytes(view[:size]))
            sent += size
    if count is not None and sent < count:
        resp.close_after = True  # the file shrank: the framing is broken


_MIME_TYPES = {
    "html": HTML, "htm": HTML, "css": "text/css", "js": "text/javascript",
    "json": "application/json", "txt": "text/plain; charset=utf-8",
    "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
    "gif": "image/gif", "svg": "image/svg+xml", "ico": "image/x-icon",
    "webp": "image/webp", "wasm": "application/wasm", "xml": "application/xml",
    "pdf": "application/pdf", "mp4": "video/mp4", "woff2": "font/woff2",
}


def get_mime_type(fname):
    """A Content-Type for a file name, by its extension."""
    return _MIME_TYPES.get(fname.rpartition(".")[2].lower(), "application/octet-stream")


async def sendstream(resp, f, buf_size=512):
    """Copy an open binary file to the response with one small fixed buffer."""
    buf = bytearray(buf_size)
    view = memoryview(buf)
    while True:
        count = f.readinto(buf)
        if not count:
            break
        await resp.awrite(bytes(view[:count]))


async def sendfile(resp, path, content_type=None, headers=None):
    """Stream the file at `path` (404 if there is none) with a known length."""
    import os

    try:
        size = os.stat(path)[6]
        f = open(path, "rb")
    except OSError:
        from .pages import http_error

        await http_error(resp, 404)
        return
    try:
        await start_response(resp, content_type or get_mime_type(path), 200, headers)
        resp.headers["Content-Length"] = str(size)
        await resp.write_file(f, 0, size)
    finally:
        f.close()


async def send_zero_copy(conn, f, offset, count):
    """Connection.send_zero_copy() on CPython, whose loop.sendfile() this
    is: send `count` bytes (None: to the end) of the binary file `f` from
    `offset` zero-copy; the bytes sent, or None (nothing sent) where the
    writer or transport cannot (memory streams, TLS)."""
    transport = getattr(conn.writer, "transport", None)
    if transport is None:
        return None
    if transport.is_closing():
        conn.lost = ConnectionResetError("connection closed while sending a file")
        raise conn.lost
    loop = asyncio.get_running_loop()
    sent = 0
    while count is None or sent < count:
        # In pieces, so send_timeout bounds each stall of a slow reader
        # rather than the whole file.
        piece = _SENDFILE_PIECE if count is None else min(_SENDFILE_PIECE, count - sent)
        try:
            done = await asyncio.wait_for(
                loop.sendfile(transport, f, offset + sent, piece, fallback=False),
                conn.limits.send_timeout)
        except (NotImplementedError, RuntimeError):
            # SendfileNotAvailableError (a RuntimeError) or, for transports
            # such as TLS, a plain RuntimeError: raised before any byte is sent.
            if sent:
                raise
            return None
        except (OSError, asyncio.TimeoutError) as exc:
            conn.lost = exc  # as in Connection.send()
            raise
        if not done:
            break
        sent += done
    return sent
