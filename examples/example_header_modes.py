"""Per-route header modes, which let a route save the heap headers cost:
"parse" fills req.headers, "skip" reads past them, "leave" leaves them
in the stream for the handler to read itself.

Try it:  cd examples && python3 example_header_modes.py
         curl -i -H 'X-Demo: 1' http://127.0.0.1:8081/mode_leave
"""

import picoweb
from picoweb.pages import escape_html


async def index(req, resp):
    await picoweb.start_response(resp)
    for mode in ("parse", "skip", "leave"):
        await resp.awrite('<li><a href="mode_%s">headers mode "%s"</a>\n' % (mode, mode))


async def headers_parse(req, resp):
    await picoweb.start_response(resp)
    await resp.awrite("<table border='1'>\n")
    for name, value in req.headers.items():
        await resp.awrite("<tr><td>%s</td><td>%s</td></tr>\n" % (escape_html(name), escape_html(value)))
    await resp.awrite("</table>\n")


async def headers_skip(req, resp):
    return "req.headers holds %d headers: none were kept." % len(req.headers)


async def headers_leave(req, resp):
    # The raw header lines are the start of req.reader; a blank line ends them.
    await picoweb.start_response(resp, "text/plain; charset=utf-8")
    await resp.awrite("Header lines read from the stream by the handler:\n")
    while True:
        line = await req.reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        await resp.awrite(line)


ROUTES = [
    ("/", index),
    ("/mode_parse", headers_parse, {"headers": "parse"}),
    ("/mode_skip", headers_skip, {"headers": "skip"}),
    ("/mode_leave", headers_leave, {"headers": "leave"}),
]

app = picoweb.WebApp(__name__, ROUTES)

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=1)
