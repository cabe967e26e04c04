"""The websocket plugin on the MicroPython unix port: examples/
example_ws_echo.py and example_chat.py served by `micropython`, with the
`websockets` library and the raw frames of tests/test_websocket.py (the
CPython suite, whose helpers these are) as clients."""

import asyncio
import json
import os

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError, InvalidStatus

from mpserver import EXAMPLES
from test_websocket import FAILURES, RawClient, abort, echo_once, example_ws_echo, run, ws_url

# An example imported and served with app.run(): run() logs the "Running
# on" line the launcher reads (debug=0: requests and errors, as on a board).
IMPORT_AND_RUN = """\
import {module} as m
m.app.run(debug=0)
"""


def serve_example(mp_server, module, **options):
    return mp_server(source=IMPORT_AND_RUN.format(module=module), cwd=EXAMPLES, path=[EXAMPLES], **options)


def test_echo_on_the_micropython_unix_port(mp_server):
    # A 900 KiB message is on the heap several times at its peak (compressed,
    # inflated, as text, framed back): 8 MiB is enough only when it is not
    # fragmented; 16 MiB leaves room (the 1 MiB limit is for CPython, not boards).
    server = serve_example(mp_server, "example_ws_echo", heapsize="16M")
    text = "é" * (450 * 1024)
    binary = os.urandom(900 * 1024)

    async def client(compression):
        async with connect(ws_url(server), compression=compression, max_size=None) as ws:
            for message in ("hi", b"\x00\xff", text, binary):
                await ws.send(message)  # deflated by the client: the port inflates
                assert await ws.recv() == message
            await ws.send(["frag", "ments"])
            assert await ws.recv() == "fragments"
            await asyncio.wait_for(await ws.ping(b"p"), 5)
            await ws.send(b"x" * (example_ws_echo.MAX_MESSAGE + 1))
            with pytest.raises(ConnectionClosedError) as closed:
                await ws.recv()
            assert closed.value.rcvd.code == 1009

    async def invalid_text():
        async with connect(ws_url(server)) as ws:
            await ws.send(b"\xff", text=True)
            with pytest.raises(ConnectionClosedError) as closed:
                await ws.recv()
            assert closed.value.rcvd.code == 1007

    run(client("deflate"), 60)
    run(client(None), 60)
    run(invalid_text())
    with pytest.raises(InvalidStatus) as refused:
        run(echo_once(server, "x", origin="https://evil.example"))
    assert refused.value.response.status_code == 403
    for what, data, code in FAILURES:
        client = RawClient(server.port)
        client.sock.sendall(data)
        assert client.close_code() == code, what
    for _ in range(3):
        abort(RawClient(server.port).sock)
    assert run(echo_once(server, "still serving")) == "still serving"
    assert server.alive(), server.collect()


def test_chat_on_the_micropython_unix_port(mp_server):
    server = serve_example(mp_server, "example_chat")

    async def client():
        async with connect(ws_url(server, "/chat")) as alice:
            me = json.loads(await alice.recv())["you"]
            assert json.loads(await alice.recv()) == {"system": me + " joined"}
            async with connect(ws_url(server, "/chat")) as bob:
                bob_name = json.loads(await bob.recv())["you"]
                assert json.loads(await alice.recv()) == {"system": bob_name + " joined"}
                assert json.loads(await bob.recv()) == {"system": bob_name + " joined"}
                await bob.send("hello, ünïcode")
                for ws in (alice, bob):
                    assert json.loads(await ws.recv()) == {"name": bob_name, "text": "hello, ünïcode"}
            assert json.loads(await alice.recv()) == {"system": bob_name + " left"}

    run(client())
    assert server.alive(), server.collect()
