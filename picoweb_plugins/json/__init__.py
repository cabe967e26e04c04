"""JSON plugin: `jsonify()`, `await req.json()`, and orjson where installed.

    from picoweb_plugins.json import Json, jsonify
    app.install(Json(max_size=64 * 1024))

    @app.route("/echo", methods=["POST"])
    async def echo(req, resp):
        await jsonify(resp, await req.json())

Returning a dict or list from a handler also answers JSON; once this
plugin is installed, that too uses the fastest encoder available.
"""

from picoweb import HTTPError

try:
    import json as _json
except ImportError:  # older MicroPython builds
    import ujson as _json

try:
    import orjson as _orjson
except ImportError:
    _orjson = None


def _parses_deep_nesting_safely(orjson):
    # orjson before 3.9.15 has no nesting limit in loads(): a deep document
    # ("[" * 500000, in a 1 MiB body) overflows the C stack and kills the
    # process (CVE-2024-27454). The json module raises RecursionError instead.
    try:
        return tuple(int(part) for part in orjson.__version__.split(".")[:3]) >= (3, 9, 15)
    except (AttributeError, ValueError):
        return False


_ORJSON_LOADS = _orjson is not None and _parses_deep_nesting_safely(_orjson)

JSON = "application/json"


def dumps(obj):
    """Encode `obj` as JSON bytes."""
    if _orjson is not None:
        return _orjson.dumps(obj)
    return _json.dumps(obj).encode()


def loads(data):
    """Decode JSON text or bytes; any malformed input raises ValueError."""
    if _orjson is not None and _ORJSON_LOADS:
        return _orjson.loads(data)  # orjson's error subclasses ValueError
    if isinstance(data, (bytes, bytearray)):
        data = str(data, "utf-8")  # UnicodeError is a ValueError too
    return _json.loads(data)


async def jsonify(resp, obj, status=200, headers=None):
    """Answer with `obj` as JSON (as the original picoweb's jsonify), with
    the encoder of the app serving the request."""
    resp.set_body(resp.req.app.encode_json(obj), status, JSON, headers)


async def read_json(req, max_size=None, force=False):
    """The request body decoded as JSON, with the decoder of the app serving it.

    400 when it is malformed, 413 when larger than `max_size` (default: the
    route's or app's body limit), 415 when the Content-Type is not JSON
    (unless force=True).
    """
    if not force:
        content_type = req.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != JSON and not content_type.endswith("+json"):
            raise HTTPError(415, "expected a JSON body")
    body = await req.read_body(max_size)
    try:
        return req.app.decode_json(body)
    except (ValueError, RuntimeError):
        # RuntimeError: nested too deep (CPython's RecursionError, MicroPython's).
        raise HTTPError(400, "malformed JSON body")


class Json:
    """Install on an app to give its requests `await req.json()` and to
    encode and decode its JSON (returned dicts and lists, `jsonify`, error
    pages) with the fastest codec available. Apps mounted under it get the
    same; other apps are left as they are."""

    def __init__(self, max_size=None):
        self.max_size = max_size

    def install(self, app):
        app.json_dumps = dumps
        app.json_loads = loads
        app.add_request_method("json", self.read)

    async def read(self, req, force=False):
        """`await req.json(force=False)`: see read_json()."""
        return await read_json(req, self.max_size, force)
