"""A sub-application that runs alone or mounted in a bigger site (see
example_app_router.py); `req.prefix` tells where it is mounted.

Try it:  cd examples && python3 app1.py
         curl -i http://127.0.0.1:8081/hello
"""

import picoweb

app = picoweb.WebApp(__name__)


@app.route("/")
async def index(req, resp):
    # Links built from req.prefix work at the root and under a mount.
    return "This is app #1. Say <a href='%s/hello'>hello</a>." % req.prefix


@app.route("/hello")
async def hello(req, resp):
    return "Hello from app #1, mounted at %r" % (req.prefix or "/")


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=1)
