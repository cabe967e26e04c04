"""The streams floor: asyncio.start_server, readuntil the blank line, write a
fixed response. What any server on asyncio streams pays at least, and so
the fairest yardstick for picoweb, which runs on the same streams."""

import asyncio

from common import HOST, parse_argv
from floor_head import Responses, answer


async def main(port, data_dir):
    responses = Responses(data_dir)

    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                response, close = answer(head[:-4], responses)
                writer.write(response)
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, HOST, port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    port, data_dir, _ = parse_argv()
    asyncio.run(main(port, data_dir))
