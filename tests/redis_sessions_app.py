# A picoweb server whose sessions live in Redis, for the test that runs
# several of them as separate processes on one Redis (CPython or the
# MicroPython unix port):
#   PICOWEB_TEST_REDIS_PORT=6379 python tests/redis_sessions_app.py [port]
# Without a port it serves on a free one (CPython says which); it prints
# "Running on http://127.0.0.1:<port>/" once it serves.
import os
import sys

import asyncio
import picoweb
from picoweb_plugins.sessions import Sessions
from picoweb_plugins.sessions.store_redis import RedisStore

app = picoweb.WebApp()
app.install(Sessions(store=RedisStore(port=int(os.getenv("PICOWEB_TEST_REDIS_PORT")), timeout=5)))


@app.route("/put")
def put(req, resp):
    req.session["value"] = req.qs
    return "put " + req.qs


@app.route("/get")
def get(req, resp):
    return "value=%s runtime=%s" % (req.session.get("value"), sys.implementation.name)


@app.route("/clear")
def clear(req, resp):
    req.session.clear()
    return "cleared"


async def main(port):
    serving = asyncio.create_task(app.serve("127.0.0.1", port))
    while getattr(app, "port", None) is None:
        await asyncio.sleep(0.01)
    print("Running on http://127.0.0.1:%d/" % app.port)
    await serving


app.debug = -1
if __name__ == "__main__":  # imported by tests/asgi_redis_sessions.py for an ASGI server
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
