# Heap floor: asyncio and the same memory-stream driver as the picoweb apps
# (mp_streams.py), with no framework. Each request is read up to its blank
# line, its request line split, and a fixed response written: what any
# server must do.
from mp_streams import exchange

REQUEST = b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n"
RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n"
            b"Connection: close\r\n\r\nHello, world!")

handler = None


async def handle(reader, writer):
    buf = b""
    while b"\r\n\r\n" not in buf:
        data = await reader.read(4096)
        if not data:
            return
        buf += data
    method, path, version = buf[:buf.find(b"\r\n")].split(b" ")
    writer.write(RESPONSE)
    await writer.drain()
    writer.close()


def build():
    global handler
    handler = handle


async def serve(count):
    for _ in range(count):
        out = await exchange(handler, REQUEST)
        assert out[:12] == b"HTTP/1.1 200", out
