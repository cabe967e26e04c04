# Heap of rendering a small template on MicroPython (unix port): what
# stays allocated (gc.mem_alloc() after gc.collect()) once the hello app was
# served, after the first render_str() of mp_templates/small.tpl and after
# 100 more; and what one render allocates with the collector off (garbage
# included: a bound on the peak), the first (which compiles) and a later one.
# bench/templates_heap.py runs it; by hand, from the repository root:
#   MICROPYPATH=.frozen:.:bench/micropython:<utemplate's folder> micropython bench/micropython/templates_heap.py
import gc

gc.collect()
BASE = gc.mem_alloc()


def report(label):
    gc.collect()
    print("heap %s: %d" % (label, gc.mem_alloc() - BASE))


import mp_templates  # noqa: E402,F401 (the app's package: imported, as WebApp(__name__) is)
import picoweb  # noqa: E402
from picoweb.server import Connection  # noqa: E402
from mp_streams import exchange  # noqa: E402

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio

app = picoweb.WebApp("mp_templates")
app.debug = -1


@app.route("/")
def index(req, resp):
    return "Hello, world!"


async def hello():
    await app.start()

    async def handler(reader, writer):
        await Connection(app, reader, writer).serve()

    out = await exchange(handler, b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
    assert out.endswith(b"Hello, world!"), out


asyncio.run(hello())
report("hello app served")
ROWS = [("alpha", 1), ("beta & gamma", 2), ("<delta>", 3)]


def allocated_by_render():
    gc.collect()
    gc.disable()
    before = gc.mem_alloc()
    page = app.render_str("small.tpl", ("Counts", ROWS))
    spent = gc.mem_alloc() - before
    gc.enable()
    assert "<td>beta" in page, page  # escaped, or not before templates escaped
    return spent, page


spent, page = allocated_by_render()
report("first render_str")
for _ in range(100):
    page = app.render_str("small.tpl", ("Counts", ROWS))
report("101 render_str")
print("allocated by the first render_str: %d" % spent)
print("allocated by a later render_str: %d" % allocated_by_render()[0])
print("page bytes: %d" % len(page))
