"""`ws`, the handler's WebSocket, over an in-memory stream with the stream
API of `resp.upgrade()`, a wsproto client at the other end:
messages, iteration, the closing handshake either way, a client that goes
away, keep-alive pings, protocol errors."""

import asyncio

import pytest

import wsproto.events as wse
from picoweb_plugins.websocket.close import ConnectionClosed
from picoweb_plugins.websocket.handler_api import WebSocket
from picoweb_plugins.websocket.session import Session
from wsproto import ConnectionType
from wsproto.connection import Connection


class MemoryStream:
    """The server's end: read() waits for what the client sent."""

    def __init__(self):
        self.incoming = bytearray()
        self.arrived = asyncio.Event()
        self.ended = False
        self.closed = False
        self.written = bytearray()
        self.broken = False  # writes fail, as to a client that reset the connection

    def feed(self, data):
        self.incoming += data
        self.arrived.set()

    def feed_eof(self):
        self.ended = True
        self.arrived.set()

    async def read(self, size, timeout=None):
        while not self.incoming and not self.ended and not self.closed:
            self.arrived.clear()
            await self.arrived.wait()
        data = bytes(self.incoming[:size])
        del self.incoming[:size]
        return data

    async def write(self, data):
        if self.broken:
            raise ConnectionResetError("reset by peer")
        self.written += data

    def close(self):
        self.closed = True
        self.arrived.set()


class Client:
    """A wsproto client past its handshake, wired to a MemoryStream."""

    def __init__(self, stream):
        self.stream = stream
        self.ws = Connection(ConnectionType.CLIENT)

    def send(self, event):
        self.stream.feed(self.ws.send(event))

    def events(self):
        self.ws.receive_data(bytes(self.stream.written))
        self.stream.written.clear()
        return list(self.ws.events())


def pair(close_timeout=1):
    stream = MemoryStream()
    ws = WebSocket(stream, Session(1 << 16), subprotocol="chat", close_timeout=close_timeout)
    return ws, Client(stream), stream


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 5))


def test_echo_until_the_client_closes():
    async def main():
        ws, client, stream = pair()

        async def echo():
            async for message in ws:
                await ws.send(message)

        handler = asyncio.ensure_future(echo())
        client.send(wse.TextMessage("h\u00e9"))
        client.send(wse.BytesMessage(b"\x00\x01"))
        client.send(wse.CloseConnection(1000, "done"))
        await handler
        events = client.events()
        assert [type(event) for event in events] == [wse.TextMessage, wse.BytesMessage, wse.CloseConnection]
        assert events[0].data == "h\u00e9" and events[1].data == b"\x00\x01"
        assert ws.closed and (ws.close_code, ws.close_reason) == (1000, "done")
        assert ws.subprotocol == "chat"

    run(main())


def test_server_close_waits_for_the_clients_close():
    async def main():
        ws, client, stream = pair()
        closing = asyncio.ensure_future(ws.close(4000, "bye"))
        await asyncio.sleep(0.01)
        [event] = client.events()
        assert (event.code, event.reason) == (4000, "bye")
        assert not closing.done()
        client.send(event.response())
        await closing
        assert ws.closed and stream.closed

    run(main())


def test_server_close_gives_up_after_close_timeout():
    async def main():
        ws, client, stream = pair(close_timeout=0.05)
        await ws.close()  # the client never answers
        assert stream.closed and client.events()[0].code == 1000
        with pytest.raises(ConnectionClosed):
            await ws.send("late")

    run(main())


def test_close_while_another_task_receives():
    async def main():
        ws, client, stream = pair()
        receiver = asyncio.ensure_future(ws.receive())
        await asyncio.sleep(0.01)
        closing = asyncio.ensure_future(ws.close(1001))
        await asyncio.sleep(0.01)
        [event] = client.events()
        client.send(event.response())
        await closing
        with pytest.raises(ConnectionClosed) as caught:
            await receiver
        assert caught.value.code == 1001

    run(main())


def test_client_gone_without_close_is_1006():
    async def main():
        ws, client, stream = pair()
        client.send(wse.TextMessage("last words"))
        stream.feed_eof()
        assert await ws.receive() == "last words"
        with pytest.raises(ConnectionClosed) as caught:
            await ws.receive()
        assert caught.value.code == 1006
        messages = [message async for message in ws]
        assert messages == []

    run(main())


def test_send_to_a_reset_connection_raises_connection_closed():
    async def main():
        ws, client, stream = pair()
        stream.broken = True
        with pytest.raises(ConnectionClosed) as caught:
            await ws.send("anyone?")
        assert caught.value.code == 1006 and ws.closed

    run(main())


def test_protocol_error_fails_the_connection():
    async def main():
        ws, client, stream = pair()
        stream.feed(b"\x81\x05Hello")  # unmasked: no client may send that
        with pytest.raises(ConnectionClosed) as caught:
            await ws.receive()
        assert caught.value.code == 1002
        [event] = client.events()
        assert event.code == 1002

    run(main())


def test_keepalive_fails_a_silent_client():
    async def main():
        ws, client, stream = pair()
        keepalive = asyncio.ensure_future(ws.keepalive(0.01, 0.05))
        with pytest.raises(ConnectionClosed) as caught:
            await ws.receive()  # pings go out; no pong comes back
        assert caught.value.code == 1011
        events = client.events()
        assert isinstance(events[0], wse.Ping) and events[-1].code == 1011
        await keepalive

    run(main())


def test_keepalive_kept_by_pongs():
    async def main():
        ws, client, stream = pair()
        keepalive = asyncio.ensure_future(ws.keepalive(0.01, 0.03))
        receiver = asyncio.ensure_future(ws.receive())
        pings = 0
        for _ in range(20):
            await asyncio.sleep(0.01)
            for event in client.events():
                if isinstance(event, wse.Ping):
                    pings += 1
                    client.send(event.response())
        assert pings >= 3 and not ws.closed
        keepalive.cancel()
        client.send(wse.TextMessage("still here"))
        assert await receiver == "still here"

    run(main())


def test_one_receiver_at_a_time():
    async def main():
        ws, client, stream = pair()
        first = asyncio.ensure_future(ws.receive())
        await asyncio.sleep(0.01)
        with pytest.raises(RuntimeError):
            await ws.receive()
        client.send(wse.TextMessage("for the first"))
        assert await first == "for the first"

    run(main())

