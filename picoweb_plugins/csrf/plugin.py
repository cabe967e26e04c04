"""The glue of the csrf plugin to an app, written against the plugin API
of design/PLUGIN_MODEL.md (app.before_request, app.add_request_method,
req.session from the sessions plugin, HTTPError). What it calls is tested;
this module is wired and tested with that API."""

from picoweb import HTTPError

from .origin import SAFE_METHODS, cross_origin_reason, normalise_origin
from .tokens import FIELD_NAME, HEADER_NAME, SESSION_KEY, check_token, hidden_input, mask_token, new_secret

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_exempt_handlers = []  # functions marked by csrf_exempt (no attributes on MicroPython functions)


def csrf_exempt(handler):
    """A route decorator: no CSRF check for this handler (a webhook that
    authenticates by other means)."""
    _exempt_handlers.append(handler)
    return handler


class Csrf:
    """Both CSRF layers on every unsafe request (POST, PUT, PATCH, DELETE,
    ...): the browser's Sec-Fetch-Site / Origin, then the session-tied
    token from the `field_name` form field or the `header_name` header.
    403 when either fails. `req.csrf_token()` gives a token for a page,
    `req.csrf_input()` the hidden form field that carries it."""

    def __init__(self, field_name=FIELD_NAME, header_name=HEADER_NAME, trusted_origins=()):
        self.field_name = field_name
        self.header_name = header_name.lower()
        self.trusted_origins = tuple(normalise_origin(origin) for origin in trusted_origins)

    def install(self, app):
        app.before_request(self.check)
        app.add_request_method("csrf_token", self.token)
        app.add_request_method("csrf_input", self.input)

    def token(self, req):
        secret = req.session.get(SESSION_KEY)
        if secret is None:
            secret = new_secret()
            req.session[SESSION_KEY] = secret
        return mask_token(secret)

    def input(self, req):
        return hidden_input(self.token(req), self.field_name)

    def _refuse(self, req, reason):
        if req.app.log is not None:
            req.app.log.warning("%r: CSRF check failed: %s", req, reason)
        raise HTTPError(403, "CSRF check failed: " + reason)

    async def _sent_token(self, req):
        token = req.headers.get(self.header_name)
        if token is not None:
            return token
        content_type = req.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in _FORM_TYPES:
            return None
        from picoweb_plugins.forms import read_form  # the handler reads the same parsed form

        form, _ = await read_form(req)
        return form.get(self.field_name)

    async def check(self, req, resp):
        if req.method in SAFE_METHODS or (req.route is not None and req.route.handler in _exempt_handlers):
            return None
        reason = cross_origin_reason(req.method, req.headers, req.headers.get("host"),
                                     self.trusted_origins)
        if reason is not None:
            self._refuse(req, reason)
        token = await self._sent_token(req)
        if token is None:
            self._refuse(req, "no CSRF token (form field %s or header %s)"
                         % (self.field_name, self.header_name))
        if not check_token(req.session.get(SESSION_KEY), token):
            self._refuse(req, "wrong CSRF token")
        return None
