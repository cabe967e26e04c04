"""CPython's faster path: an asyncio.Protocol in place of asyncio streams.

The same Connection loop (parser, dispatch, serialisation) runs over it;
only the I/O differs. StreamReader/StreamWriter cost a buffer copy and a
Task per timed read (wait_for); here bytes from data_received wait in a
list, a read that finds them returns at once, and a read that must wait
only notes its deadline: one sweep a fraction of a second apart times out
every overdue read. MicroPython has no Protocol: it uses streams.
"""

import asyncio
from asyncio import Future
from time import monotonic


class ProtocolStream(asyncio.Protocol):
    """Reader and writer of one connection, as the Connection uses them."""

    def __init__(self, accept, streams, buffer_limit):
        self.accept = accept  # coroutine function (reader, writer) serving it
        self.streams = streams  # every open one, for the sweep
        self.buffer_limit = buffer_limit  # unread input past this pauses reading
        self.transport = None
        self.deadline = None  # time.monotonic() when the pending read times out
        self.chunks = []
        self.buffered = 0
        self.eof = False
        self.lost = None  # set once the connection is gone
        self.read_waiter = None
        self.drain_waiter = None
        self.reading_paused = False
        self.writing_paused = False

    # asyncio.Protocol callbacks

    def connection_made(self, transport):
        self.transport = transport
        self.loop = asyncio.get_running_loop()
        self.streams.add(self)
        self.loop.create_task(self.accept(self, self))

    def data_received(self, data):
        self.chunks.append(data)
        self.buffered += len(data)
        if self.buffered > self.buffer_limit and not self.reading_paused:
            self.reading_paused = True
            self.transport.pause_reading()
        waiter = self.read_waiter  # _wake_reader(), inlined: once per request
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def eof_received(self):
        self.eof = True
        self._wake_reader()
        # Keep the transport open: a client that half-closed still gets its
        # answer (a 400 for a body cut short); the Connection closes it.
        # TLS has no half-close (asyncio warns at a True there).
        return self.transport.get_extra_info("sslcontext") is None

    def connection_lost(self, exc):
        self.streams.discard(self)
        self.eof = True
        self.lost = exc or ConnectionResetError("connection lost")
        self._wake_reader()
        waiter = self.drain_waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(self.lost)

    def pause_writing(self):
        self.writing_paused = True

    def resume_writing(self):
        self.writing_paused = False
        waiter = self.drain_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # The reader side

    async def read(self, size=-1):
        """What has arrived (at least one byte), or b"" at end of stream."""
        return await self.read_within(size, None)

    async def read_within(self, size, timeout):
        """As read(), but raise asyncio.TimeoutError after `timeout` seconds."""
        if not self.chunks and not self.eof:
            # Future() and monotonic() directly: the loop's own methods add a
            # Python call each to every request.
            waiter = Future(loop=self.loop)
            self.read_waiter = waiter
            self.deadline = None if timeout is None else monotonic() + timeout
            try:
                await waiter
            finally:
                self.read_waiter = None
        return self._take(size)

    def expire(self, now):
        """Time out the pending read if its deadline has passed."""
        waiter = self.read_waiter
        if waiter is not None and self.deadline is not None and now >= self.deadline and not waiter.done():
            waiter.set_exception(asyncio.TimeoutError())

    def _take(self, size):
        chunks = self.chunks
        if not chunks:
            return b""
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        if 0 <= size < len(data):
            self.chunks = [data[size:]]
            data = data[:size]
        else:
            self.chunks = []
        self.buffered -= len(data)
        if self.reading_paused and self.buffered <= self.buffer_limit:
            self.reading_paused = False
            self.transport.resume_reading()
        return data

    def _wake_reader(self):
        waiter = self.read_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # The writer side

    def write(self, data):
        if self.lost is not None:
            raise self.lost  # as drain() would: the caller skips it when it can
        self.transport.write(data)

    def must_drain(self):
        """True when the socket's buffer is full: only then does drain() wait.
        Also once a send failed (closing): drain() then lets connection_lost()
        run and raises, so a handler writing in a loop learns the client left."""
        return self.writing_paused or self.transport.is_closing()

    async def drain(self):
        if self.lost is None and self.transport.is_closing():
            # A failed send closed the transport and queued connection_lost():
            # yield so that it runs (as StreamWriter.drain does), or a handler
            # writing below the high-water mark never learns the client left.
            await asyncio.sleep(0)
        if self.lost is not None:
            raise self.lost
        if self.writing_paused:
            self.drain_waiter = self.loop.create_future()
            try:
                await self.drain_waiter
            finally:
                self.drain_waiter = None

    def get_extra_info(self, name, default=None):
        return self.transport.get_extra_info(name, default)

    def close(self):
        self.transport.close()
        # connection_lost() waits for buffered output to leave: a read
        # still waiting (an upgraded connection's) ends now.
        self.eof = True
        self._wake_reader()

    async def wait_closed(self):
        pass


class ProtocolServer:
    """The listening server and its timeout sweep, closed together."""

    def __init__(self, server, sweep):
        self.server = server
        self.sockets = server.sockets
        self.sweep = sweep

    def close(self):
        self.sweep.cancel()
        self.server.close()


async def _sweep(streams, limits):
    while True:
        # A quarter of the shortest read timeout: timeouts fire at most 25% late.
        shortest = min(limits.idle_timeout, limits.head_timeout, limits.read_timeout)
        await asyncio.sleep(max(0.01, min(1.0, shortest / 4)))
        now = monotonic()
        for stream in list(streams):
            stream.expire(now)


async def start_server(accept, host, port, limits, sock=None, ssl=None, log=None):
    """Listen with ProtocolStream connections (on `sock` if given, with TLS
    if `ssl` is an SSLContext); returns a ProtocolServer."""
    loop = asyncio.get_running_loop()
    streams = set()

    def serving():
        return ProtocolStream(accept, streams, limits.read_buffer)

    if ssl is None:
        server = await loop.create_server(serving, host, port, sock=sock)
    else:
        from .tls import start_server as start_tls_server

        server = await start_tls_server(serving, host, port, sock, ssl, limits, log)
    return ProtocolServer(server, loop.create_task(_sweep(streams, limits)))
