"""Server-Sent Events with the sse plugin: a counter that ticks once a
second for each client. A client that reconnects (an EventSource does so
by itself, after the 2 s the stream asks for) sends the last id it saw in
Last-Event-ID, and the count goes on from there.

Try it:  cd examples && python3 example_eventsource.py
         curl -N http://127.0.0.1:8081/counter
         curl -N -H 'Last-Event-ID: 41' http://127.0.0.1:8081/counter   (goes on from 42)
         (or open http://127.0.0.1:8081/ in a browser)
"""

import picoweb
from picoweb.compat import asyncio
from picoweb_plugins.sse import event_stream

INTERVAL = 1  # seconds between two ticks
LIMIT = None  # ticks per connection; None: until the client leaves or the server stops
RETRY = 2000  # milliseconds a client waits before it reconnects

PAGE = """<!DOCTYPE html>
<meta charset="utf-8">
<title>EventSource counter</title>
<p>Count: <span id="count">-</span> <small id="state"></small></p>
<script>
var source = new EventSource("counter");
source.addEventListener("tick", function (event) {
    document.getElementById("count").textContent = event.data;
});
source.onopen = function () { document.getElementById("state").textContent = ""; };
source.onerror = function () { document.getElementById("state").textContent = "(reconnecting)"; };
</script>
"""

app = picoweb.WebApp(__name__)


def resume_from(last_event_id):
    """The count a client saw last: its Last-Event-ID if that is one of our ids, else 0."""
    if last_event_id and last_event_id.isdigit() and len(last_event_id) <= 12:
        return int(last_event_id)
    return 0


@app.route("/")
async def index(req, resp):
    return PAGE


@app.route("/counter")
@event_stream(retry=RETRY)
async def counter(req, stream):
    count = resume_from(stream.last_event_id)
    sent = 0
    try:
        while not app.stopping and sent != LIMIT:
            count += 1
            await stream.send(str(count), event="tick", id=count)
            sent += 1
            await asyncio.sleep(INTERVAL)
    finally:
        if stream.closed:  # a write found the client gone
            app.log.info("event stream closed by the client after %d events", sent)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=1)
