"""WebSocket load and memory on CPython: picoweb's echo
(bench/servers/picoweb_ws.py, the websocket plugin) with many connections
open at once, each echoing messages, and the server's RSS per idle
WebSocket; where the MicroPython unix port is installed, also its heap per
idle WebSocket. The client is the `websockets` library, in this process.

    python bench/websocket.py                 # 500 connections x 20 messages, 1000 idle
    python bench/websocket.py --smoke         # seconds: proves it works
    python bench/websocket.py --json out.json # run.py reads the rows from there

Each row starts a fresh server on a free port, pinned to one core; this
client pins itself to the other. Nothing here passes or
fails on speed: the exit status is 1 only when a message went wrong.
"""

import argparse
import asyncio
import json
import os
import sys
import time

import catalog
import procs
from websockets.asyncio.client import connect

BENCH = catalog.BENCH
FULL = {"connections": 500, "messages": 20, "idle": 1000}
SMOKE = {"connections": 50, "messages": 5, "idle": 50}
MESSAGE_SIZE = 100  # bytes of text per message: a chat line, compressible
OPENING = 64  # handshakes in flight at once (the listen backlog is 100)
TRANSPORTS = ("protocol", "streams")


def server_for(transport):
    variant = "streams" if transport == "streams" else None
    return catalog.Server("picoweb-ws-" + transport, "picoweb_ws.py", "picoweb WebSocket echo", variant)


async def open_all(url, count, compression):
    """`count` WebSockets to `url`, opened at most OPENING at a time; (sockets, failures)."""
    gate = asyncio.Semaphore(OPENING)
    failures = []

    async def one():
        async with gate:
            try:
                return await connect(url, compression=compression, ping_interval=None,
                                     open_timeout=30, max_size=None)
            except Exception as exc:
                failures.append("open: %r" % exc)
                return None

    sockets = await asyncio.gather(*[one() for _ in range(count)])
    return [ws for ws in sockets if ws is not None], failures


async def close_all(sockets):
    await asyncio.gather(*[ws.close() for ws in sockets], return_exceptions=True)


async def echo_load(url, connections, messages, compression):
    """Every connection open at once, then each echoing `messages` messages
    concurrently with the others; the wall times and every failure."""
    started = time.monotonic()
    sockets, failures = await open_all(url, connections, compression)
    opened = time.monotonic()

    async def echo(index, ws):
        for number in range(messages):
            text = ("%d/%d " % (index, number)).ljust(MESSAGE_SIZE, "x")
            try:
                await ws.send(text)
                answer = await asyncio.wait_for(ws.recv(), 30)
            except Exception as exc:
                failures.append("echo: %r" % exc)
                return
            if answer != text:
                failures.append("echo: wrong answer on connection %d" % index)
                return

    await asyncio.gather(*[echo(index, ws) for index, ws in enumerate(sockets)])
    echoed = time.monotonic()
    await close_all(sockets)
    return {"connections": connections, "open": len(sockets), "messages": messages,
            "compression": compression or "none", "open_s": round(opened - started, 2),
            "echo_s": round(echoed - opened, 2),
            "messages_per_s": round(len(sockets) * messages / max(echoed - opened, 1e-9)),
            "errors": len(failures), "first_errors": failures[:3]}


async def idle_memory(server, url, count):
    """Server RSS before and with `count` idle WebSockets open."""
    await asyncio.sleep(0.3)
    before = server.rss_kib()
    sockets, failures = await open_all(url, count, "deflate")
    await asyncio.sleep(0.5)
    after = server.rss_kib()
    await close_all(sockets)
    return {"connections": len(sockets), "before_kib": before, "after_kib": after,
            "per_conn_kib": round((after - before) / max(len(sockets), 1), 2), "errors": len(failures)}


def start(transport, work):
    path = os.path.join(work, "logs", "websocket-%s.log" % transport)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    env = {"PICOWEB_ROOT": os.environ.get("PICOWEB_ROOT") or os.path.dirname(BENCH)}
    return procs.ServerProcess(server_for(transport), work, path, env).start()


def warm_up(server):
    status, _ = server.get("/hello")
    if status != 200:
        raise RuntimeError("the WebSocket server answered %d to GET /hello" % status)


