"""Canned answers: the HTML error page, `http_error` and `redirect`.

Imported on the first error page or redirect, not with the core.
"""

from .protocol import REASONS
from .response import HTML, _header_pairs


def escape_html(text):
    """Make text safe to place in HTML content or a quoted attribute."""
    return (
        str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace('"', "&quot;").replace("'", "&#39;")
    )


def error_page(status, message=None):
    title = "%d %s" % (status, REASONS.get(status, "Error"))
    page = "<!DOCTYPE html><title>%s</title><h1>%s</h1>" % (title, title)
    if message:
        page += "<p>%s</p>" % escape_html(message)
    return page + "\n"


async def http_error(resp, status, message=None, headers=None):
    """Answer with a small HTML error page for `status`."""
    resp.status = int(status)
    resp.headers["Content-Type"] = HTML
    if headers:
        for name, value in _header_pairs(headers):
            resp.headers[name] = value
    resp.body = error_page(resp.status, message).encode()
    resp.started = True


async def redirect(resp, location, status=302):
    """Answer with a redirect to `location`."""
    resp.status = status
    resp.headers["Location"] = location
    resp.headers["Content-Type"] = HTML
    resp.body = b""
    resp.started = True
