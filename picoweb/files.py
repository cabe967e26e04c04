"""Files as response bodies: `resp.write_file()`, `sendfile`, `sendstream`
and the MIME type of a file name.

Imported on the first file sent (or MIME type asked), not with the core.
"""

from .compat import IS_MICROPYTHON
from .response import HTML, start_response

# Bytes read per write when a file body cannot go zero-copy.
_FILE_BUF_SIZE = 512 if IS_MICROPYTHON else 65536


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
