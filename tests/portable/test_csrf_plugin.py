# The csrf plugin on an app: both layers on every unsafe request (the
# browser's Sec-Fetch-Site / Origin, then the session-tied token from a form
# field or a header), 403 with a clear message and a log line, exemptions,
# and the token helpers, driven through the test client.
from cookie_client import Browser, ListLog

import picoweb
from picoweb_plugins.auth import Auth
from picoweb_plugins.csrf import Csrf, csrf_exempt
from picoweb_plugins.forms import Forms
from picoweb_plugins.sessions import Sessions

KEY = "k" * 32
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin", "Origin": "http://testclient"}


def csrf_app(csrf=None, forms=True):
    app = picoweb.WebApp()
    app.log = ListLog()
    app.install(Sessions(secret_key=KEY))
    if forms:
        app.install(Forms())
    app.install(csrf or Csrf())
    auth = app.install(Auth(lambda user_id: user_id))

    @app.route("/form")
    def form(req, resp):
        return req.csrf_token()

    @app.route("/field")
    def field(req, resp):
        return req.csrf_input()

    @app.route("/post", methods=["POST", "PUT", "DELETE", "PATCH"])
    async def post(req, resp):
        form = await req.read_form_data() if forms else {}
        return "done: %s" % form.get("thing")

    @app.route("/hook", methods=["POST"], csrf=False)
    def hook(req, resp):
        return "webhook"

    @app.route("/marked", methods=["POST"])
    @csrf_exempt
    def marked(req, resp):
        return "marked"

    @app.route("/login", methods=["POST"])
    def login(req, resp):
        auth.login_user(req, resp, "alice")
        return "in"

    return app


async def token_of(browser):
    return (await browser.get("/form")).text


async def test_a_form_post_with_the_token_passes_and_the_handler_reads_the_form():
    browser = Browser(csrf_app(), SAME_ORIGIN)
    token = await token_of(browser)
    resp = await browser.post_form("/post", {"csrf_token": token, "thing": "ok"})
    assert resp.status == 200 and resp.text == "done: ok"
    multipart = ("--b\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n%s\r\n"
                 "--b\r\nContent-Disposition: form-data; name=\"thing\"\r\n\r\nmp\r\n--b--\r\n" % token)
    resp = await browser.post("/post", multipart, {"Content-Type": "multipart/form-data; boundary=b"})
    assert resp.text == "done: mp"


async def test_a_token_in_the_header_passes_for_any_unsafe_method():
    browser = Browser(csrf_app(), SAME_ORIGIN)
    token = await token_of(browser)
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        resp = await browser.request(method, "/post", headers={"X-CSRF-Token": token})
        assert resp.status == 200, method


async def test_tokens_differ_per_response_and_all_pass():
    browser = Browser(csrf_app(), SAME_ORIGIN)
    tokens = []
    for _ in range(3):  # (no await in a comprehension on MicroPython)
        tokens.append(await token_of(browser))
    assert len(set(tokens)) == 3
    for token in tokens:
        assert (await browser.post_form("/post", {"csrf_token": token})).status == 200


async def test_missing_and_wrong_tokens_are_refused_with_a_reason_and_a_log_line():
    app = csrf_app()
    browser = Browser(app, SAME_ORIGIN)
    token = await token_of(browser)
    stranger = Browser(app, SAME_ORIGIN)
    for fields, headers, reason in [
        ({"thing": "x"}, None, "no CSRF token"),
        ({"csrf_token": "forged"}, None, "wrong CSRF token"),
        ({"csrf_token": token[:-1] + ("A" if token[-1] != "A" else "B")}, None, "wrong CSRF token"),
        ({"csrf_token": await token_of(stranger)}, None, "wrong CSRF token"),
        ({}, {"X-CSRF-Token": ""}, "wrong CSRF token"),
    ]:
        app.log.lines = []
        resp = await browser.post_form("/post", fields, headers)
        assert resp.status == 403 and "CSRF check failed: " + reason in resp.text, (fields, resp.text)
        assert "POST /post: CSRF check failed: " + reason in app.log.text()
    json_post = await browser.post("/post", "{}", {"Content-Type": "application/json"})
    assert json_post.status == 403 and "no CSRF token" in json_post.text
    no_session = Browser(app, SAME_ORIGIN)
    assert (await no_session.post_form("/post", {"csrf_token": token})).status == 403


async def test_cross_site_requests_are_refused_before_the_body_is_read():
    app = csrf_app()
    browser = Browser(app)
    token = await token_of(browser)
    for headers, reason in [
        ({"Sec-Fetch-Site": "cross-site"}, "cross-site request"),
        ({"Sec-Fetch-Site": "same-site"}, "another origin of this site"),
        ({"Origin": "https://evil.example"}, "Origin does not match Host"),
        ({"Origin": "http://testclient.evil.example"}, "Origin does not match Host"),
        ({"Origin": "null"}, "opaque origin"),
        ({"Origin": "not a url"}, "malformed Origin"),
    ]:
        resp = await browser.post_form("/post", {"csrf_token": token}, headers)
        assert resp.status == 403 and reason in resp.text, (headers, resp.text)
    # A client that sends neither header is no browser: the token decides.
    assert (await browser.post_form("/post", {"csrf_token": token})).status == 200


async def test_trusted_origins_may_post_with_a_token():
    browser = Browser(csrf_app(Csrf(trusted_origins=["https://shop.example:443"])))
    token = await token_of(browser)
    headers = {"Origin": "https://shop.example", "Sec-Fetch-Site": "cross-site"}
    assert (await browser.post_form("/post", {"csrf_token": token}, headers)).status == 200
    assert (await browser.post_form("/post", {}, headers)).status == 403


async def test_safe_methods_and_exempt_routes_pass_unchecked():
    browser = Browser(csrf_app(), {"Sec-Fetch-Site": "cross-site"})
    assert (await browser.get("/form")).status == 200
    assert (await browser.request("HEAD", "/form")).status == 200
    assert (await browser.post("/hook")).text == "webhook"
    assert (await browser.post("/marked")).text == "marked"


async def test_each_layer_can_be_turned_off():
    only_origin = Browser(csrf_app(Csrf(check_token=False)), SAME_ORIGIN)
    assert (await only_origin.post_form("/post", {"thing": "x"})).status == 200
    assert (await only_origin.post_form("/post", {}, {"Sec-Fetch-Site": "cross-site"})).status == 403
    only_token = Browser(csrf_app(Csrf(check_origin=False)), {"Sec-Fetch-Site": "cross-site"})
    assert (await only_token.post_form("/post", {"csrf_token": await token_of(only_token)})).status == 200


async def test_the_hidden_field_helper_and_a_new_secret_at_login():
    browser = Browser(csrf_app(), SAME_ORIGIN)
    field = (await browser.get("/field")).text
    assert field.startswith('<input type="hidden" name="csrf_token" value="') and field.endswith('">')
    before = await token_of(browser)
    await browser.post_form("/login", {"csrf_token": before})
    assert (await browser.post_form("/post", {"csrf_token": before})).status == 403
    assert (await browser.post_form("/post", {"csrf_token": await token_of(browser)})).status == 200


async def test_form_tokens_need_the_forms_plugin():
    app = csrf_app(forms=False)
    browser = Browser(app, SAME_ORIGIN)
    token = await token_of(browser)
    assert (await browser.post("/post", headers={"X-CSRF-Token": token})).status == 200
    assert (await browser.post_form("/post", {"csrf_token": token})).status == 500