def measure(settings, work):
    """Rows per transport: echo load with and without compression, then idle memory."""
    rows = []
    for transport in TRANSPORTS:
        for compression in ("deflate", None):
            with start(transport, work) as server:
                warm_up(server)
                row = asyncio.run(echo_load("ws://%s:%d/ws" % (procs.HOST, server.port), settings["connections"],
                                            settings["messages"], compression))
                row["peak_rss_kib"] = server.peak_rss_kib()
            row.update(transport=transport, kind="load")
            rows.append(row)
            log_row(row)
        with start(transport, work) as server:
            warm_up(server)
            row = asyncio.run(idle_memory(server, "ws://%s:%d/ws" % (procs.HOST, server.port), settings["idle"]))
        row.update(transport=transport, kind="idle")
        rows.append(row)
        log_row(row)
    heap = micropython_heap(os.environ.get("PICOWEB_ROOT") or os.path.dirname(BENCH))
    if heap is not None:
        rows.append(heap)
        log_row(heap)
    return rows


# The same echo on the MicroPython unix port, with /heap: the heap in use
# after a collection. The port has no RSS worth reading (it runs inside a
# CPython process's allocator): its heap is what a board would hold.
MICROPYTHON_APP = """
import gc, sys
import picoweb
from picoweb.compat import asyncio
from picoweb_plugins.websocket import WebSockets, websocket

app = picoweb.WebApp()
app.install(WebSockets())


@app.route("/heap")
def heap(req, resp):
    gc.collect()
    return str(gc.mem_alloc())


@app.route("/ws")
@websocket
async def echo(req, ws):
    async for message in ws:
        await ws.send(message)


app.debug = -1
asyncio.run(app.serve("127.0.0.1", int(sys.argv[1])))
"""
MICROPYTHON_IDLE = 12  # WebSockets: the port's max_connections is 16


def micropython_heap(code_path):
    """Heap bytes per idle WebSocket on the unix port, or None without it."""
    import shutil
    import subprocess

    found = shutil.which("micropython", path=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    if found is None:
        return None
    port = procs.free_port()
    proc = subprocess.Popen([found, "-c", MICROPYTHON_APP, str(port)], env=dict(os.environ, MICROPYPATH=".frozen:" + code_path),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        probe = procs.ServerProcess(server_for("micropython"), None, None)
        probe.port = port
        deadline = time.monotonic() + 20
        while True:
            try:
                status, _ = probe.get("/heap")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the unix port did not serve")
                time.sleep(0.05)

        async def held():
            url = "ws://%s:%d/ws" % (procs.HOST, port)
            warm, _ = await open_all(url, 1, "deflate")
            await close_all(warm)
            await asyncio.sleep(0.2)
            before = int(probe.get("/heap")[1])
            sockets, failures = await open_all(url, MICROPYTHON_IDLE, "deflate")
            await asyncio.sleep(0.3)
            after = int(probe.get("/heap")[1])
            await close_all(sockets)
            return {"transport": "micropython", "kind": "heap", "connections": len(sockets),
                    "before_bytes": before, "after_bytes": after, "errors": len(failures),
                    "per_conn_bytes": (after - before) // max(len(sockets), 1)}

        return asyncio.run(held())
    finally:
        proc.terminate()
        proc.wait(10)


def log_row(row):
    if row["kind"] == "load":
        print("  %-8s %-7s %4d connections x %d messages: %7d messages/s, open %.2f s, %d errors, peak RSS %.1f MiB"
              % (row["transport"], row["compression"], row["open"], row["messages"], row["messages_per_s"],
                 row["open_s"], row["errors"], row["peak_rss_kib"] / 1024), flush=True)
    elif row["kind"] == "heap":
        print("  unix port %d idle WebSockets: %d bytes of heap each (%d -> %d)"
              % (row["connections"], row["per_conn_bytes"], row["before_bytes"], row["after_bytes"]), flush=True)
    else:
        print("  %-8s %4d idle WebSockets: %.1f KiB each (RSS %.1f -> %.1f MiB)"
              % (row["transport"], row["connections"], row["per_conn_kib"], row["before_kib"] / 1024,
                 row["after_kib"] / 1024), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="few connections: proves it works")
    parser.add_argument("--json", help="write the rows here")
    parser.add_argument("--work", default=os.path.join(BENCH, ".out", "websocket"), help="logs folder")
    args = parser.parse_args()
    procs.pin(procs.CLIENT_CPU)()  # this client on one core, each server on the other
    settings = SMOKE if args.smoke else FULL
    print("WebSocket echo: %(connections)d connections x %(messages)d messages, %(idle)d idle" % settings, flush=True)
    try:
        rows = measure(settings, args.work)
    finally:
        procs.stop_all()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"settings": settings, "message_size": MESSAGE_SIZE, "rows": rows}, f, indent=1)
    return 1 if any(row["errors"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
