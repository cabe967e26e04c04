"""Every example in one site: each is mounted under /<its name>/, and the
index links them all (what `make demo` serves).

Try it:  cd examples && python3 demo.py
         curl -i http://127.0.0.1:8081/
"""

import os

import picoweb
from picoweb.pages import escape_html

HERE = os.path.dirname(os.path.abspath(__file__))
# Mounted inside example_app_router already (an app has one parent).
INSIDE_ANOTHER = ("app1", "app2")

app = picoweb.WebApp(__name__)
examples = []  # (name, first line of its docstring)

for file_name in sorted(os.listdir(HERE)):
    name = file_name[:-3]
    if not file_name.endswith(".py") or name in INSIDE_ANOTHER or name == "demo":
        continue
    module = __import__(name)
    summary = " ".join((module.__doc__ or name).strip().split("\n\n")[0].split())
    examples.append((name, summary))
    app.mount("/" + name, module.app)


@app.route("/")
def index(req, resp):
    items = "".join("<li><a href='%s/'>%s</a>: %s\n" % (name, name, escape_html(summary))
                    for name, summary in examples)
    return "<!DOCTYPE html>\n<title>picoweb examples</title>\n<h1>picoweb examples</h1>\n<ul>\n%s</ul>\n" % items


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=0)
