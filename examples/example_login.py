"""Signing in, with the sessions, auth, forms and csrf plugins: a login
form (templates/login.tpl, with its CSRF token), a private page, signing
out, and an API that answers 401 in JSON. Sessions stay on the server, in
SQLite (CPython; on MicroPython, in files), in PICOWEB_SESSIONS_DIR or a
folder of the temp dir.

Try it:  cd examples && python3 example_login.py
         open http://127.0.0.1:8081/private, sign in as alice / wonderland
         curl -i http://127.0.0.1:8081/api/me
"""

import os

import picoweb
from picoweb.pages import escape_html
from picoweb_plugins.auth import Auth, login_required
from picoweb_plugins.auth.passwords import hash_password, verify_password_async
from picoweb_plugins.csrf import Csrf
from picoweb_plugins.forms import Forms
from picoweb_plugins.sessions import Sessions, embedded_store

# A demo: a real app keeps the hashes in its user database, and no
# password in its code.
PASSWORD_HASHES = {"alice": hash_password("wonderland")}
try:
    from tempfile import gettempdir
except ImportError:  # MicroPython
    gettempdir = lambda: "/tmp"  # noqa: E731
SESSIONS_DIR = os.getenv("PICOWEB_SESSIONS_DIR") or gettempdir() + "/picoweb-example-sessions"


def find_user(user_id):
    return user_id if user_id in PASSWORD_HASHES else None


app = picoweb.WebApp(__name__)
app.install(Sessions(store=embedded_store(SESSIONS_DIR)))
app.install(Forms())
auth = app.install(Auth(find_user, login_url="/login"))
app.install(Csrf())

api = picoweb.WebApp()
api.json_errors = True
app.mount("/api", api)


@app.route("/")
def index(req, resp):
    who = "signed in as %s" % escape_html(req.user) if req.user else "signed out"
    # Relative links and req.prefix: the app also serves mounted (examples/demo.py).
    return ("<!DOCTYPE html><title>picoweb login</title><p>You are %s. "
            "See the <a href='private'>private page</a> or <a href='api/me'>api/me</a>.</p>" % who)


@app.route("/login")
async def login_form(req, resp):
    auth.keep_next(req)  # where /private sent us, if it stays on this site
    await app.render_template(resp, "login.tpl", (req, None))


@app.route("/login", methods=["POST"])
async def login(req, resp):
    # The csrf plugin has checked the form's token already.
    form = await req.read_form_data()
    user = form.get("username", "")
    if not await verify_password_async(form.get("password", ""), PASSWORD_HASHES.get(user)):
        await app.render_template(resp, "login.tpl", (req, "Wrong user name or password."))
        return
    auth.login_user(req, resp, user)
    await picoweb.redirect(resp, auth.next_url(req, default=req.prefix + "/private"))


@app.route("/private")
@login_required
def private(req, resp):
    return ('<!DOCTYPE html><title>Private</title><p id="hello">Hello, %s</p>'
            '<form method="post" action="logout">'
            '<input type="hidden" name="csrf_token" value="%s">'
            '<button type="submit" id="logout">Sign out</button></form>'
            % (escape_html(req.user), req.csrf_token()))


@app.route("/logout", methods=["POST"])
async def logout(req, resp):
    auth.logout_user(req, resp)
    await picoweb.redirect(resp, req.prefix + "/login")


@api.route("/me")
@login_required
def me(req, resp):
    return {"user": req.user}


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=1)
