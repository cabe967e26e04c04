"""UTF-8 everywhere: a template with non-ASCII text, a path parameter
that arrives percent-encoded, and a returned str (its Content-Length
counts bytes, not characters).

Try it:  cd examples && python3 example_unicode.py
         curl -i http://127.0.0.1:8081/hello/%D0%BC%D0%B8%D1%80
"""

import picoweb
from picoweb.pages import escape_html

app = picoweb.WebApp(__name__)


@app.route("/")
async def index(req, resp):
    data = {"cyrillic": "абвгд", "alpha": "α", "beta": "β", "gamma": "γ"}
    await app.render_template(resp, "unicode.tpl", (data,))


@app.route("/hello/<name>")
async def hello(req, resp, name):
    return "<meta charset='utf-8'>Привет, %s! (%d characters)" % (escape_html(name), len(name))


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=1)
