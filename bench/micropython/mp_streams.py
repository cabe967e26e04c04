# The driver every scenario shares, so that it costs the same heap on each
# side of a comparison: memory streams in place of a socket, and one request
# per connection. The bare floor hands them to its own handler; the picoweb
# apps to picoweb.server.Connection, which is what the server's accept
# callback runs for each connection (picoweb's TestClient would add its own
# request builder and response parser, which no deployed app imports).


class MemoryReader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    async def read(self, size):
        piece = self.data[self.pos:self.pos + size]
        self.pos += len(piece)
        return piece


class MemoryWriter:
    def __init__(self):
        self.out = bytearray()

    def write(self, data):
        self.out += data

    async def drain(self):
        pass

    def close(self):
        pass

    async def wait_closed(self):
        pass


def request(method, path, body=b"", headers=""):
    """The bytes of one request that closes its connection."""
    head = "%s %s HTTP/1.1\r\nHost: bench\r\n%sContent-Length: %d\r\nConnection: close\r\n\r\n"
    return (head % (method, path, headers, len(body))).encode() + body


async def exchange(handler, data):
    """Run `handler(reader, writer)` on one connection carrying `data`;
    returns all it wrote."""
    writer = MemoryWriter()
    await handler(MemoryReader(data), writer)
    return writer.out
