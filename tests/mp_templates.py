# Templates under the MicroPython unix port, run by test_templates.py as
#   MICROPYPATH=.frozen:<repo>:<utemplate's folder> micropython mp_templates.py DIR
# with DIR an empty scratch folder. Prints one "ok <name>" line per check.
import os
import sys

import picoweb
from picoweb.templates import TemplateError, safe
from picoweb.testclient import TestClient

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio

DIR = sys.argv[1]
ATTACK = "<img src=x onerror=alert(1)>"


def write(name, text):
    try:
        os.mkdir(DIR + "/templates")
    except OSError:
        pass
    with open(DIR + "/templates/" + name, "w") as f:
        f.write(text)


def new_app():
    app = picoweb.WebApp()
    app.root_path = DIR
    app.debug = -1
    return app


def check_escaping():
    write("page.tpl", "{% args a, b %}<p title='{{b}}'>{{a}}</p>{{safe('<br>')}}{{len(a)}}\n")
    out = new_app().render_str("page.tpl", (ATTACK, safe("<i>")))
    assert out == "<p title='<i>'>&lt;img src=x onerror=alert(1)&gt;</p><br>28\n", out
    write("row.tpl", "{% args item %}<li>{{item}}</li>\n")
    write("list.tpl", '{% args items %}{% for item in items %}\n{% include "row.tpl" item %}\n{% endfor %}\n')
    out = new_app().render_str("list.tpl", (["a&b", '"q"'],))
    assert out == "<li>a&amp;b</li>\n<li>&quot;q&quot;</li>\n", out
    print("ok escaping")


async def check_not_found_page():
    write("404.tpl", "{% args path %}<p>No page at {{path}}</p>\n")
    app = new_app()

    @app.errorhandler(404)
    async def not_found(req, resp, exc):
        resp.status = 404
        await app.render_template(resp, "404.tpl", (req.path,))

    resp = await TestClient(app).get("/hello/%3Cimg%20src=x%20onerror=alert(1)%3E")
    assert resp.status == 404, resp.status
    assert resp.text == "<p>No page at /hello/&lt;img src=x onerror=alert(1)&gt;</p>\n", resp.text
    print("ok not found page")


def check_recompile():
    app = new_app()
    write("edit.tpl", "old")
    assert app.render_str("edit.tpl") == "old"
    write("edit.tpl", "new text")  # a different size: seen within the same second too
    assert app.render_str("edit.tpl") == "new text"
    write("edit.tpl", "one")
    app.debug = 1  # and in debug mode, every render compiles
    assert app.render_str("edit.tpl") == "one"
    assert "compiled" not in os.listdir(DIR + "/templates")
    print("ok recompile")


def check_errors():
    write("bad.tpl", "a\n{% if x %}\nb\n{% endfor %}\n")
    try:
        new_app().render_str("bad.tpl")
        raise AssertionError("no error")
    except TemplateError as exc:
        assert str(exc) == "bad.tpl, line 4: {% endfor %} without {% for %} (the open block is {% if %})", exc
    write("two.tpl", "{% args a, b %}{{a}}{{b}}")
    for args, message in ((("x",), "two.tpl takes {% args a, b %}, not 1 argument(s)"),
                          ("ab", "template args are a tuple or list, not str: (value,) for one")):
        try:
            new_app().render_str("two.tpl", args)
            raise AssertionError("no error")
        except TypeError as exc:
            assert str(exc) == message, exc
    print("ok errors")


check_escaping()
asyncio.run(check_not_found_page())
check_recompile()
check_errors()
print("done")
