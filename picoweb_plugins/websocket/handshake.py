"""The opening handshake (RFC 6455 4.2) as a pure function of the request.

`negotiate(method, headers, ...)` checks an upgrade request and returns a
`Handshake` (the 101 response's headers, the subprotocol, the compression
codec), or raises HandshakeError, an HTTPError with the status to answer:
400 for a malformed request, 403 for an Origin not allowed, 426 (with
`Sec-WebSocket-Version: 13`) for another protocol version.
"""

import binascii

from picoweb import HTTPError

try:
    from hashlib import sha1 as _hashlib_sha1
except ImportError:  # MicroPython's WebAssembly port: sha256 only
    _hashlib_sha1 = None

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 1.3
VERSION = "13"
_TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"  # RFC 9110 5.6.2
_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}


class HandshakeError(HTTPError):
    """A refused upgrade: answer `status` (with `headers`), no WebSocket."""


def accept_key(key):
    """Sec-WebSocket-Accept for the client's Sec-WebSocket-Key (a str)."""
    data = key.encode() + GUID
    if _hashlib_sha1 is not None:
        digest = _hashlib_sha1(data).digest()
    else:
        from .sha1 import digest as sha1_digest

        digest = sha1_digest(data)
    return binascii.b2a_base64(digest, newline=False).decode()


class Handshake:
    """An accepted upgrade: `headers` for the 101 response, as (name,
    value) pairs; the `subprotocol` chosen (or None); the permessage-deflate
    `codec` (or None)."""

    def __init__(self, headers, subprotocol, codec):
        self.headers = headers
        self.subprotocol = subprotocol
        self.codec = codec


def is_token(text):
    """True for a non-empty RFC 9110 token (header names, methods, parameters)."""
    # strip() leaves what is no token character (a loop over the str would
    # not do: MicroPython interns each character a loop or an index takes out of a str, for good).
    return bool(text) and not text.strip(_TOKEN_CHARS)


def _tokens(value):
    """The comma-separated, case-folded tokens of a header value."""
    return [part.strip().lower() for part in value.split(",")]


def parse_token_list(value, what):
    """The tokens of a 1#token header, in order; HandshakeError 400 if any
    is not a token (empty list elements are skipped, RFC 9110 5.6.1)."""
    found = []
    for part in value.split(","):
        part = part.strip(" \t")
        if part:
            if not is_token(part):
                raise HandshakeError(400, "malformed %s header" % what)
            found.append(part)
    return found


def parse_extensions(value):
    """Sec-WebSocket-Extensions (RFC 6455 9.1) as [(name, [(param, value
    or None), ...]), ...], in the client's order; HandshakeError 400 if
    malformed. A quoted value must hold a token, as the RFC requires."""
    offers = []
    for item in value.split(","):
        item = item.strip(" \t")
        if not item:
            continue
        parts = item.split(";")
        name = parts[0].strip(" \t")
        params = []
        for part in parts[1:]:
            param, equals, raw = part.partition("=")
            param = param.strip(" \t")
            raw = raw.strip(" \t")
            if len(raw) >= 2 and raw[:1] == '"' and raw[-1:] == '"':
                raw = raw[1:-1]
            if not is_token(param) or (equals and not is_token(raw)):
                raise HandshakeError(400, "malformed Sec-WebSocket-Extensions header")
            params.append((param.lower(), raw if equals else None))
        if not is_token(name):
            raise HandshakeError(400, "malformed Sec-WebSocket-Extensions header")
        offers.append((name.lower(), params))
    return offers


def _split_host(authority, default_port):
    """(host, port) of "host[:port]", both lowercased strings."""
    authority = authority.lower()
    if authority.startswith("["):  # an IPv6 literal
        host, _, rest = authority.partition("]")
        host += "]"
        port = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port = authority.partition(":")
    return host, port or default_port


def is_same_host(origin, host):
    """True if the Origin header names the host the request went to (the
    Host header), ports compared with the Origin's scheme's default."""
    if not host:
        return False
    scheme, sep, authority = origin.lower().partition("://")
    default_port = _DEFAULT_PORTS.get(scheme)
    if not sep or default_port is None or not authority or "/" in authority or "@" in authority:
        return False
    return _split_host(authority, default_port) == _split_host(host.strip(), default_port)


