# picoweb's README hello app (bench/footprint.py writes it out from
# README.rst as hello_app.py), served with app.serve() as app.run() would.
import asyncio

from hello_app import app


async def start(host, port):
    asyncio.create_task(app.serve(host, port))
    while getattr(app, "port", None) is None:
        await asyncio.sleep_ms(5)
