"""A chat room over WebSocket: what one visitor sends, everyone in the room
sees. Each visitor is "guest N"; messages are text of up to 4 KiB, shown
with textContent (never as HTML). The server pings every 20 s, so a visitor
whose network vanished leaves the room within a minute.

Try it:  cd examples && python3 example_chat.py
         open http://127.0.0.1:8081/ in two browser windows and talk
         curl -i http://127.0.0.1:8081/   (the page itself)
"""

import json

import picoweb
from picoweb.compat import asyncio
from picoweb_plugins.websocket import ConnectionClosed, WebSockets, websocket

app = picoweb.WebApp(__name__)
app.install(WebSockets(max_message_size=4096, ping_interval=20, ping_timeout=20))

room = set()  # the WebSockets of everyone in the room
visitors = 0  # so far: names each visitor "guest N"

PAGE = """<!DOCTYPE html>
<meta charset="utf-8">
<title>Chat</title>
<ul id="log"></ul>
<form id="form"><input id="text" autocomplete="off" autofocus> <button>send</button></form>
<script>
var log = document.getElementById("log");
var ws = new WebSocket(location.href.replace(/^http/, "ws").replace(/[^/]*$/, "") + "chat");
function show(text, kind) {
    var line = document.createElement("li");
    line.textContent = text;
    line.className = kind;
    log.appendChild(line);
}
ws.onmessage = function (event) {
    var message = JSON.parse(event.data);
    if (message.you) document.title = "Chat: " + message.you;
    else if (message.system) show(message.system, "system");
    else show(message.name + ": " + message.text, "message");
};
ws.onclose = function (event) { show("disconnected (" + event.code + ")", "system"); };
document.getElementById("form").onsubmit = function (event) {
    event.preventDefault();
    var input = document.getElementById("text");
    if (input.value) ws.send(input.value);
    input.value = "";
};
</script>
"""


async def deliver(ws, text):
    try:
        await ws.send(text)
    except ConnectionClosed:
        pass  # that visitor left: its own handler takes it out of the room


async def broadcast(**message):
    # To everyone at once: one slow visitor does not hold up the others.
    if room:
        text = json.dumps(message)
        await asyncio.gather(*[deliver(ws, text) for ws in list(room)])


@app.route("/")
async def index(req, resp):
    return PAGE


@app.route("/chat")
@websocket
async def chat(req, ws):
    global visitors
    visitors += 1
    name = "guest %d" % visitors
    await ws.send(json.dumps({"you": name}))
    room.add(ws)
    await broadcast(system=name + " joined")
    try:
        async for text in ws:
            if not isinstance(text, str):
                await ws.close(1003, "text messages only")
                break
            await broadcast(name=name, text=text)
    finally:
        room.discard(ws)
        await broadcast(system=name + " left")


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=1)