def check_origin(origin, host, origins=None, allow_missing=True):
    """True if a WebSocket from `origin` (the Origin header, or None) may
    open. The page's own host always may; `origins` allows more: "*"
    (any), a list of origins ("https://app.example.com"), or a function
    origin -> bool. No Origin at all is a non-browser client (browsers
    always send one): allowed unless allow_missing is False."""
    if origin is None:
        return allow_missing
    if is_same_host(origin, host):
        return True
    if origins is None:
        return False
    if origins == "*":
        return True
    if callable(origins):
        return bool(origins(origin))
    if isinstance(origins, str):
        origins = (origins,)  # one origin, not a list of its characters
    origin = origin.lower()
    for allowed in origins:
        if allowed.lower() == origin:
            return True
    return False


def _key_is_valid(key):
    # 16 random bytes in canonical base64 (RFC 6455 4.1): 24 characters.
    if len(key) != 24:
        return False
    try:
        raw = binascii.a2b_base64(key)
    except (ValueError, TypeError):
        return False
    return len(raw) == 16 and binascii.b2a_base64(raw, newline=False).decode() == key


def choose_subprotocol(offered, subprotocols):
    """The subprotocol to speak, or None: the first of ours (in our order
    of preference) that the client offered, or what `subprotocols(offered)`
    returns when it is a function (it must return one offered, or None)."""
    if callable(subprotocols):
        chosen = subprotocols(offered)
        if chosen is not None and chosen not in offered:
            raise ValueError("subprotocol %r was not offered" % (chosen,))
        return chosen
    for name in subprotocols:
        if name in offered:
            return name
    return None


def negotiate(method, headers, origins=None, subprotocols=(), deflate=None, version="1.1",
              allow_missing_origin=True):
    """Check a WebSocket upgrade request; return its Handshake.

    `headers` is a mapping whose get() takes lowercase names (the
    request's picoweb.Headers). `origins`, `allow_missing_origin`: see
    check_origin. `subprotocols`: those we speak (see choose_subprotocol).
    `deflate`: a PerMessageDeflate to accept compression with, or None.
    """
    if method != "GET":
        raise HandshakeError(405, "a WebSocket opens with GET", {"Allow": "GET"})
    upgrade = headers.get("upgrade")
    if upgrade is None:
        # A plain request (a browser's address bar): say what this URL speaks.
        raise HandshakeError(426, "this URL speaks WebSocket only", {
            "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": VERSION})
    if version == "1.0":
        raise HandshakeError(400, "a WebSocket needs HTTP/1.1")
    if "websocket" not in _tokens(upgrade):
        raise HandshakeError(400, "Upgrade header does not name websocket")
    if "upgrade" not in _tokens(headers.get("connection", "")):
        raise HandshakeError(400, "Connection header does not name Upgrade")
    if not headers.get("host"):
        raise HandshakeError(400, "missing Host header")
    if headers.get("transfer-encoding") is not None or headers.get("content-length", "0").strip() != "0":
        # Bytes after the head must be frames: a body there would be read as some.
        raise HandshakeError(400, "an upgrade request has no body")
    client_version = headers.get("sec-websocket-version")
    if client_version is None:
        raise HandshakeError(400, "missing Sec-WebSocket-Version header",
                             {"Sec-WebSocket-Version": VERSION})
    if client_version.strip() != VERSION:
        raise HandshakeError(426, "unsupported WebSocket version",
                             {"Upgrade": "websocket", "Connection": "Upgrade",
                              "Sec-WebSocket-Version": VERSION})
    key = headers.get("sec-websocket-key", "").strip()
    if not _key_is_valid(key):
        raise HandshakeError(400, "missing or malformed Sec-WebSocket-Key header")
    if not check_origin(headers.get("origin"), headers.get("host"), origins, allow_missing_origin):
        raise HandshakeError(403, "Origin not allowed")
    response = [("Upgrade", "websocket"), ("Connection", "Upgrade"),
                ("Sec-WebSocket-Accept", accept_key(key))]
    subprotocol = None
    offered = headers.get("sec-websocket-protocol")
    if offered is not None:
        subprotocol = choose_subprotocol(parse_token_list(offered, "Sec-WebSocket-Protocol"), subprotocols)
        if subprotocol is not None:
            response.append(("Sec-WebSocket-Protocol", subprotocol))
    codec = None
    extensions = headers.get("sec-websocket-extensions")
    if extensions is not None:
        offers = parse_extensions(extensions)
        if deflate is not None:
            accepted = deflate.negotiate(offers)
            if accepted is not None:
                response.append(("Sec-WebSocket-Extensions", accepted[0]))
                codec = accepted[1]
    return Handshake(response, subprotocol, codec)
