# The sessions, auth and csrf plugins under MicroPython's WebAssembly port:
# signed-cookie sessions and Basic auth through the test client. This port
# has no os.urandom, so what needs fresh randomness (session ids, CSRF
# tokens, salts) must say so instead of making weak values.
import binascii
import os

import picoweb
from picoweb.testclient import TestClient
from picoweb_plugins.auth import BasicAuth
from picoweb_plugins.auth.passwords import hash_password, verify_password
from picoweb_plugins.sessions import Sessions
from picoweb_plugins.sessions.crypto import random_token

SALT = b"a fixed salt, for this test only"


def counter_app():
    app = picoweb.WebApp(__name__)
    app.install(Sessions(secret_key="k" * 32))

    @app.route("/count")
    def count(req, resp):
        req.session["n"] = req.session.get("n", 0) + 1
        return "n=%d" % req.session["n"]

    return app


async def test_signed_cookie_sessions_round_trip():
    client = TestClient(counter_app())
    first = await client.get("/count")
    assert first.text == "n=1" and first.headers["Vary"] == "Cookie"
    cookie = first.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    value = cookie.split(";")[0]
    assert (await client.get("/count", headers={"Cookie": value})).text == "n=2"
    forged = value[:-1] + ("A" if value[-1] != "A" else "B")
    assert (await client.get("/count", headers={"Cookie": forged})).text == "n=1"


async def test_basic_auth_with_a_password_hash():
    stored = hash_password("pw", iterations=100, salt=SALT)
    app = picoweb.WebApp(__name__)
    basic = app.install(BasicAuth(lambda user, password: verify_password(password, stored) and user))
    app.add_url_rule("/", basic.required(lambda req, resp: "hi " + req.user))
    client = TestClient(app)
    good = "Basic " + binascii.b2a_base64(b"u:pw", False).decode()
    assert (await client.get("/", headers={"Authorization": good})).text == "hi u"
    refused = await client.get("/")
    assert refused.status == 401 and refused.headers["WWW-Authenticate"].startswith("Basic realm=")


def test_without_a_random_source_ids_are_refused_not_weak():
    if hasattr(os, "urandom"):
        assert len(random_token()) == 43
        return
    try:
        random_token()
    except RuntimeError as error:
        assert "no secure random source" in str(error)
    else:
        raise AssertionError("a token without os.urandom")
