"""Server-Sent Events plugin: `format_event()` and the `event_stream` decorator.

    from picoweb_plugins.sse import event_stream

    @app.route("/events")
    @event_stream
    async def ticks(req, stream):
        count = int(stream.last_event_id or 0)
        while True:
            count += 1
            await stream.send("tick %d" % count, event="tick", id=count)
            await asyncio.sleep(1)

No install step: the decorator is the whole plugin.
"""

from .events import format_event
from .stream import EventStream, event_stream
