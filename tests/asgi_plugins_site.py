"""The WebSocket and SSE plugins' routes that the ASGI server tests run
(`asgi_target:app` with PICOWEB_ASGI_MODULE=asgi_plugins_site) and the
built-in server too: an echo, a handler told how its WebSocket ended, one
that closes with the code its path names, one closed from another task
while it reads, one that fails, one that sends from a task while it
reads, the subprotocol chosen, an Origin allowlist, a message limit of
64 KiB, and a quiet event stream.

PICOWEB_SITE_LOG names a file each process appends what its handlers were
told to ("pid time line"), so a test sees it whichever worker served.
"""

import os
import time

import picoweb
from picoweb.compat import asyncio
from picoweb_plugins.sse import event_stream
from picoweb_plugins.websocket import ConnectionClosed, WebSockets, websocket

MAX_MESSAGE = 65536  # bytes

app = picoweb.WebApp(__name__)
app.install(WebSockets(origins=["https://allowed.example"], subprotocols=["chat.v2", "chat"],
                       max_message_size=MAX_MESSAGE, ping_interval=20))


def note(line):
    path = os.environ.get("PICOWEB_SITE_LOG")
    if path:
        with open(path, "a") as f:
            f.write("%d %.3f %s\n" % (os.getpid(), time.time(), line))


@app.route("/pid")
def pid(req, resp):
    return {"pid": os.getpid()}


@app.route("/echo")
@websocket
async def echo(req, ws):
    async for message in ws:
        await ws.send(message)


@app.route("/told/<name>")
@websocket
async def told(req, ws, name):
    # Receives until the WebSocket ends, then notes how it was told.
    await ws.send("ready")
    try:
        while True:
            await ws.receive()
    except ConnectionClosed as exc:
        note("told %s %d %r closed=%s" % (name, exc.code, exc.reason, ws.closed))
    except asyncio.CancelledError:
        note("told %s cancelled" % name)  # by a server that stopped waiting for it
        raise


@app.route("/close/<int:code>")
@websocket
async def close(req, ws, code):
    await ws.close(code, "closed by the handler")


@app.route("/close-while-reading")
@websocket
async def close_while_reading(req, ws):
    # Another task closes while this one waits in receive(), which then ends.
    async def close_soon():
        await asyncio.sleep(0.1)
        await ws.close(4002, "closed from another task")

    closer = asyncio.create_task(close_soon())
    try:
        await ws.receive()
    except ConnectionClosed:
        note("close-while-reading: receive() ended")
    await closer


@app.route("/fail")
@websocket
async def fail(req, ws):
    await ws.receive()
    raise RuntimeError("the handler failed on purpose")


@app.route("/subprotocol")
@websocket
async def subprotocol(req, ws):
    await ws.send(repr(ws.subprotocol))


@app.route("/sender/<name>")
@websocket
async def sender(req, ws, name):
    # Sends from a task of its own while this one reads: a read is where
    # the client's leaving is seen on every server (a send to a client
    # gone fails under uvicorn only).
    async def ticks():
        count = 0
        try:
            while True:
                await ws.send("tick %d" % count)
                count += 1
                await asyncio.sleep(0.02)
        except ConnectionClosed:
            pass

    ticker = asyncio.create_task(ticks())
    try:
        async for _ in ws:
            pass
    finally:
        ticker.cancel()
    note("sender %s told %d" % (name, ws.close_code))


@app.route("/quiet-events")
@event_stream(keepalive=0.1)
async def quiet_events(req, stream):
    # One event, then nothing: the keep-alive comment finds the client gone.
    await stream.send("hello", id=1)
    try:
        await asyncio.sleep(30)
    finally:
        note("quiet events %s closed=%s" % (req.qs, stream.closed))  # False: cancelled by the server
