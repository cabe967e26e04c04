"""One site made of several apps: app1 and app2 are mounted under
/app1 and /app2, and each sees paths relative to its mount point.

Try it:  cd examples && python3 example_app_router.py
         curl -i http://127.0.0.1:8081/app1/hello
"""

import app1
import app2
import picoweb

app = picoweb.WebApp(__name__)
app.mount("/app1", app1.app)
app.mount("/app2", app2.app)


@app.route("/")
async def index(req, resp):
    return "Visit <a href='app1'>app1</a> or <a href='app2'>app2</a>."


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=1)
