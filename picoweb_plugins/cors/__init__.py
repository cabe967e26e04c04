"""CORS plugin: answers preflights and adds the CORS headers, on one app.

    from picoweb_plugins.cors import Cors
    app.install(Cors(origins=["https://app.example.com"], methods=["GET", "POST"],
                     headers=["Content-Type"], credentials=True, max_age=600))

A preflight (OPTIONS with Origin and Access-Control-Request-Method) is
answered 204 before any route sees it, or 403 without CORS headers when
not allowed. Every other answer, error pages too, gets its CORS headers
just before it is sent. Settings are those of `CorsPolicy`.
"""

from .policy import CorsPolicy, is_preflight

FORBIDDEN_PREFLIGHT = "CORS preflight not allowed"


def _add_vary(resp_headers, value):
    # Keep a Vary the app set: add our names to it, each once.
    current = resp_headers.get("Vary")
    if not current:
        resp_headers["Vary"] = value
        return
    have = [name.strip().lower() for name in current.split(",")]
    if "*" in have:
        return
    extra = [name for name in value.split(", ") if name.lower() not in have]
    if extra:
        resp_headers["Vary"] = current + ", " + ", ".join(extra)


def _apply(resp_headers, pairs):
    for name, value in pairs:
        if name == "Vary":
            _add_vary(resp_headers, value)
        else:
            resp_headers[name] = value


class Cors:
    """Install on an app with `app.install(Cors(origins=...))`; raises
    ValueError at once for settings that cannot be safe (see CorsPolicy)."""

    def __init__(self, origins, **settings):
        self.policy = CorsPolicy(origins, **settings)

    def install(self, app):
        app.before_request(self.answer_preflight)
        app.before_send(self.add_headers)

    def answer_preflight(self, req, resp):
        headers = req.headers
        origin = headers.get("origin")
        request_method = headers.get("access-control-request-method")
        if not is_preflight(req.method, origin, request_method):
            return None
        allowed, pairs = self.policy.preflight(origin, request_method,
                                               headers.get("access-control-request-headers"))
        _apply(resp.headers, pairs)
        if allowed:
            # No body, so no Content-Type either: set the answer, do not return one.
            resp.set_body(b"", 204)
            return None
        return FORBIDDEN_PREFLIGHT, 403, {"Content-Type": "text/plain; charset=utf-8"}

    def add_headers(self, req, resp):
        headers = req.headers
        origin = headers.get("origin")
        if is_preflight(req.method, origin, headers.get("access-control-request-method")):
            return  # answer_preflight set them
        _apply(resp.headers, self.policy.actual(origin))
