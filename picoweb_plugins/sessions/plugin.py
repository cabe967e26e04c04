"""The glue of the sessions plugin to an app, written against the plugin
API of design/PLUGIN_MODEL.md (app.before_request, app.before_send,
app.add_request_attribute, req.cookies, req.scheme). Everything it calls
below it is tested; this module is wired and tested with that API."""

from .backends import CookieBackend, StoreBackend
from .cookie_settings import CookieSettings
from .session import Session
from .signed_cookie import SignedCookieCodec

DEFAULT_MAX_AGE = 14 * 24 * 3600  # two weeks after the last change


def _new_session(req):
    return Session()


def add_vary_cookie(resp):
    """Say in Vary that this response depends on the Cookie header."""
    vary = resp.headers.get("Vary")
    if not vary:
        resp.headers["Vary"] = "Cookie"
    elif "cookie" not in [part.strip().lower() for part in vary.split(",")] and vary != "*":
        resp.headers["Vary"] = vary + ", Cookie"


class Sessions:
    """`req.session` on every request of the app it is installed on.

    With `secret_key` (one or a list, newest first) the data travels in a
    signed cookie; with `store` (FileStore, SqliteStore, RedisStore, ...)
    it stays on the server under a random id. The cookie flags are those of
    CookieSettings; `max_age` counts from the session's last change and is
    enforced on the server whatever the browser keeps.
    """

    def __init__(self, secret_key=None, store=None, max_age=DEFAULT_MAX_AGE, cookie_name="session",
                 path="/", domain=None, secure=None, httponly=True, samesite="Lax"):
        self.cookie = CookieSettings(cookie_name, max_age, path, domain, secure, httponly, samesite)
        self.max_age = max_age
        if store is not None:
            self.backend = StoreBackend(store, max_age)
        elif secret_key is not None:
            self.backend = CookieBackend(SignedCookieCodec(secret_key, max_age))
        else:
            raise ValueError("give secret_key (a signed-cookie session) or store (server-side)")

    def install(self, app):
        app.add_request_attribute("session", _new_session)
        app.before_request(self.load)
        app.before_send(self.save)

    async def load(self, req, resp):
        value = req.cookies.get(self.cookie.name)
        if not value:
            return None  # req.session will be a new empty Session, no I/O
        session, reason = await self.backend.load(value)
        if reason is not None:
            if req.app.log is not None:
                req.app.log.warning("%r: session cookie refused: %s", req, reason)
            session.modified = True  # replace or delete the bad cookie
        req.session = session
        return None

    async def save(self, req, resp):
        session = req.session
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
        add_vary_cookie(resp)
