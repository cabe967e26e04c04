"""The glue of the csrf plugin to an app: both checks on every unsafe
request, the exemptions, and the token helpers for pages."""

from picoweb import HTTPError
from picoweb_plugins.sessions.plugin import load_session, request_label, serving_app

from .origin import SAFE_METHODS, cross_origin_reason, normalise_origin
from .tokens import FIELD_NAME, HEADER_NAME, SESSION_KEY, check_token, hidden_input, mask_token, new_secret

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Handlers marked by csrf_exempt (MicroPython functions take no attributes).
_exempt_handlers = []


def csrf_exempt(handler):
    """A route decorator: no CSRF check for this handler (a webhook that
    authenticates by other means). Put it right under @app.route, or give
    the route option csrf=False instead."""
    _exempt_handlers.append(handler)
    return handler


def is_exempt(req):
    """True for a route given csrf=False or marked with csrf_exempt."""
    route = req.route
    return route is not None and (route.extra.get("csrf") is False or route.handler in _exempt_handlers)


def csrf_for(req):
    """The Csrf plugin nearest to the app serving `req`, or None."""
    return serving_app(req).find_plugin(Csrf)


class Csrf:
    """Both CSRF layers on every unsafe request (POST, PUT, PATCH, DELETE,
    ...): the browser's Sec-Fetch-Site / Origin (`check_origin`), then
    the session-tied token (`check_token`) from the `field_name` form
    field or the `header_name` header. 403 when either fails.
    `trusted_origins` ("https://other.example") may post here too.
    `req.csrf_token()` gives a token for a page; `req.csrf_input()` the
    hidden form field that carries it. Reading the field needs the forms
    plugin on the app (the handler then reads the same parsed form)."""

    def __init__(self, field_name=FIELD_NAME, header_name=HEADER_NAME, trusted_origins=(),
                 check_origin=True, check_token=True):
        self.field_name = field_name
        self.header_name = header_name.lower()
        self.trusted_origins = tuple(normalise_origin(origin) for origin in trusted_origins)
        self.check_origin = check_origin
        self.check_token = check_token

    def install(self, app):
        app.before_request(self._before_request)
        app.add_request_method("csrf_token", self.token)
        app.add_request_method("csrf_input", self.input)

    def token(self, req):
        """A token for this response (a new mask each time) of the
        session's secret, made now if the session has none."""
        secret = req.session.get(SESSION_KEY)
        if secret is None:
            secret = new_secret()
            req.session[SESSION_KEY] = secret
        return mask_token(secret)

    def input(self, req):
        """The hidden form field with a token, as HTML."""
        return hidden_input(self.token(req), self.field_name)

    def _refuse(self, req, reason):
        req.app.log.warning("%s: CSRF check failed: %s", request_label(req), reason)
        raise HTTPError(403, "CSRF check failed: " + reason)

    async def _sent_token(self, req):
        token = req.headers.get(self.header_name)
        if token is not None:
            return token
        content_type = req.headers.get("content-type", "").partition(";")[0].strip().lower()
        if content_type not in _FORM_TYPES:
            return None
        from picoweb_plugins.forms import Forms

        if serving_app(req).find_plugin(Forms) is None:
            raise RuntimeError("the csrf plugin reads form fields with the forms plugin: "
                               "app.install(Forms()) on this app")
        form = await req.read_form_data()  # parsed once: the handler gets the same
        return form.get(self.field_name)

    async def _before_request(self, req, resp):
        if req.method in SAFE_METHODS or csrf_for(req) is not self or is_exempt(req):
            return None
        if self.check_origin:
            reason = cross_origin_reason(req.method, req.headers, req.headers.get("host"),
                                         self.trusted_origins)
            if reason is not None:
                self._refuse(req, reason)
        if self.check_token:
            session = await load_session(req)
            token = await self._sent_token(req)
            if token is None:
                self._refuse(req, "no CSRF token (form field %s or header %s)"
                             % (self.field_name, self.header_name))
            if not check_token(session.get(SESSION_KEY), token):
                self._refuse(req, "wrong CSRF token")
        return None
