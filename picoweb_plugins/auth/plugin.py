"""The glue of the auth plugin to an app, written against the plugin API
of design/PLUGIN_MODEL.md (hooks, req.session from the sessions plugin,
req.app.find_plugin, resp.set_body, HTTPError). What it calls is tested;
this module is wired and tested with that API."""

from picoweb import HTTPError
from picoweb_plugins.sessions import Sessions
from picoweb_plugins.sessions.signed_cookie import SignedCookieCodec

from .credentials import basic_challenge, bearer_challenge, parse_basic, parse_bearer
from .next_url import login_url_with_next, safe_next_url

USER_KEY = "_user_id"  # where the logged-in user's id lives in the session
CSRF_KEY = "_csrf"  # the csrf plugin's secret: a new one at each login
REMEMBER_MAX_AGE = 30 * 24 * 3600


async def _result(value):
    # A callback may be sync or async; coroutines (and MicroPython's
    # generator-based ones) have send().
    if hasattr(value, "send"):
        return await value
    return value


def _nobody(req):
    return None


def wants_html(req):
    """True for a browser (text/html in Accept): redirect it to log in;
    API clients get a 401."""
    return "text/html" in req.headers.get("accept", "")


class Auth:
    """Login sessions: `req.user` (from `user_loader(user_id)`, sync or
    async; None when nobody is logged in), login_user() / logout_user(),
    login_required for a route and protect(app) for a mounted app. With
    `remember_key`, login_user(remember=True) also sets a signed
    remember-me cookie with the session cookie's flags."""

    def __init__(self, user_loader, login_url="/login", remember_key=None,
                 remember_max_age=REMEMBER_MAX_AGE, remember_cookie="remember"):
        self.user_loader = user_loader
        self.login_url = login_url
        self.remember_max_age = remember_max_age
        self.remember_cookie = remember_cookie
        self.remember_codec = None
        if remember_key is not None:
            self.remember_codec = SignedCookieCodec(remember_key, remember_max_age,
                                                    purpose="picoweb.auth.remember")

    def install(self, app):
        app.add_request_attribute("user", _nobody)
        app.before_request(self.load_user)

    def _remember_settings(self, req):
        sessions = req.app.find_plugin(Sessions)
        return sessions.cookie.with_changes(name=self.remember_cookie, max_age=self.remember_max_age)

    async def load_user(self, req, resp):
        user_id = req.session.get(USER_KEY)
        if user_id is None and self.remember_codec is not None:
            value = req.cookies.get(self.remember_cookie)
            if value:
                data, _ = self.remember_codec.decode(value)
                if data is not None:
                    user_id = data.get("user")
                    req.session.regenerate()
                    req.session[USER_KEY] = user_id
        req.user = None if user_id is None else await _result(self.user_loader(user_id))

    def login_user(self, req, resp, user_id, remember=False):
        """Log `user_id` in: a new session id (against fixation), a new CSRF
        secret, and with remember=True the remember-me cookie."""
        session = req.session
        session.regenerate()
        session.pop(CSRF_KEY, None)
        session[USER_KEY] = user_id
        if remember and self.remember_codec is not None:
            value = self.remember_codec.encode({"user": user_id})
            resp.headers.add("Set-Cookie", self._remember_settings(req).header(value, req.scheme))

    def logout_user(self, req, resp):
        """Log out: the session is emptied (a server-side store forgets its
        id) and the remember-me cookie deleted."""
        req.session.clear()
        req.user = None
        if self.remember_codec is not None and self.remember_cookie in req.cookies:
            resp.headers.add("Set-Cookie", self._remember_settings(req).deletion_header(req.scheme))

    def deny(self, req, resp):
        """Answer a request that needs a login it does not have: browsers
        are sent to the login page, API clients get 401."""
        if not wants_html(req):
            raise HTTPError(401, "login required")
        location = login_url_with_next(req.prefix + self.login_url, req.prefix + req.path, req.qs)
        resp.set_body("", status=302, headers={"Location": location})

    def next_url(self, req, default="/"):
        """Where to go after the login form: its `next`, if it stays on this site."""
        return safe_next_url(req.form.get("next") if hasattr(req, "form") else None, default)

    def protect(self, app):
        """Every route of `app` (a mounted app, say) needs a login."""
        async def check(req, resp):
            if req.user is None:
                self.deny(req, resp)  # set_body() answers the request

        app.before_request(check)


def login_required(handler):
    """A route decorator: the handler runs only for a logged-in user."""
    async def wrapper(req, resp, *args, **kwargs):
        if req.user is None:
            req.app.find_plugin(Auth).deny(req, resp)
            return None
        return await _result(handler(req, resp, *args, **kwargs))

    return wrapper


class BasicAuth:
    """HTTP Basic: `verify(user, password)` (sync or async) returns the user
    or None; install it, then `required` guards a route (401 with a
    challenge otherwise) and sets `req.user`."""

    def __init__(self, verify, realm="picoweb"):
        self.verify = verify
        self.challenge = basic_challenge(realm)

    def install(self, app):
        app.add_request_attribute("user", _nobody)

    async def authenticate(self, req):
        credentials = parse_basic(req.headers.get("authorization"))
        if credentials is None:
            return None
        return await _result(self.verify(credentials[0], credentials[1]))

    def required(self, handler):
        async def wrapper(req, resp, *args, **kwargs):
            req.user = await self.authenticate(req)
            if req.user is None:
                raise HTTPError(401, "authentication required", {"WWW-Authenticate": self.challenge})
            return await _result(handler(req, resp, *args, **kwargs))

        return wrapper


class BearerAuth:
    """Bearer tokens: `verify(token)` (sync or async) returns the user or
    None; install it, then `required` guards a route (401 with a challenge
    otherwise) and sets `req.user`."""

    def __init__(self, verify, realm=None):
        self.verify = verify
        self.realm = realm

    def install(self, app):
        app.add_request_attribute("user", _nobody)

    async def authenticate(self, req):
        token = parse_bearer(req.headers.get("authorization"))
        if token is None:
            return None
        return await _result(self.verify(token))

    def required(self, handler):
        async def wrapper(req, resp, *args, **kwargs):
            req.user = await self.authenticate(req)
            if req.user is None:
                error = "invalid_token" if "authorization" in req.headers else None
                challenge = bearer_challenge(self.realm, error)
                raise HTTPError(401, "authentication required", {"WWW-Authenticate": challenge})
            return await _result(handler(req, resp, *args, **kwargs))

        return wrapper
