"""Extra response headers, four ways: a dict to start_response, header
text given as bytes, a returned (body, status, headers) tuple, and a
before_send hook that adds a header to every response.

Try it:  cd examples && python3 example_extra_headers.py
         curl -i http://127.0.0.1:8081/style.css
"""

import re

import picoweb

app = picoweb.WebApp(__name__)


@app.before_send
def add_server_header(req, resp):
    resp.headers["X-Powered-By"] = "picoweb"


@app.route("/")
async def index(req, resp):
    await picoweb.start_response(resp, headers={"X-MyHeader1": "foo", "X-MyHeader2": "bar"})
    await resp.awrite(
        "<!DOCTYPE html>\n<link href='style.css' rel='stylesheet'>\n"
        "<p class='green'>Check the response headers in your browser's dev tools,"
        " or see <a href='tuple'>a returned tuple</a>.</p>\n"
    )


# Static header text is the cheapest form when it never changes.
CSS_HEADERS = b"Cache-Control: max-age=86400\r\nX-Content-Type-Options: nosniff\r\n"


@app.route(re.compile("^/([a-z]+\\.css)$"))
async def styles(req, resp):
    await app.sendfile(resp, "static/" + req.url_match.group(1), "text/css", CSS_HEADERS)


@app.route("/tuple")
async def returned(req, resp):
    return "Headers can come back with the body.", 200, {"X-MyHeader3": "baz"}


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=1)
