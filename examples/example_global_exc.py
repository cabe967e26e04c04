"""One place for the exceptions no handler caught: a WebApp subclass
overriding handle_exc(). (A try/except in the handler, or
@app.errorhandler(SomeError), is often the better tool.)

Try it:  cd examples && python3 example_global_exc.py
         curl -i http://127.0.0.1:8081/case1
"""

import picoweb


class ExcWebApp(picoweb.WebApp):

    async def handle_exc(self, req, resp, exc):
        # It must not raise. The exception is logged already.
        if resp.headers_sent:
            # The status is out already. Say so in the body, then let the
            # default cut the connection short: with no proper end, the
            # client can tell that this body is incomplete.
            await resp.awrite("\n[the server failed here: %s]\n" % type(exc).__name__)
            await super().handle_exc(req, resp, exc)
            return
        resp.headers = picoweb.Headers()
        await picoweb.start_response(resp, "text/plain; charset=utf-8", status=500)
        await resp.awrite("We've got a 500 here: %s\n" % type(exc).__name__)


app = ExcWebApp(__name__)


@app.route("/")
async def index(req, resp):
    return (
        "<a href='case1'>an exception before any output</a> or "
        "<a href='case2'>one after the response started</a>"
    )


@app.route("/case1")
async def case1(req, resp):
    resp.headers["X-Lost"] = "dropped by handle_exc"
    return 1 / 0


@app.route("/case2")
async def case2(req, resp):
    await picoweb.start_response(resp, "text/plain; charset=utf-8")
    await resp.awrite("I started writing the response, and then...")
    return 1 / 0


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=1)
