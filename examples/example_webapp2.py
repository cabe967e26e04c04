"""Routes declared with decorators, Flask style: path parameters, a
method-restricted route, a template page and return values as responses.

Try it:  cd examples && python3 example_webapp2.py
         curl -i http://127.0.0.1:8081/square/12
         curl -i -X POST -d 'hello' http://127.0.0.1:8081/echo
"""

import picoweb

app = picoweb.WebApp(__name__)


@app.route("/")
async def index(req, resp):
    await picoweb.start_response(resp)
    await resp.awrite(
        "<ul><li><a href='squares'>a table of squares</a>"
        "<li><a href='square/12'>square/12</a> (an int path parameter)"
        "<li>POST something to <code>/echo</code></ul>"
    )


@app.route("/squares")
async def squares(req, resp):
    await app.render_template(resp, "squares.tpl", (req, 10))


@app.route("/square/<int:n>")
async def square(req, resp, n):
    # Path parameters arrive as keyword arguments; a dict becomes JSON.
    return {"n": n, "square": n * n}


@app.route("/echo", methods=["POST"])
async def echo(req, resp):
    body = await req.read_body()
    return body, 200, {"Content-Type": "text/plain; charset=utf-8"}


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=1)
