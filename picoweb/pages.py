"""Canned answers: error pages (HTML, or JSON for clients that want it),
`http_error` and `redirect`.

Imported on the first error page or redirect, not with the core.
"""

from .errors import HTTPError
from .response import HTML

# Every status's reason phrase: for error pages, and for the status lines
# of the statuses picoweb.http1.REASONS leaves out.
REASONS = {
    100: "Continue", 101: "Switching Protocols", 200: "OK", 201: "Created", 202: "Accepted",
    204: "No Content", 206: "Partial Content",
    301: "Moved Permanently", 302: "Found", 303: "See Other",
    304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect",
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
    404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout",
    409: "Conflict", 410: "Gone", 411: "Length Required",
    413: "Content Too Large", 414: "URI Too Long",
    415: "Unsupported Media Type", 416: "Range Not Satisfiable",
    422: "Unprocessable Content", 429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error", 501: "Not Implemented",
    502: "Bad Gateway", 503: "Service Unavailable",
    505: "HTTP Version Not Supported",
}

JSON = "application/json"
# Kept as is in a redirect's Location; everything else is percent-encoded.
_URL_SAFE = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/!$&'()*+,;=:@"


def escape_html(text):
    """Make text safe to place in HTML content or a quoted attribute."""
    return (
        str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace('"', "&quot;").replace("'", "&#39;")
    )


def error_page(status, message=None):
    """The HTML page for an error status; `message` is escaped."""
    title = "%d %s" % (status, REASONS.get(status, "Error"))
    page = "<!DOCTYPE html><title>%s</title><h1>%s</h1>" % (title, title)
    if message:
        page += "<p>%s</p>" % escape_html(message)
    return page + "\n"


def error_response(req, resp, exc, traceback=None):
    """Answer with the error page for the HTTPError `exc` (its status,
    message and headers): the one place every default error answer is made.
    JSON for clients that prefer it, or where the app says so. `traceback`
    (text) is shown too: the debug error page."""
    status = exc.status
    if wants_json(req):
        error = {"status": status, "error": REASONS.get(status, "Error")}
        if exc.message:
            error["message"] = str(exc.message)
        if traceback:
            error["traceback"] = traceback
        resp.set_body(req.app.encode_json(error), status, JSON, exc.headers)
    else:
        page = error_page(status, exc.message)
        if traceback:
            page += "<pre>%s</pre>\n" % escape_html(traceback)
        resp.set_body(page, status, HTML, exc.headers)


def wants_json(req):
    """True if errors for `req` are answered in JSON: the `json_errors`
    setting of the app it was resolved to (or an app that one is mounted
    in), else the client's Accept header ranks JSON above HTML, or names
    no HTML and the request's body is JSON."""
    app = req.hops[-1][0] if req.hops else req.app
    while app is not None:
        if app.json_errors is not None:
            return app.json_errors
        app = app.parent
    accept = req.headers.get("accept", "")
    if "json" not in accept:
        # An API client that sent JSON and asked for no HTML wants JSON back.
        return "text/html" not in accept and "json" in req.headers.get("content-type", "")
    json_rank = html_rank = (0, 0)  # (quality, -position): ties go to the first listed
    position = 0
    for item in accept.split(","):
        position -= 1
        media, _, params = item.partition(";")
        media = media.strip().lower()
        if media == JSON or media.endswith("+json"):
            json_rank = max(json_rank, (_quality(params), position))
        elif media == "text/html":
            html_rank = max(html_rank, (_quality(params), position))
    return json_rank[0] > 0 and json_rank > html_rank


def _quality(params):
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0
    return 1


async def http_error(resp, status, message=None, headers=None):
    """Answer with a small HTML error page for `status`."""
    status = int(status)
    resp.set_body(error_page(status, message), status, HTML, headers)


def quote_path(path, safe=_URL_SAFE):
    """Percent-encode a decoded URL path (for a Location header, say): every
    character not in `safe` (bytes) becomes its UTF-8 %XX escapes."""
    out = bytearray()
    for byte in path.encode():
        if byte in safe:
            out.append(byte)
        else:
            out += b"%%%02X" % byte
    return out.decode()


def slash_redirect(prefix, path, qs):
    """The answer to a 404 whose path a route takes with its trailing "/"
    added or taken away: a 308 there, so the client repeats its method and
    body at the route's own spelling."""
    location = quote_path(prefix + path) + ("?" + qs if qs else "")
    return HTTPError(308, headers={"Location": location})


async def redirect(resp, location, status=302):
    """Answer with a redirect to `location`."""
    resp.set_body(b"", status, HTML, {"Location": location})
