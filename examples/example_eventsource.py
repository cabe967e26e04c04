"""Server-Sent Events (EventSource): each client gets its own stream of
events, one a second, until it goes away or the server stops.

Try it:  cd examples && python3 example_eventsource.py
         curl -N http://127.0.0.1:8081/events
         (or open http://127.0.0.1:8081/ in a browser)
"""

import picoweb
from picoweb.compat import asyncio

PAGE = """<!DOCTYPE html>
<title>EventSource demo</title>
<div id="log"></div>
<script>
var source = new EventSource("events");
source.onmessage = function (event) {
    document.getElementById("log").innerHTML += event.data + "<br>";
};
</script>
"""

INTERVAL = 1  # seconds between two events
LIMIT = None  # events per client; None streams until the client leaves

app = picoweb.WebApp(__name__)


@app.route("/")
async def index(req, resp):
    return PAGE


@app.route("/events")
async def events(req, resp):
    await picoweb.start_response(resp, "text/event-stream", headers={"Cache-Control": "no-cache"})
    count = 0
    try:
        while not app.stopping and count != LIMIT:
            await resp.awrite("id: %d\ndata: event %d\n\n" % (count, count))
            count += 1
            await asyncio.sleep(INTERVAL)
    except OSError:
        # The client went away, so a write failed: nothing more to send.
        app.log.info("event stream closed by the client after %d events", count)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=1)
