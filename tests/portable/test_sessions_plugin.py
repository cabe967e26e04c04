# The sessions plugin on an app, driven through the test client: req.session
# loaded before the handler, saved as the head goes out (only when changed),
# Vary: Cookie, the cookie flags, refused cookies, server-side ids, streamed
# responses, and per-app settings.
from cookie_client import Browser, ListLog, set_cookies
from portable import remove_tree, temp_dir

import picoweb
from picoweb_plugins.sessions import Sessions
from picoweb_plugins.sessions.store import MemoryStore, is_session_id, new_session_id
from picoweb_plugins.sessions.store_files import FileStore

KEY = "k" * 32


def counter_app(sessions):
    app = picoweb.WebApp()
    app.log = ListLog()
    app.install(sessions)

    @app.route("/count")
    def count(req, resp):
        req.session["n"] = req.session.get("n", 0) + 1
        return "n=%d" % req.session["n"]

    @app.route("/peek")
    def peek(req, resp):
        return "n=%s" % req.session.get("n")

    @app.route("/plain")
    def plain(req, resp):
        return "no session read"

    @app.route("/clear", methods=["POST"])
    def clear(req, resp):
        req.session.clear()
        return "cleared"

    @app.route("/regenerate", methods=["POST"])
    def regenerate(req, resp):
        req.session.regenerate()
        return "regenerated"

    @app.route("/stream")
    async def stream(req, resp):
        req.session["streamed"] = True
        await picoweb.start_response(resp, "text/plain")
        await resp.awrite("first")
        req.session["late"] = True  # the head, and its cookie, are out already
        await resp.awrite(" second")

    @app.route("/fail")
    def fail(req, resp):
        req.session["n"] = 99
        raise ValueError("a bug")

    return app


async def test_signed_cookie_session_round_trip_with_default_flags():
    browser = Browser(counter_app(Sessions(secret_key=KEY)))
    first = await browser.get("/count")
    assert first.text == "n=1"
    [(name, value, flags)] = set_cookies(first)
    assert name == "session" and value.count(".") == 2
    assert "httponly" in flags and flags["samesite"] == "Lax" and flags["path"] == "/"
    assert flags["max-age"] == str(14 * 24 * 3600) and "secure" not in flags
    assert first.headers["Vary"] == "Cookie"
    assert (await browser.get("/count")).text == "n=2"
    assert (await browser.get("/count")).text == "n=3"


async def test_unchanged_sessions_send_no_cookie_and_unread_ones_no_vary():
    browser = Browser(counter_app(Sessions(secret_key=KEY)))
    await browser.get("/count")
    peek = await browser.get("/peek")
    assert peek.text == "n=1" and set_cookies(peek) == [] and peek.headers["Vary"] == "Cookie"
    plain = await browser.get("/plain")
    assert set_cookies(plain) == [] and "Vary" not in plain.headers
    fresh = await Browser(counter_app(Sessions(secret_key=KEY))).get("/peek")
    assert fresh.text == "n=None" and set_cookies(fresh) == []


async def test_cookie_flags_follow_the_settings_and_the_scheme():
    app = picoweb.WebApp()

    @app.before_request
    def over_tls(req, resp):  # what the server sets for a TLS connection
        req.scheme = "https"

    app.install(Sessions(secret_key=KEY, cookie_name="sid", path="/app", samesite="Strict",
                         max_age=600))
    app.add_url_rule("/", lambda req, resp: req.session.update(a=1) or "ok")
    [(name, _, flags)] = set_cookies(await Browser(app).get("/"))
    assert name == "sid" and "secure" in flags and flags["samesite"] == "Strict"
    assert flags["path"] == "/app" and flags["max-age"] == "600"
    forced = counter_app(Sessions(secret_key=KEY, secure=True))
    [(_, _, flags)] = set_cookies(await Browser(forced).get("/count"))
    assert "secure" in flags


async def test_refused_cookies_give_a_fresh_session_a_log_line_and_a_deleted_cookie():
    app = counter_app(Sessions(secret_key=KEY))
    good = set_cookies(await Browser(app).get("/count"))[0][1]
    payload, issued, signature = good.split(".")
    other_key = Browser(counter_app(Sessions(secret_key="o" * 32)))
    await other_key.get("/count")
    for bad, reason in [
        (payload + "x." + issued + "." + signature, "bad signature"),
        (payload + "." + issued + "." + signature[:-2], "bad signature"),
        (other_key.cookies["session"], "bad signature"),
        ("a" * 5000, "oversized"),
        ("garbage", "malformed"),
        ("..", "bad signature"),
    ]:
        app.log.lines = []
        browser = Browser(app)
        browser.cookies["session"] = bad
        resp = await browser.get("/peek")
        assert resp.status == 200 and resp.text == "n=None", (bad, resp.text)
        assert set_cookies(resp)[0][2]["max-age"] == "0"  # the bad cookie is deleted
        assert "session cookie refused: " + reason in app.log.text(), app.log.text()
        assert "session" not in browser.cookies


