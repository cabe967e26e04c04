"""HTTP Basic authentication by hand: read the Authorization header,
decode it, and answer 401 with a WWW-Authenticate challenge otherwise.

Try it:  cd examples && python3 example_basic_auth.py
         curl -i -u admin:secret http://127.0.0.1:8081/private
"""

import binascii

import picoweb
from picoweb.pages import escape_html

USERS = {"admin": "secret"}  # a demo: keep real passwords hashed, never in code
CHALLENGE = {"WWW-Authenticate": 'Basic realm="picoweb demo", charset="UTF-8"'}

app = picoweb.WebApp(__name__)


def authenticated_user(req):
    """The user name from valid Basic credentials, else raise a 401."""
    scheme, _, encoded = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            user, _, password = binascii.a2b_base64(encoded.strip()).decode().partition(":")
        except (ValueError, UnicodeError):
            user = password = None
        if user in USERS and USERS[user] == password:
            return user
    raise picoweb.HTTPError(401, "log in to see this page", CHALLENGE)


@app.route("/")
async def index(req, resp):
    return "Anyone may see this. The <a href='private'>private page</a> asks who you are."


@app.route("/private")
async def private(req, resp):
    user = authenticated_user(req)
    return "Hello, %s: you logged in." % escape_html(user)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=1)
