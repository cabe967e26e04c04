"""Cross-Origin Resource Sharing (the Fetch standard's CORS protocol) as
pure decisions: from a request's method, Origin and Access-Control-Request-*
headers to the headers of the answer.

A request's Origin is echoed back only when the policy allows that origin:
never "any origin with credentials" (the combination is refused when the
policy is made), and `Vary: Origin` goes on every answer that depends on it.
"""

SAFELISTED_METHODS = ("GET", "HEAD", "POST")


def _names(values):
    return [value.strip().lower() for value in values]


class CorsPolicy:
    """origins: "*" (any), a list of origins ("https://app.example.com"),
    or a function origin -> bool. methods: what a preflight may ask for;
    headers: request headers allowed ("*": any the client asks for);
    expose_headers: response headers scripts may read; credentials:
    cookies and HTTP auth allowed; max_age: seconds a preflight is cached."""

    def __init__(self, origins, methods=("GET", "HEAD", "POST"), headers=(), expose_headers=(),
                 credentials=False, max_age=None):
        if isinstance(origins, str) and origins != "*":
            origins = [origins]
        if origins != "*" and not callable(origins):
            origins = list(origins)
            if "*" in origins:
                raise ValueError('CORS origins: "*" alone means any origin; it cannot be one of a list')
            self.allowed = [origin.lower().rstrip("/") for origin in origins]
        if origins == "*" and credentials:
            raise ValueError(
                'CORS: origins="*" with credentials=True would let every site read answers made with '
                "the user's cookies; list the origins that may, or pass a function that decides")
        self.origins = origins
        self.any_origin = origins == "*"
        self.methods = [method.upper() for method in methods]
        self.any_header = headers == "*"
        self.headers = [] if self.any_header else _names(headers)
        self.expose_headers = ", ".join(expose_headers)
        self.credentials = bool(credentials)
        self.max_age = max_age

    def allows_origin(self, origin):
        if self.any_origin:
            return True
        if callable(self.origins):
            return bool(self.origins(origin))
        return origin.lower() in self.allowed

    def _vary(self, headers, *names):
        # `*` without credentials answers the same to every Origin: no Vary.
        if not self.any_origin:
            headers.append(("Vary", ", ".join(names)))
        elif len(names) > 1:
            headers.append(("Vary", ", ".join(names[1:])))

    def _allow_origin(self, headers, origin):
        if self.any_origin:
            headers.append(("Access-Control-Allow-Origin", "*"))
        else:
            headers.append(("Access-Control-Allow-Origin", origin))
            if self.credentials:
                headers.append(("Access-Control-Allow-Credentials", "true"))

    def preflight(self, origin, request_method, request_headers=None):
        """(allowed, headers) for a preflight OPTIONS: allowed is False when
        the origin, the method or a header is not allowed, and then the
        headers carry no CORS field (only Vary)."""
        headers = []
        self._vary(headers, "Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers")
        if not self.allows_origin(origin) or request_method.strip() not in self.methods:
            return False, headers
        asked = [name for name in _names((request_headers or "").split(",")) if name]
        if not self.any_header:
            for name in asked:
                if name not in self.headers:
                    return False, headers
        self._allow_origin(headers, origin)
        headers.append(("Access-Control-Allow-Methods", ", ".join(self.methods)))
        if asked:
            headers.append(("Access-Control-Allow-Headers", ", ".join(asked)))
        if self.max_age is not None:
            headers.append(("Access-Control-Max-Age", str(int(self.max_age))))
        return True, headers

    def actual(self, origin):
        """The headers for the answer to a request that is not a
        preflight; `origin` is its Origin header, or None."""
        headers = []
        self._vary(headers, "Origin")
        # "*" goes on every answer, Origin or not: then none depends on it.
        if self.any_origin or (origin is not None and self.allows_origin(origin)):
            self._allow_origin(headers, origin)
            if self.expose_headers:
                headers.append(("Access-Control-Expose-Headers", self.expose_headers))
        return headers


def is_preflight(method, origin, request_method):
    """True for a CORS preflight: OPTIONS with Origin and Access-Control-Request-Method."""
    return method == "OPTIONS" and origin is not None and request_method is not None
