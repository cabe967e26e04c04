# The floor: asyncio.start_server, the request head read to its blank
# line, the request line split, a fixed response; what any server does.
# It reads 512 bytes at a time, as picoweb does on MicroPython
# (Limits.read_size): each read allocates its size first, and 4 KiB
# reads alone took this server from 14 to 22 KiB of heap.
import asyncio

RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 14\r\n"
            b"\r\nHello, world!\n")


async def handle(reader, writer):
    try:
        while True:
            buf = b""
            while b"\r\n\r\n" not in buf:
                data = await reader.read(512)
                if not data:
                    return
                buf += data
            method, path, version = buf[:buf.find(b"\r\n")].split(b" ")
            writer.write(RESPONSE)
            await writer.drain()
            if b"close" in buf:
                return
    finally:
        writer.close()
        await writer.wait_closed()


async def start(host, port):
    await asyncio.start_server(handle, host, port)
