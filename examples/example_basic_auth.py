"""HTTP Basic authentication with the auth plugin: a 401 with a
WWW-Authenticate challenge until the client sends a user and password
that match a stored PBKDF2 hash.

Try it:  cd examples && python3 example_basic_auth.py
         curl -i -u admin:secret http://127.0.0.1:8081/private
"""

import picoweb
from picoweb.pages import escape_html
from picoweb_plugins.auth import BasicAuth
from picoweb_plugins.auth.passwords import hash_password, verify_password_async

# A demo: a real app keeps the hashes in its user database, and no
# password in its code. Basic sends the password with every request, so
# every request pays for the (slow on purpose) check: serve it over HTTPS,
# or sign in once into a session (example_login.py).
PASSWORD_HASHES = {"admin": hash_password("secret")}


async def check_password(user, password):
    """The user when the password matches, else None (an unknown user
    costs the same time as a wrong password)."""
    if await verify_password_async(password, PASSWORD_HASHES.get(user)):
        return user
    return None


app = picoweb.WebApp(__name__)
basic = app.install(BasicAuth(check_password, realm="picoweb demo"))


@app.route("/")
async def index(req, resp):
    return "Anyone may see this. The <a href='private'>private page</a> asks who you are."


@app.route("/private")
@basic.required
async def private(req, resp):
    return "Hello, %s: you logged in." % escape_html(req.user)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=1)
