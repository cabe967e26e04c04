# microdot 2.x's hello app, as its documentation gives it.
import asyncio

from microdot import Microdot

app = Microdot()


@app.route("/")
async def index(request):
    return "Hello, world!\n"


async def start(host, port):
    asyncio.create_task(app.start_server(host, port))
    await asyncio.sleep_ms(50)  # it listens once its task first runs
