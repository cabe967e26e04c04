"""The protocol floor: an asyncio.Protocol that splits each request head and
writes a fixed response from data_received, with no streams or tasks: the
most any asyncio (default loop) server can get out of this machine."""

import asyncio

from common import HOST, parse_argv
from floor_head import Responses, answer


class FloorProtocol(asyncio.Protocol):
    responses = None

    def connection_made(self, transport):
        self.transport = transport
        self.buf = b""

    def data_received(self, data):
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[:end]
            self.buf = self.buf[end + 4:]
            response, close = answer(head, self.responses)
            self.transport.write(response)
            if close:
                self.transport.close()
                return


async def main(port, data_dir):
    FloorProtocol.responses = Responses(data_dir)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(FloorProtocol, HOST, port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    port, data_dir, _ = parse_argv()
    asyncio.run(main(port, data_dir))
