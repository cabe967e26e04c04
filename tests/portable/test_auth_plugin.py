# The auth plugin on an app: login sessions (req.user, login_user,
# logout_user, login_required for a route or an app, the kept `next`,
# remember-me) and HTTP Basic / Bearer, driven through the test client.
from cookie_client import Browser, ListLog, set_cookies
from test_auth_next_url import EVIL

import picoweb
from picoweb import HTTPError
from picoweb_plugins.auth import Auth, BasicAuth, BearerAuth, login_required
from picoweb_plugins.auth.next_url import quote
from picoweb_plugins.sessions import Sessions
from picoweb_plugins.sessions.store import MemoryStore

KEY = "k" * 32
USERS = {"alice": "Alice", "bob": "Bob"}
HTML = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}


async def load_user_async(user_id):
    return USERS.get(user_id)


def login_app(user_loader=USERS.get, store=None, remember_key=None, install_order=("sessions", "auth")):
    app = picoweb.WebApp()
    app.log = ListLog()
    plugins = {"sessions": Sessions(secret_key=KEY) if store is None else Sessions(store=store),
               "auth": Auth(user_loader, login_url="/login", remember_key=remember_key)}
    for name in install_order:
        app.install(plugins[name])
    auth = plugins["auth"]

    @app.route("/login")
    def login_page(req, resp):
        auth.keep_next(req)
        return "the login form"

    @app.route("/login", methods=["POST"])
    def login(req, resp):
        user = req.qs.partition("user=")[2].partition("&")[0]
        if user not in USERS:
            return "no such user", 403
        auth.login_user(req, resp, user, remember="remember" in req.qs)
        resp.set_body("", 302, headers={"Location": auth.next_url(req)})

    @app.route("/logout", methods=["POST"])
    def logout(req, resp):
        auth.logout_user(req, resp)
        return "bye"

    @app.route("/private")
    @login_required
    def private(req, resp):
        return "Hello, " + req.user

    @app.route("/whoami")
    def whoami(req, resp):
        return "user=%s" % req.user

    return app, auth


async def test_login_sets_req_user_and_logout_forgets_it():
    for loader in (USERS.get, load_user_async):
        for order in (("sessions", "auth"), ("auth", "sessions")):  # hook order does not matter
            app, _ = login_app(loader, install_order=order)
            browser = Browser(app, HTML)
            assert (await browser.get("/whoami")).text == "user=None"
            await browser.post("/login?user=alice")
            assert (await browser.get("/whoami")).text == "user=Alice"
            assert (await browser.get("/private")).text == "Hello, Alice"
            await browser.post("/logout")
            assert (await browser.get("/whoami")).text == "user=None"


async def test_browsers_are_sent_to_the_login_page_and_others_get_401():
    app, _ = login_app()
    resp = await Browser(app, HTML).get("/private?tab=2")
    assert resp.status == 302
    assert resp.headers["Location"] == "/login?next=" + quote("/private?tab=2")
    api = await Browser(app, {"Accept": "application/json"}).get("/private")
    assert api.status == 401 and api.json()["message"] == "login required"
    assert (await Browser(app).get("/private")).status == 401  # no Accept: no browser


async def test_the_kept_next_brings_the_browser_back():
    app, _ = login_app()
    browser = Browser(app, HTML)
    login_page = (await browser.get("/private?tab=2")).headers["Location"]
    await browser.get(login_page)
    done = await browser.post("/login?user=alice")
    assert done.status == 302 and done.headers["Location"] == "/private?tab=2"
    again = await browser.post("/login?user=alice")
    assert again.headers["Location"] == "/"  # used once


async def test_every_next_from_the_attacker_list_is_refused():
    app, _ = login_app()
    for evil in EVIL:
        if not isinstance(evil, str) or len(evil) > 200:  # the long one: test_auth_next_url
            continue
        browser = Browser(app, HTML)
        await browser.get("/login?next=" + quote(evil))
        done = await browser.post("/login?user=alice")
        assert done.headers["Location"] == "/", (evil, done.headers["Location"])
    for raw in ("//evil.example", "%2F%2Fevil.example", "https://evil.example", "%zz", "%C3"):
        browser = Browser(app, HTML)
        await browser.get("/login?next=" + raw)
        assert (await browser.post("/login?user=alice")).headers["Location"] == "/", raw


async def test_login_gives_a_new_session_id_and_the_old_one_stops_working():
    store = MemoryStore()
    app, _ = login_app(store=store)
    browser = Browser(app, HTML)
    await browser.get("/login?next=/private")
    anonymous = browser.cookies["session"]
    await browser.post("/login?user=alice")
    logged_in = browser.cookies["session"]
    assert logged_in != anonymous and await store.load(anonymous) is None
    await browser.post("/logout")
    assert "session" not in browser.cookies and await store.load(logged_in) is None
    stolen = Browser(app, HTML)
    stolen.cookies["session"] = logged_in
    assert (await stolen.get("/private")).status == 302


async def test_a_whole_app_can_need_a_login_but_routes_that_opt_out():
    app, _ = login_app()
    admin = picoweb.WebApp()
    admin.add_url_rule("/", lambda req, resp: "admin for " + req.user)
    admin.add_url_rule("/status", lambda req, resp: "up", login_required=False)
    app.mount("/admin", login_required(admin))
    browser = Browser(app, HTML)
    for path in ("/admin", "/admin/", "/admin/missing"):
        resp = await browser.get(path)
        assert resp.status == 302 and resp.headers["Location"].startswith("/login?next=/admin"), path
    assert (await browser.get("/admin/status")).text == "up"
    await browser.post("/login?user=bob")
    assert (await browser.get("/admin/")).text == "admin for Bob"


