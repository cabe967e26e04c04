"""`event_stream`: a handler becomes a Server-Sent Events endpoint.

The handler runs in its own task beside a keep-alive that writes a comment
when nothing was sent for a while: proxies keep the connection, and a
client that left is found out by the write that fails. Then `stream.closed`
turns True and the handler's task is cancelled.
"""

import asyncio

from picoweb import start_response

from .events import format_event

HEADERS = {
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",  # nginx would otherwise hold events back in its buffer
}
KEEPALIVE = 15  # seconds without a write before a comment goes out


class EventStream:
    """What an event-stream handler gets: `await stream.send(data,
    event=None, id=None, retry=None)`, `await stream.comment(text)`,
    `stream.last_event_id` (the client's Last-Event-ID, or None) and
    `stream.closed` (True once the client is gone)."""

    def __init__(self, req, resp):
        self.req = req
        self.resp = resp
        self.last_event_id = req.headers.get("last-event-id")
        self.closed = False
        self.lost = None  # the error of the write that failed
        self.sent = False  # written since the keep-alive last looked
        self.lock = asyncio.Lock()  # one write at a time: MicroPython's streams need it

    async def send(self, data=None, event=None, id=None, retry=None):
        """Send one event (see format_event); raises the write's OSError
        once the client is gone."""
        await self.write(format_event(data, event, id, retry))

    async def comment(self, text=""):
        """Send a comment, which the client ignores."""
        await self.write(format_event(comment=text))

    async def write(self, text):
        """Write already formatted event text."""
        if self.closed:
            raise self.lost
        async with self.lock:
            try:
                await self.resp.awrite(text)
            except (OSError, asyncio.TimeoutError) as exc:
                self.closed = True
                self.lost = exc
                raise
        self.sent = True

    async def keep_alive(self, interval, handler_task):
        """Write a comment at the end of each `interval` seconds in which
        nothing was written; when a write fails, cancel `handler_task`."""
        try:
            while True:
                await asyncio.sleep(interval)
                if self.sent:
                    self.sent = False
                else:
                    await self.comment()
        except (OSError, asyncio.TimeoutError):
            handler_task.cancel()


def event_stream(handler=None, keepalive=KEEPALIVE, retry=None):
    """Decorator (bare or with options): `async def handler(req, stream)`
    becomes a route handler that answers `text/event-stream`.
    keepalive: seconds (None: no comments); retry: milliseconds the
    client should wait before it reconnects, sent first.

    The handler's return ends the response; a browser then reconnects
    (a client told to stop gets a 204 from the next call, say)."""

    def wrap(handler):
        async def serve_events(req, resp):
            await start_response(resp, "text/event-stream", headers=HEADERS)
            stream = EventStream(req, resp)
            # The head goes now, so the client's EventSource opens at once.
            await stream.write(format_event(retry=retry) if retry is not None else "")
            if req.method == "HEAD":
                return
            task = asyncio.create_task(handler(req, stream))
            pinger = asyncio.create_task(stream.keep_alive(keepalive, task)) if keepalive else None
            try:
                await task
            except asyncio.CancelledError:
                if not stream.closed:
                    raise  # cancelled from outside (the server stopping): pass it on
            finally:
                if pinger is not None:
                    pinger.cancel()
                if not task.done():
                    task.cancel()
            if stream.lost is not None:
                raise stream.lost  # the core then knows the client left

        return serve_events

    if handler is not None:
        return wrap(handler)
    return wrap
