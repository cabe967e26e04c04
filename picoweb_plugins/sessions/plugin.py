"""The glue of the sessions plugin to an app: `req.session` loaded before
the handler, saved as the response head goes out, and the helpers the
auth and csrf plugins share (which Sessions serves a request, log text)."""

from picoweb import HTTPError
from picoweb.logs import log_exception, loggable

from .backends import CookieBackend, StoreBackend
from .cookie_settings import CookieSettings
from .session import Session
from .signed_cookie import SignedCookieCodec

DEFAULT_MAX_AGE = 14 * 24 * 3600  # two weeks after the last change


def serving_app(req):
    """The app the request was resolved to (the innermost mounted one):
    its plugins' settings are the ones that apply, wherever a hook runs."""
    return req.hops[-1][0] if req.hops else req.app


def sessions_for(req):
    """The Sessions plugin nearest to the app serving `req`, or None."""
    return serving_app(req).find_plugin(Sessions)


def request_label(req):
    """"METHOD /path" for a log line, escaped so no request forges one."""
    return "%s %s" % (req.method, loggable(req.prefix + req.path))


async def load_session(req):
    """`req.session`, loaded first if no hook has yet: a plugin's
    before_request hook calls this instead of counting on hook order."""
    session = req.session
    if session.loaded_by is None:
        plugin = sessions_for(req)
        if plugin is None:
            raise RuntimeError("req.session needs the sessions plugin on the app serving it")
        session = await plugin.open(req)
    return session


def _unloaded(req):
    return Session()


def add_vary_cookie(resp):
    """Say in Vary that this response depends on the Cookie header."""
    vary = resp.headers.get("Vary")
    if not vary:
        resp.headers["Vary"] = "Cookie"
    elif "cookie" not in [part.strip().lower() for part in vary.split(",")] and vary != "*":
        resp.headers["Vary"] = vary + ", Cookie"


class Sessions:
    """`req.session` on every request of the app it is installed on (and
    of the apps mounted under it that install no Sessions of their own).

    With `secret_key` (one or a list, newest first) the data travels in a
    signed cookie; with `store` (see store.py) it stays on the server
    under a random id. Cookie flags: HttpOnly, SameSite=Lax, Path=/, and
    Secure when `req.scheme` is "https" (`secure=None`; True or False
    forces it, as behind a proxy that ends TLS). `max_age` counts from the
    session's last change and is enforced on the server.
    """

    def __init__(self, secret_key=None, store=None, max_age=DEFAULT_MAX_AGE, cookie_name="session",
                 path="/", domain=None, secure=None, httponly=True, samesite="Lax"):
        if (secret_key is None) == (store is None):
            raise ValueError("give secret_key (a signed-cookie session) or store (server-side), "
                             "one of the two")
        self.cookie = CookieSettings(cookie_name, max_age, path, domain, secure, httponly, samesite)
        self.max_age = max_age
        self.store = store
        if store is not None:
            self.backend = StoreBackend(store, max_age)
        else:
            self.backend = CookieBackend(SignedCookieCodec(secret_key, max_age))

    def install(self, app):
        app.add_request_attribute("session", _unloaded)
        app.before_request(self._before_request)
        app.before_send(self._before_send)
        app.teardown_request(self._teardown)

    async def _before_request(self, req, resp):
        await load_session(req)

    async def open(self, req):
        """Load the session of `req` from its cookie with these settings.
        A cookie that is refused (forged, expired, unknown) gives a new
        empty session, a log line, and a deleted or replaced cookie."""
        session = reason = None
        value = req.cookies.get(self.cookie.name)
        if value:
            try:
                session, reason = await self.backend.load(value)
            except Exception as exc:
                log_exception(req.app.log, "%s: the session store failed" % request_label(req), exc)
                raise HTTPError(503, "session store unavailable")
        if session is None:
            session = Session()
        if reason is not None:
            req.app.log.warning("%s: session cookie refused: %s", request_label(req), reason)
            session.modified = True  # so the bad cookie is replaced or deleted
        session.loaded_by = self
        req.session = session
        return session

    async def _before_send(self, req, resp):
        # A request the connection refused before any app took it (a
        # malformed request line) is a plain Request, without `session`.
        session = getattr(req, "session", None)
        if session is not None and (session.loaded_by or sessions_for(req)) is self:
            await self.save(req, resp, session)

    async def save(self, req, resp, session):
        """Send the session back if it changed: its cookie, or the cookie's
        deletion once it is empty; Vary: Cookie on any response that read it."""
        if session.accessed:
            add_vary_cookie(resp)
        if not session.modified:
            return
        session.modified = False
        value = await self.backend.save(session)
        if value is None:
            if self.cookie.name in req.cookies:
                resp.headers.add("Set-Cookie", self.cookie.deletion_header(req.scheme))
        else:
            resp.headers.add("Set-Cookie", self.cookie.header(value, req.scheme))

    def _teardown(self, req, resp):
        session = req.session
        if session.modified and resp.headers_sent and session.loaded_by is self:
            # The head (and its Set-Cookie) went out before this change.
            req.app.log.warning("%s: session changed after the response head was sent: not saved",
                                request_label(req))
