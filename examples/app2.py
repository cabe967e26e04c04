"""A second sub-application with its own hook and 404 page, which keep
to its own pages when example_app_router.py mounts it.

Try it:  cd examples && python3 app2.py
         curl -i http://127.0.0.1:8081/nothing-here
"""

import picoweb

app = picoweb.WebApp(__name__)


@app.after_request
def tag(req, resp):
    # Runs for this app's requests only, even when it is mounted.
    if not resp.headers_sent:
        resp.headers["X-Served-By"] = "app2"


@app.errorhandler(404)
async def not_found(req, resp, exc):
    return "app #2 has no page %s" % req.path, 404, {"Content-Type": "text/plain"}


@app.route("/")
async def index(req, resp):
    return "This is app #2."


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=1)
