"""A page with an image and a stylesheet from /static/, served by the
static files plugin: style.css goes out as its precompressed style.css.gz
to clients that accept gzip; both get ETag, Last-Modified and ranges.

Try it:  python3 examples/example_img.py
         curl -i --compressed http://127.0.0.1:8081/static/style.css
"""

import picoweb
from picoweb_plugins.static import Static

# The folder of this file ("" when run from it on MicroPython), so the
# example works from any working directory.
HERE = __file__.rpartition("/")[0] or "."

app = picoweb.WebApp(__name__)
app.install(Static(root=HERE + "/static", prefix="/static/", max_age=3600))


@app.route("/")
async def index(req, resp):
    await picoweb.start_response(resp)
    # req.prefix: where this app is mounted ("" when it runs alone).
    await resp.awrite(
        "<!DOCTYPE html>\n<title>picoweb image</title>\n"
        "<link href='%s/static/style.css' rel='stylesheet'>\n"
        "<p class='green'>A PNG served from /static/:</p>\n"
        "<img src='%s/static/logo.png' width='64' height='64' alt='a green square'>\n"
        % (req.prefix, req.prefix)
    )


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=0)
