"""HTTP authentication without sessions: Basic (RFC 7617) and Bearer (RFC
6750). Each checks the Authorization header of every request it guards
and answers 401 with a challenge when it is missing or refused."""

from picoweb import HTTPError, WebApp

from .credentials import basic_challenge, bearer_challenge, parse_basic, parse_bearer


async def result_of(value):
    """The value of a callback that may be sync or async (coroutines, and
    MicroPython's generator-based ones, have send())."""
    if hasattr(value, "send"):
        return await value
    return value


def nobody(req):
    return None


class _HttpAuth:
    """What Basic and Bearer share: `req.user`, and `required` for a
    handler (a decorator, under @app.route) or a whole app."""

    def install(self, app):
        app.add_request_attribute("user", nobody)

    async def _check(self, req):
        req.user = await self.authenticate(req)
        if req.user is None:
            raise HTTPError(401, "authentication required", {"WWW-Authenticate": self.challenge(req)})

    def required(self, target):
        if isinstance(target, WebApp):
            async def check(req, resp):
                await self._check(req)

            target.before_request(check)
            return target

        async def authenticated_only(req, resp, *args, **kwargs):
            await self._check(req)
            return await result_of(target(req, resp, *args, **kwargs))

        return authenticated_only


class BasicAuth(_HttpAuth):
    """HTTP Basic: `verify(user, password)` (sync or async) returns the
    user, or None to refuse. Passwords cross the wire with every request:
    serve it over HTTPS only, and mind that each request pays for the
    password check (hashes are slow on purpose)."""

    def __init__(self, verify, realm="picoweb"):
        self.verify = verify
        self._challenge = basic_challenge(realm)

    async def authenticate(self, req):
        credentials = parse_basic(req.headers.get("authorization"))
        if credentials is None:
            return None
        return await result_of(self.verify(credentials[0], credentials[1]))

    def challenge(self, req):
        return self._challenge


class BearerAuth(_HttpAuth):
    """Bearer tokens: `verify(token)` (sync or async) returns the user, or
    None to refuse (compare tokens with sessions.crypto.constant_time_equal)."""

    def __init__(self, verify, realm=None):
        self.verify = verify
        self.realm = realm

    async def authenticate(self, req):
        token = parse_bearer(req.headers.get("authorization"))
        if token is None:
            return None
        return await result_of(self.verify(token))

    def challenge(self, req):
        error = "invalid_token" if "authorization" in req.headers else None
        return bearer_challenge(self.realm, error)
