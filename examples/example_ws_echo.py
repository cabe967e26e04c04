"""WebSocket echo with the websocket plugin: /ws sends every text and
binary message back, up to 1 MiB each (a larger one closes with 1009).
The default Origin policy holds: a browser page may connect only from this
server's own host.

Try it:  cd examples && python3 example_ws_echo.py
         open http://127.0.0.1:8081/ (the page echoes what you type)
         python3 -m websockets ws://127.0.0.1:8081/ws   (an interactive client)
         curl -i http://127.0.0.1:8081/ws   (a plain GET: 426, this URL speaks WebSocket only)
"""

import picoweb
from picoweb_plugins.websocket import WebSockets, websocket

MAX_MESSAGE = 1 << 20  # bytes

app = picoweb.WebApp(__name__)
app.install(WebSockets(max_message_size=MAX_MESSAGE))

PAGE = """<!DOCTYPE html>
<meta charset="utf-8">
<title>WebSocket echo</title>
<form id="form"><input id="text" autofocus> <button>send</button></form>
<pre id="log"></pre>
<script>
var log = document.getElementById("log");
var ws = new WebSocket(location.href.replace(/^http/, "ws").replace(/[^/]*$/, "") + "ws");
ws.onmessage = function (event) { log.textContent += "echo: " + event.data + "\\n"; };
ws.onclose = function (event) { log.textContent += "closed: " + event.code + "\\n"; };
document.getElementById("form").onsubmit = function (event) {
    event.preventDefault();
    ws.send(document.getElementById("text").value);
};
</script>
"""


@app.route("/")
async def index(req, resp):
    return PAGE


@app.route("/ws")
@websocket
async def echo(req, ws):
    async for message in ws:  # ends when the client closes or goes away
        await ws.send(message)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=1)
