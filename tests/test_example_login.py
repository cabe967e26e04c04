"""examples/example_login.py in its own process on a free port, driven over
a real socket by httpx clients that keep cookies as a browser does (signing
in and out, the CSRF checks, tampered cookies, and every `next` from the
attacker's list in tests/portable/test_auth_next_url.py), and by headless
Chromium, which sends what real browsers do (Sec-Fetch-Site, Origin, its
own cookie jar)."""

import re
import sys

import httpx
import pytest

from test_examples import IMPORT_AND_RUN, REQUEST_TIMEOUT, ExampleServer

sys.path.insert(0, __file__.rpartition("/")[0] + "/portable")
from test_auth_next_url import EVIL  # noqa: E402  (a folder of tests for both runtimes)

pytestmark = pytest.mark.server  # the transport passes of make test run it again

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
TOKEN = re.compile(r'<input type="hidden" name="csrf_token" value="([A-Za-z0-9_-]+)">')


# Each sign-in checks a real PBKDF2 hash (600,000 iterations, ~0.15 s): the
# test of many sign-ins swaps in a cheaper hash of the same password.
CHEAP_HASH = """
from picoweb_plugins.auth.passwords import hash_password
m.PASSWORD_HASHES["alice"] = hash_password("wonderland", iterations=1000)
"""


@pytest.fixture
def start_server(tmp_path, monkeypatch):
    monkeypatch.setenv("PICOWEB_SESSIONS_DIR", str(tmp_path / "sessions"))
    servers = []

    def start(setup=""):
        servers.append(ExampleServer(IMPORT_AND_RUN.format(module="example_login", setup=setup)))
        return servers[-1]

    yield start
    for started in servers:
        started.client.close()
        started.kill()


@pytest.fixture
def server(start_server):
    return start_server()


def browser(server, **headers):
    """A client that keeps cookies and sends what a browser's same-origin form post does."""
    origin = server.url.rstrip("/")
    sent = dict(BROWSER, Origin=origin, **headers)
    return httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT, headers=sent)


def login_token(client, path="/login"):
    page = client.get(path)
    assert page.status_code == 200, page.text
    return TOKEN.search(page.text).group(1)


def sign_in(client, password="wonderland", token=None):
    token = login_token(client) if token is None else token
    return client.post("/login", data={"username": "alice", "password": password, "csrf_token": token})


def test_sign_in_see_the_page_and_sign_out(server):
    with browser(server) as client:
        signed_out = client.get("/private")
        assert signed_out.status_code == 302 and signed_out.headers["location"] == "/login?next=/private"
        api = client.get("/api/me", headers={"Accept": "application/json"})
        assert api.status_code == 401 and api.json()["message"] == "login required"

        token = login_token(client, signed_out.headers["location"])
        anonymous = client.cookies["session"]
        done = sign_in(client, token=token)
        assert done.status_code == 302 and done.headers["location"] == "/private"
        signed_in = client.cookies["session"]
        assert signed_in != anonymous  # a new id at login: a planted one is worth nothing

        page = client.get("/private")
        assert page.status_code == 200 and "Hello, alice" in page.text
        assert page.headers["vary"] == "Cookie"
        assert client.get("/api/me").json() == {"user": "alice"}

        bye = client.post("/logout", data={"csrf_token": TOKEN.search(page.text).group(1)})
        assert bye.status_code == 302 and bye.headers["location"] == "/login"
        assert "session" not in client.cookies
        assert client.get("/private").status_code == 302

    for old in (anonymous, signed_in):  # the ids of before, replayed
        with browser(server) as replay:
            replay.cookies.set("session", old)
            assert replay.get("/private").status_code == 302
            assert replay.get("/api/me", headers={"Accept": "*/*"}).status_code == 401
    server.stop()


def test_the_session_cookie_has_the_safe_flags(server):
    with browser(server) as client:
        resp = client.get("/login")
        cookie = resp.headers["set-cookie"]
        assert cookie.startswith("session=") and "; HttpOnly" in cookie
        assert "; SameSite=Lax" in cookie and "; Path=/" in cookie
        assert "Secure" not in cookie  # plain HTTP here; over HTTPS it is Secure
    server.stop()


def test_a_wrong_password_signs_nobody_in(server):
    with browser(server) as client:
        resp = sign_in(client, password="wonderlan")
        assert resp.status_code == 200 and "Wrong user name or password." in resp.text
        assert TOKEN.search(resp.text)  # the form again, with a token
        assert client.get("/private").status_code == 302
    server.stop()


