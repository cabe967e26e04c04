"""Auth plugin: login sessions, HTTP Basic and Bearer, password hashes.

    from picoweb_plugins.auth import Auth, login_required
    from picoweb_plugins.auth.passwords import hash_password, verify_password_async
    app.install(Sessions(secret_key=KEY))
    auth = app.install(Auth(user_loader=find_user, login_url="/login"))

    @app.route("/account")
    @login_required
    def account(req, resp):
        return "hello " + req.user.name

Pieces usable alone: passwords.py (PBKDF2 hashes), credentials.py
(Authorization headers), next_url.py (the post-login redirect check).
Needs the sessions plugin.
"""

from .plugin import Auth, BasicAuth, BearerAuth, login_required
