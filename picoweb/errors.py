"""The one exception type that carries an HTTP status through the framework."""


class HTTPError(Exception):
    """Raise from a handler, hook or parser to answer with `status`.

    `message` is plain text shown on the default error page (escaped there);
    `headers` go on the error response (an Allow, a WWW-Authenticate).
    """

    def __init__(self, status, message=None, headers=None):
        super().__init__(status, message)
        self.status = int(status)
        self.message = message
        self.headers = headers