def test_posts_without_or_with_a_wrong_token_or_from_another_site_are_refused(server):
    with browser(server) as client:
        token = login_token(client)
        form = {"username": "alice", "password": "wonderland"}
        for fields, headers, reason in [
            (form, {}, "no CSRF token"),
            (dict(form, csrf_token="x" * 86), {}, "wrong CSRF token"),
            (dict(form, csrf_token=token[:-2] + "AA"), {}, "wrong CSRF token"),
            (dict(form, csrf_token=token), {"Origin": "https://evil.example"}, "Origin does not match Host"),
            (dict(form, csrf_token=token), {"Origin": "null"}, "opaque origin"),
            (dict(form, csrf_token=token), {"Sec-Fetch-Site": "cross-site"}, "cross-site"),
        ]:
            resp = client.post("/login", data=fields, headers=headers)
            assert resp.status_code == 403 and reason in resp.text, (headers, resp.text)
            assert client.get("/private").status_code == 302
        with browser(server) as stranger:  # a token of another session
            resp = stranger.post("/login", data=dict(form, csrf_token=token))
            assert resp.status_code == 403
        assert sign_in(client, token=token).status_code == 302  # the right one still works
        logout = client.post("/logout")
        assert logout.status_code == 403 and client.get("/private").status_code == 200
    output = server.stop()
    assert output.count("CSRF check failed") == 8


def test_a_tampered_cookie_is_refused(server):
    with browser(server) as client:
        sign_in(client)
        sid = client.cookies["session"]
        for forged in (sid[:-1] + ("A" if sid[-1] != "A" else "B"), sid + "A", "../" + sid[3:],
                       sid.upper(), "", "x" * 5000):
            with browser(server) as attacker:
                attacker.cookies.set("session", forged)
                resp = attacker.get("/private")
                assert resp.status_code == 302, forged
        assert client.get("/private").status_code == 200
    output = server.stop()
    assert "session cookie refused: unknown or expired session id" in output
    assert "session cookie refused: malformed session id" in output


def test_every_next_from_the_attacker_list_is_refused(start_server):
    server = start_server(CHEAP_HASH)
    evil = [url for url in EVIL if isinstance(url, str) and len(url) < 1000]

    def sign_in_with_next(url):
        with browser(server) as client:
            token = login_token(client, "/login?next=" + httpx.URL("/", params={"n": url}).query.decode()[2:])
            return url, sign_in(client, token=token).headers.get("location")

    for url in evil:
        url, location = sign_in_with_next(url)
        assert location == "/private", (url, location)
    with browser(server) as client:  # and a good one is followed
        token = login_token(client, "/login?next=%2Fprivate%3Ftab%3D2")
        assert sign_in(client, token=token).headers["location"] == "/private?tab=2"
    server.stop()


# A real browser: sent to the private page, it lands on the login form,
# types the user and password, submits with a click, and signs out.


def test_sign_in_and_out_in_chromium(start_server, chromium):
    server = start_server()
    page = chromium.open_page()
    try:
        page.navigate(server.url + "private")
        page.wait_for("location.pathname === '/login' && !!document.getElementById('username')")
        assert page.evaluate("location.search") == "?next=/private"

        page.type_into("#username", "alice")
        page.type_into("#password", "wonderland")
        page.click("#submit")
        hello = page.wait_for("location.pathname === '/private' && !!document.getElementById('hello')"
                              " && document.getElementById('hello').textContent")
        assert hello == "Hello, alice"
        assert page.evaluate("document.cookie") == ""  # HttpOnly: no script reads the session
        [cookie] = page.call("Network.getCookies")["cookies"]
        assert cookie["name"] == "session" and cookie["httpOnly"] and cookie["sameSite"] == "Lax"

        page.click("#logout")
        page.wait_for("location.pathname === '/login' && !!document.getElementById('username')")
        assert page.call("Network.getCookies")["cookies"][0]["name"] == "session"  # a new, empty one
        page.navigate(server.url + "private")
        page.wait_for("location.pathname === '/login' && location.search === '?next=/private'")
    finally:
        page.close()
    output = server.stop()
    assert "CSRF check failed" not in output and "refused" not in output


def test_without_chromium_the_browser_test_skips_saying_why(monkeypatch):
    from chromium import Chromium

    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(pytest.skip.Exception, match="no chromium installed.*tests/setup/chromium.sh"):
        Chromium().start()
