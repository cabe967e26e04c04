"""Routes given as one list, Django style: exact paths, a template page,
a file, a regex route, and a head written by hand as the original allowed.

Try it:  cd examples && python3 example_webapp.py
         curl -i http://127.0.0.1:8081/iam/Alice
"""

import re

import picoweb
from picoweb.pages import escape_html


async def index(req, resp):
    await picoweb.start_response(resp)
    await resp.awrite(
        "<h1>picoweb demo</h1><ul>"
        "<li><a href='squares'>a table of squares</a> (a utemplate page)"
        "<li><a href='iam/picoweb'>iam/picoweb</a> (a regex route)"
        "<li><a href='file'>this app's source</a> (a streamed file)"
        "<li><a href='raw'>raw</a> (status line and headers written by hand)"
        "</ul>"
    )


async def squares(req, resp):
    await app.render_template(resp, "squares.tpl", (req, 6))


async def hello(req, resp):
    # A compiled regex route hands its match over as req.url_match.
    return "Hello, %s!" % escape_html(req.url_match.group(1))


async def source(req, resp):
    await app.sendfile(resp, "example_webapp.py", "text/plain; charset=utf-8")


async def raw(req, resp):
    # Full control, as in the original picoweb: picoweb closes the
    # connection after such a response, since it cannot know its length.
    await resp.awrite("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n")
    await resp.awrite("Every byte of this response came from the handler.\n")


ROUTES = [
    ("/", index),
    ("/squares", squares),
    ("/file", source),
    (re.compile("^/iam/(.+)$"), hello),
    ("/raw", raw),
]

app = picoweb.WebApp(__name__, ROUTES)

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=1)
