"""`resp.upgrade()`: a connection handed over to another protocol
(WebSocket and the like) after a 101 head.

Imported on the first upgrade, not with the core.
"""

from .compat import IS_MICROPYTHON, asyncio
from .http1 import response_head


async def upgrade(resp, headers, status):
    if resp.headers_sent:
        raise RuntimeError("the response head is already sent")
    resp.status = status
    if headers:
        own = resp.headers
        for name, value in headers.items() if hasattr(headers, "items") else headers:
            own[name] = value
    if resp.before_send:
        await resp._run_before_send()
    # No framing headers: what follows the head is the new protocol's.
    head = response_head(resp.status, resp.headers.items())
    resp.headers_sent = resp.raw = resp.close_after = True
    await resp.conn.send(head)
    return RawStream(resp.conn)


class RawStream:
    """The bytes of a taken-over connection, both ways; what the client sent
    after the request head is read first."""

    def __init__(self, conn):
        self.conn = conn
        self.closed = False

    async def read(self, size, timeout=None):
        """Up to `size` bytes (at least one), b"" once the client closed;
        asyncio.TimeoutError after `timeout` seconds without any."""
        conn = self.conn
        buf = conn.buf
        if not buf and not self.closed:
            try:
                if not await conn.fill(timeout):
                    return b""
            except OSError:
                return b""
        data = bytes(buf[:size])
        buf[:size] = b""
        return data

    async def readexactly(self, size, timeout=None):
        """Exactly `size` bytes; EOFError if the client closed before."""
        pieces = []
        while size > 0:
            piece = await self.read(size, timeout)
            if not piece:
                raise EOFError("connection closed with %d bytes to come" % size)
            pieces.append(piece)
            size -= len(piece)
        return b"".join(pieces)

    async def write(self, data):
        """Send bytes; OSError (or asyncio.TimeoutError past send_timeout)
        once the client is gone."""
        await self.conn.send(data)

    def close(self):
        """Close the connection (also done when the handler returns); a
        read waiting in another task returns b"" at once."""
        if self.closed:
            return
        self.closed = True
        conn = self.conn
        try:
            conn.writer.close()
        except OSError:
            pass
        # Closing alone wakes a waiting read only once the output left (CPython)
        # or never (MicroPython, whose close() does nothing): wake it here.
        wake = getattr(conn.reader, "feed_eof", None)  # CPython's StreamReader
        if wake is not None:
            wake()
        elif IS_MICROPYTHON:
            # Its socket closes in wait_closed(); a read polling it then
            # raises OSError (EBADF), which read() takes for the end.
            asyncio.create_task(_close_socket(conn.writer))


async def _close_socket(writer):
    try:
        await writer.wait_closed()
    except OSError:
        pass
