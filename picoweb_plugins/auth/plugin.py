"""The glue of the auth plugin's login sessions to an app: `req.user`
from the session, login_user / logout_user, login_required for a route or
a whole (mounted) app, the post-login `next`, and the remember-me cookie."""

from picoweb import HTTPError, WebApp
from picoweb_plugins.sessions.plugin import load_session, request_label, serving_app, sessions_for
from picoweb_plugins.sessions.signed_cookie import SignedCookieCodec

from .http_auth import nobody, result_of
from .next_url import is_safe_next_url, login_url_with_next, query_value, safe_next_url

USER_KEY = "_user"  # the logged-in user's id, in the session
NEXT_KEY = "_next"  # where to go after the login form, in the session
CSRF_KEY = "_csrf"  # the csrf plugin's secret: a new one at each login
REMEMBER_MAX_AGE = 30 * 24 * 3600


def wants_html(req):
    """True for a browser (text/html in Accept): it is sent to the login
    page; any other client gets a 401."""
    return "text/html" in req.headers.get("accept", "")


def auth_for(req):
    """The Auth plugin nearest to the app serving `req`, or None."""
    return serving_app(req).find_plugin(Auth)


class LoginRequired:
    """What login_required(app) installs: every request to that app (and
    the apps mounted under it) needs a login; Auth's hook checks it. Its
    own hook only refuses to serve where no Auth could check."""

    def install(self, app):
        app.before_request(self._auth_present)

    def _auth_present(self, req, resp):
        if auth_for(req) is None:
            raise RuntimeError("login_required(app) needs the auth plugin (Auth) installed "
                               "on that app or one it is mounted in")


def login_required(target):
    """For a handler (a decorator: put it under @app.route): it runs only
    for a logged-in user. For an app: every route of it needs a login,
    but those given the route option login_required=False."""
    if isinstance(target, WebApp):
        target.install(LoginRequired())
        return target

    async def logged_in_only(req, resp, *args, **kwargs):
        if req.user is None:
            auth = req.app.find_plugin(Auth)
            if auth is None:
                raise RuntimeError("@login_required needs the auth plugin (Auth) on this app")
            auth.deny(req, resp)
            return None
        return await result_of(target(req, resp, *args, **kwargs))

    return logged_in_only


def mount_prefix(req, app):
    """Where `app` is mounted, as `req` went through it ("" at the root)."""
    for hop in req.hops:
        if hop[0] is app:
            return hop[1]
    return ""


def _login_required_for(req):
    route = req.route
    if route is not None and route.extra.get("login_required") is False:
        return False
    return serving_app(req).find_plugin(LoginRequired) is not None


class Auth:
    """Login sessions. `req.user` is `user_loader(user_id)` (sync or async)
    for the id login_user() kept in the session, None when nobody is
    logged in. `login_url` is the path (in the app Auth is installed on,
    wherever that is mounted) browsers are sent to when a login is missing. With `remember_key` (32+ bytes), login_user(...,
    remember=True) also sets a signed remember-me cookie with the session
    cookie's flags, which logs its user in again once the session is gone."""

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
        self.app = app  # login_url is one of its paths
        app.add_request_attribute("user", nobody)
        app.before_request(self._before_request)

    async def _before_request(self, req, resp):
        if auth_for(req) is not self:
            return None  # an app mounted below has an Auth of its own
        await load_session(req)
        req.user = await self.load_user(req, resp)
        if req.user is None and _login_required_for(req):
            self.deny(req, resp)
        return None

    async def load_user(self, req, resp):
        """The logged-in user of `req` (or of its remember-me cookie), or None."""
        session = req.session
        user_id = session.get(USER_KEY)
        if user_id is None and self.remember_codec is not None:
            value = req.cookies.get(self.remember_cookie)
            if value:
                data, reason = self.remember_codec.decode(value)
                if data is None or data.get("user") is None:
                    req.app.log.warning("%s: remember-me cookie refused: %s", request_label(req),
                                        reason or "no user")
                    self._forget(req, resp)
                else:
                    user_id = data["user"]
                    session.regenerate()
                    session[USER_KEY] = user_id
        if user_id is None:
            return None
        return await result_of(self.user_loader(user_id))

    def login_user(self, req, resp, user_id, remember=False):
        """Log `user_id` (JSON: a str or an int) in: a new session id
        (against fixation), a new CSRF secret, and with remember=True the
        remember-me cookie. Check the password first."""
        session = req.session
        session.regenerate()
        session.pop(CSRF_KEY, None)
        session[USER_KEY] = user_id
        if remember and self.remember_codec is not None:
            value = self.remember_codec.encode({"user": user_id})
            resp.headers.add("Set-Cookie", self._remember_settings(req).header(value, req.scheme))

    def logout_user(self, req, resp):
        """Log out: the session is emptied (a store forgets its id) and the
        remember-me cookie deleted."""
        req.session.clear()
        req.user = None
        self._forget(req, resp)

    def _forget(self, req, resp):
        if self.remember_codec is not None and self.remember_cookie in req.cookies:
            resp.headers.add("Set-Cookie", self._remember_settings(req).deletion_header(req.scheme))

    def _remember_settings(self, req):
        return sessions_for(req).cookie.with_changes(name=self.remember_cookie,
                                                     max_age=self.remember_max_age)

    def deny(self, req, resp):
        """Answer a request that lacks a login: a browser is redirected to
        the login page with `next` set to where it was going; any other
        client gets 401."""
        if not wants_html(req):
            raise HTTPError(401, "login required")
        location = login_url_with_next(mount_prefix(req, self.app) + self.login_url,
                                       req.prefix + req.path, req.qs)
        resp.set_body("", 302, "text/html; charset=utf-8", {"Location": location})

    def keep_next(self, req):
        """On the login page (GET): keep its `next` query parameter in the
        session, if it points back into this site, for next_url()."""
        target = query_value(req.qs, "next")
        if target is not None and is_safe_next_url(target):
            req.session[NEXT_KEY] = target
        elif NEXT_KEY in req.session:
            del req.session[NEXT_KEY]

    def next_url(self, req, default="/"):
        """Where to send the browser after a login: the `next` that
        keep_next() kept (checked again), else `default`."""
        return safe_next_url(req.session.pop(NEXT_KEY, None), default)
