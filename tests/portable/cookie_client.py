# A cookie-keeping client over picoweb.testclient.TestClient, for both
# runtimes: what a browser keeps between requests, and the log lines an app
# writes, so tests can drive login flows in-process.
from picoweb.testclient import TestClient


def set_cookies(resp):
    """[(name, value, {attribute (lower case): value})] from a response."""
    found = []
    for name, header in resp.headers.items():
        if name.lower() != "set-cookie":
            continue
        parts = [part.strip() for part in header.split(";")]
        cookie_name, _, value = parts[0].partition("=")
        attributes = {}
        for part in parts[1:]:
            key, _, attribute = part.partition("=")
            attributes[key.lower()] = attribute
        found.append((cookie_name, value, attributes))
    return found


class Browser:
    """Keeps the cookies each response sets (and drops those it expires),
    sends them back, and adds `headers` to every request."""

    def __init__(self, app, headers=None):
        self.client = TestClient(app)
        self.cookies = {}
        self.headers = dict(headers or {})

    async def request(self, method, path, body=b"", headers=None):
        sent = dict(self.headers)
        sent.update(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join("%s=%s" % item for item in self.cookies.items())
        resp = await self.client.request(method, path, body, headers=sent)
        for name, value, attributes in set_cookies(resp):
            if attributes.get("max-age") == "0":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return resp

    async def get(self, path, headers=None):
        return await self.request("GET", path, headers=headers)

    async def post(self, path, body=b"", headers=None):
        return await self.request("POST", path, body, headers)

    async def post_form(self, path, fields, headers=None):
        """POST `fields` (a dict) urlencoded, as a browser's form does."""
        sent = {"Content-Type": "application/x-www-form-urlencoded"}
        sent.update(headers or {})
        body = "&".join("%s=%s" % (name, quote(value)) for name, value in fields.items())
        return await self.request("POST", path, body, sent)


def quote(text):
    out = []
    for byte in text.encode():
        c = chr(byte)
        if byte < 128 and (c.isalpha() or c.isdigit() or c in "-._~"):
            out.append(c)
        else:
            out.append("%%%02X" % byte)
    return "".join(out)


class ListLog:
    """A logger that keeps its lines: `app.log = ListLog()` before serving."""

    def __init__(self):
        self.lines = []

    def _keep(self, message, *args, **kwargs):
        self.lines.append(message % args if args else message)

    debug = info = warning = error = exception = _keep

    def text(self):
        return "\n".join(self.lines)