async def test_an_expired_cookie_is_refused():
    app = counter_app(Sessions(secret_key=KEY, max_age=1))
    from picoweb_plugins.sessions.signed_cookie import SignedCookieCodec
    import time

    old = SignedCookieCodec(KEY, 1).encode({"n": 5}, now=time.time() - 120)
    browser = Browser(app)
    browser.cookies["session"] = old
    assert (await browser.get("/peek")).text == "n=None"
    assert "session cookie refused: expired" in app.log.text()


async def test_server_side_sessions_keep_an_id_in_the_cookie():
    folder = temp_dir()
    try:
        store = FileStore(folder + "/sessions")
        browser = Browser(counter_app(Sessions(store=store)))
        await browser.get("/count")
        sid = browser.cookies["session"]
        assert is_session_id(sid)
        assert (await browser.get("/count")).text == "n=2"
        assert browser.cookies["session"] == sid  # the same id, saved again
        assert await store.load(sid) == {"n": 2}
    finally:
        remove_tree(folder)


async def test_clear_and_regenerate_make_the_old_id_stop_working():
    store = MemoryStore()
    app = counter_app(Sessions(store=store))
    browser = Browser(app)
    await browser.get("/count")
    old = browser.cookies["session"]
    await browser.post("/regenerate")
    new = browser.cookies["session"]
    assert new != old and await store.load(old) is None
    assert (await browser.get("/peek")).text == "n=1"
    replay = Browser(app)
    replay.cookies["session"] = old
    assert (await replay.get("/peek")).text == "n=None"
    assert "unknown or expired session id" in app.log.text()

    cleared = await browser.post("/clear")
    assert set_cookies(cleared)[0][2]["max-age"] == "0" and "session" not in browser.cookies
    assert await store.load(new) is None
    replay.cookies["session"] = new
    assert (await replay.get("/peek")).text == "n=None"


async def test_a_streamed_response_carries_the_cookie_and_late_changes_are_logged():
    store = MemoryStore()
    app = counter_app(Sessions(store=store))
    browser = Browser(app)
    resp = await browser.get("/stream")
    assert resp.text == "first second"
    assert await store.load(browser.cookies["session"]) == {"streamed": True}
    assert "session changed after the response head was sent" in app.log.text()


async def test_a_failing_handler_gives_a_500_and_its_changes_are_still_sent():
    # Error answers go through before_send too: what the handler wrote is
    # saved, as after any other answer.
    browser = Browser(counter_app(Sessions(secret_key=KEY)))
    assert (await browser.get("/fail")).status == 500
    assert (await browser.get("/peek")).text == "n=99"


class BrokenStore(MemoryStore):
    async def load(self, sid):
        raise OSError("connection refused")


async def test_a_failing_store_is_a_503_and_a_log_line():
    app = counter_app(Sessions(store=BrokenStore()))
    browser = Browser(app)
    browser.cookies["session"] = new_session_id()
    resp = await browser.get("/peek")
    assert resp.status == 503 and "session store unavailable" in resp.text
    assert "the session store failed" in app.log.text()


async def test_a_mounted_app_can_have_sessions_of_its_own():
    site = counter_app(Sessions(secret_key=KEY, cookie_name="site"))
    api = counter_app(Sessions(store=MemoryStore(), cookie_name="api", path="/api"))
    site.mount("/api", api)
    browser = Browser(site)
    await browser.get("/count")
    await browser.get("/count")
    api_count = await browser.get("/api/count")
    assert api_count.text == "n=1"
    assert [cookie[0] for cookie in set_cookies(api_count)] == ["api"]
    assert set_cookies(api_count)[0][2]["path"] == "/api"
    assert (await browser.get("/peek")).text == "n=2"
    assert (await browser.get("/api/peek")).text == "n=1"
    assert sorted(browser.cookies) == ["api", "site"]


async def test_a_mounted_app_without_sessions_uses_its_parents():
    site = counter_app(Sessions(secret_key=KEY))
    sub = picoweb.WebApp()
    sub.add_url_rule("/n", lambda req, resp: "n=%s" % req.session.get("n"))
    site.mount("/sub", sub)
    browser = Browser(site)
    await browser.get("/count")
    assert (await browser.get("/sub/n")).text == "n=1"


async def test_requests_refused_before_any_app_keep_their_status():
    from picoweb.testclient import TestClient, parse_responses

    client = TestClient(counter_app(Sessions(secret_key=KEY)))
    for raw, status in [(b"GARBAGE\r\n\r\n", 400), (b"GET / HTTP/1.1\r\nBad Header\r\n\r\n", 400),
                        (b"GET /peek HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n", 413)]:
        [resp] = parse_responses(await client.raw(raw))
        assert resp.status == status, (raw, resp.status)


def test_sessions_need_one_of_a_key_or_a_store():
    from portable import raises

    assert raises(ValueError, Sessions)
    assert raises(ValueError, Sessions, secret_key=KEY, store=MemoryStore())
    assert raises(ValueError, Sessions, secret_key="short")
