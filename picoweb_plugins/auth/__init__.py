"""Auth plugin: login sessions, HTTP Basic and Bearer, password hashes.

    from picoweb_plugins.auth import Auth, login_required
    app.install(Sessions(store=embedded_store("sessions")))
    auth = app.install(Auth(user_loader=find_user, login_url="/login"))

    @app.route("/account")
    @login_required
    def account(req, resp):
        return "hello " + req.user.name

plugin.py: Auth (req.user, login_user, logout_user, keep_next, next_url,
remember-me) and login_required (a route, or a whole app); http_auth.py:
BasicAuth and BearerAuth. Pieces usable alone: passwords.py (PBKDF2
hashes), credentials.py (Authorization headers), next_url.py (the
post-login redirect check). Login sessions need the sessions plugin.
"""

from picoweb_plugins.sessions.lazy import lazy_names

__getattr__ = lazy_names(globals(), {
    "Auth": "plugin", "login_required": "plugin", "BasicAuth": "http_auth", "BearerAuth": "http_auth",
})