async def test_login_required_without_the_auth_plugin_refuses_to_serve():
    app = picoweb.WebApp()
    app.log = ListLog()
    app.install(Sessions(secret_key=KEY))
    app.add_url_rule("/", lambda req, resp: "secret")
    login_required(app)
    resp = await Browser(app).get("/")
    assert resp.status == 500 and "secret" not in resp.text
    assert "<Request GET /> failed" in app.log.text()


async def test_a_user_gone_from_the_loader_is_logged_out():
    users = dict(USERS)
    app, _ = login_app(users.get)
    browser = Browser(app, HTML)
    await browser.post("/login?user=alice")
    del users["alice"]
    assert (await browser.get("/private")).status == 302


async def test_remember_me_logs_in_again_with_the_session_cookies_flags():
    app, _ = login_app(store=MemoryStore(), remember_key="r" * 32)
    browser = Browser(app, HTML)
    done = await browser.post("/login?user=alice&remember")
    flags = dict((name, attributes) for name, _, attributes in set_cookies(done))
    assert flags["remember"]["samesite"] == "Lax" and "httponly" in flags["remember"]
    assert flags["remember"]["max-age"] == str(30 * 24 * 3600)
    del browser.cookies["session"]  # the browser was closed; the session is gone
    resp = await browser.get("/private")
    assert resp.text == "Hello, Alice" and "session" in browser.cookies
    await browser.post("/logout")
    assert "remember" not in browser.cookies
    assert (await browser.get("/private")).status == 302


async def test_a_forged_remember_me_cookie_is_refused_and_deleted():
    app, _ = login_app(remember_key="r" * 32)
    other, _ = login_app(remember_key="x" * 32)
    forger = Browser(other, HTML)
    await forger.post("/login?user=alice&remember")
    browser = Browser(app, HTML)
    browser.cookies["remember"] = forger.cookies["remember"]
    resp = await browser.get("/private")
    assert resp.status == 302 and "remember" not in browser.cookies
    assert "remember-me cookie refused: bad signature" in app.log.text()


def basic_app(verify):
    app = picoweb.WebApp()
    basic = app.install(BasicAuth(verify, realm="the \"demo\""))

    @app.route("/")
    def index(req, resp):
        return "open"

    @app.route("/private")
    @basic.required
    def private(req, resp):
        return "Hello, " + req.user

    admin = picoweb.WebApp()
    admin.add_url_rule("/", lambda req, resp: "admin " + req.user)
    app.mount("/admin", basic.required(admin))
    return app


def check_admin(user, password):
    return user if (user, password) == ("admin", "s3cret: yes") else None


async def check_admin_async(user, password):
    return check_admin(user, password)


async def test_basic_auth_guards_a_route_and_an_app():
    import binascii

    for verify in (check_admin, check_admin_async):
        client = Browser(basic_app(verify))
        assert (await client.get("/")).text == "open"
        for path in ("/private", "/admin/"):
            resp = await client.get(path)
            assert resp.status == 401
            assert resp.headers["WWW-Authenticate"] == 'Basic realm="the \\"demo\\"", charset="UTF-8"'
            good = "Basic " + binascii.b2a_base64(b"admin:s3cret: yes", newline=False).decode()
            wrong = "Basic " + binascii.b2a_base64(b"admin:wrong", newline=False).decode()
            for header in (wrong, "Basic !!!", "Bearer abc", "Basic", good + "=", good.lower()):
                assert (await client.get(path, {"Authorization": header})).status == 401, header
            assert (await client.get(path, {"Authorization": good})).status == 200


async def test_bearer_auth_says_why_in_its_challenge():
    app = picoweb.WebApp()
    bearer = app.install(BearerAuth(lambda token: "robot" if token == "t0ken" else None, realm="api"))
    app.add_url_rule("/", bearer.required(lambda req, resp: "Hello, " + req.user))
    client = Browser(app)
    missing = await client.get("/")
    assert missing.status == 401 and missing.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    wrong = await client.get("/", {"Authorization": "Bearer nope"})
    assert wrong.headers["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'
    assert (await client.get("/", {"Authorization": "Bearer t0ken"})).text == "Hello, robot"


async def test_an_api_mounted_with_its_own_auth():
    app, _ = login_app()
    api = picoweb.WebApp()
    api.json_errors = True
    api_auth = api.install(Auth(lambda user_id: "api:" + user_id, login_url="/login"))

    @api.route("/me")
    @login_required
    def me(req, resp):
        return {"user": req.user}

    app.mount("/api", api)
    browser = Browser(app, HTML)
    assert (await browser.get("/api/me")).status == 302  # a browser: to the login page
    denied = await Browser(app).get("/api/me")
    assert denied.status == 401 and denied.json()["message"] == "login required"
    await browser.post("/login?user=alice")
    assert (await browser.get("/api/me")).json() == {"user": "api:alice"}
    assert api_auth is not None


async def test_the_login_url_is_a_path_of_the_app_auth_is_installed_on():
    shop, _ = login_app()
    site = picoweb.WebApp()
    site.mount("/shop", shop)
    resp = await Browser(site, HTML).get("/shop/private?x=1")
    assert resp.status == 302
    assert resp.headers["Location"] == "/shop/login?next=" + quote("/shop/private?x=1")
