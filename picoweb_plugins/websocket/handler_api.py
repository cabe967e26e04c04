"""`ws`, the WebSocket a handler gets: a Session driven over a stream.

    async def echo(req, ws):
        async for message in ws:      # str or bytes; ends when the client closes
            await ws.send(message)

The stream is any object with the API of what `resp.upgrade()` returns:
`await read(n)` (b"" at its end), `await write(data)`, `close()` (which
ends a read waiting in another task). Reading happens inside `receive()`:
that is also when pings get answered and the client's Close is seen, so a
handler that only sends learns the client left from `send()` raising
ConnectionClosed.

Any task may send while another receives: frames go out whole and in the
order they were queued (one write at a time: MicroPython's streams cannot
take two tasks draining at once).
"""

import asyncio

from .close import ABNORMAL, NORMAL, ConnectionClosed

KEEPALIVE_TIMEOUT = 1011  # the close code when a ping goes unanswered


class WebSocket:
    """`await ws.receive()`, `await ws.send(str or bytes)`, `await
    ws.close(code, reason)`, `async for message in ws`; `ws.subprotocol`
    as negotiated; `ws.closed`, `ws.close_code`, `ws.close_reason`."""

    def __init__(self, stream, session, subprotocol=None, read_size=4096, close_timeout=5):
        self.stream = stream
        self.session = session
        self.subprotocol = subprotocol
        self.read_size = read_size
        self.close_timeout = close_timeout  # seconds to wait for the client's Close
        self.reader = None  # who reads the stream now: "receive", "close" or None
        self.ended = False  # True once a task saw the session closed
        self.end_event = None  # made for a task that waits for the end: most never do
        self.send_lock = asyncio.Lock()

    @property
    def closed(self):
        return self.session.closed

    @property
    def close_code(self):
        return self.session.close_code

    @property
    def close_reason(self):
        return self.session.close_reason

    async def receive(self):
        """The next message: str (text) or bytes (binary). ConnectionClosed
        (with the code) once the client closed, failed or went away."""
        if self.reader == "receive":
            raise RuntimeError("another task is already in receive()")
        session = self.session
        if self.reader == "close":
            # close() reads until the client's Close: no message comes any more.
            await self._wait_ended()
            raise ConnectionClosed(session.close_code, session.close_reason)
        self.reader = "receive"
        try:
            while True:
                message = session.next_message()
                await self._flush()
                if message is not None:
                    return message
                if session.closed:
                    self._set_ended()
                    raise ConnectionClosed(session.close_code, session.close_reason)
                await self._read()
        finally:
            self.reader = None

    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            return await self.receive()
        except ConnectionClosed:
            raise StopAsyncIteration

    async def send(self, data):
        """Send a text (str) or binary (bytes) message; ConnectionClosed
        if the WebSocket is closed or the client is gone."""
        self.session.send_message(data)
        await self._flush()

    async def ping(self, payload=None):
        """Send a ping; `session.ping_payload` is None again once answered."""
        self.session.ping(payload)
        await self._flush()

    async def close(self, code=NORMAL, reason=""):
        """Close with `code` and `reason` (RFC 6455 7.1.2): send our Close,
        wait up to close_timeout for the client's, then end the stream.
        From any task; a receive() waiting elsewhere then raises ConnectionClosed."""
        session = self.session
        session.close(code, reason)
        try:
            await self._flush()
            if not session.closed:
                if self.reader is not None:
                    # That task reads the client's Close; wait for it here.
                    await asyncio.wait_for(self._wait_ended(), self.close_timeout)
                else:
                    self.reader = "close"
                    try:
                        await asyncio.wait_for(self._drain_until_closed(), self.close_timeout)
                    finally:
                        self.reader = None
        except (ConnectionClosed, asyncio.TimeoutError):
            pass
        self.stream.close()  # wakes a read still waiting: it finds the end
        self._set_ended()

    async def keepalive(self, interval, timeout):
        """Run as a task: ping every `interval` seconds and fail the
        connection (1011) when a pong takes more than `timeout`. Pongs are
        read by receive(), so this suits handlers that keep receiving."""
        session = self.session
        try:
            while not session.closed:
                await asyncio.sleep(interval)
                await self.ping()
                await asyncio.sleep(timeout)
                if session.ping_payload is not None and not session.closed:
                    session.fail(KEEPALIVE_TIMEOUT, "keepalive ping timeout")
                    await self._flush()
                    self._set_ended()
                    self.stream.close()
        except ConnectionClosed:
            pass

    def _set_ended(self):
        self.ended = True
        if self.end_event is not None:
            self.end_event.set()

    async def _wait_ended(self):
        if not self.ended:
            if self.end_event is None:
                self.end_event = asyncio.Event()
            await self.end_event.wait()

    async def _drain_until_closed(self):
        session = self.session
        while not session.closed:
            await self._read()
            session.next_message()  # dropped: we are closing
            await self._flush()
        self._set_ended()

    async def _read(self):
        try:
            data = await self.stream.read(self.read_size)
        except (OSError, asyncio.TimeoutError):
            data = b""  # reset by the client: the same as its end of stream
        if data:
            self.session.receive_data(data)
        else:
            self.session.receive_eof()

    async def _flush(self):
        if not self.session.out:
            return  # the usual case after a message: no lock to take
        async with self.send_lock:
            data = self.session.data_to_send()
            if not data:
                return  # another task sent it while this one waited
            try:
                await self.stream.write(data)
            except (OSError, asyncio.TimeoutError):
                self.session.connection_lost()
                self._set_ended()
                self.stream.close()
                raise ConnectionClosed(ABNORMAL, "")
