"""HTTP/1.x parsing and serialisation over bytes: no sockets, no asyncio.

The server, the test client and the fuzz tests all drive these functions,
so each behaviour here is tested once and holds on both runtimes.
"""

from .compat import IS_MICROPYTHON, decode_header
from .errors import HTTPError

# The reason phrases of the statuses a response carries when nothing went
# wrong; every other one is in picoweb.pages.REASONS, loaded with the error
# pages that need them (a smaller heap on MicroPython).
REASONS = {101: "Switching Protocols", 200: "OK", 204: "No Content", 206: "Partial Content",
           304: "Not Modified"}

# Characters allowed in a method or header name (RFC 9110 "token").
if IS_MICROPYTHON:
    # Never a loop over the characters of a str here: MicroPython interns
    # each character a loop or an index takes out of a str, for good, so
    # a client's distinct characters would fill the heap. strip() and
    # min() run over the bytes in C instead.
    _TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

    def _is_token(text):
        # What strip() leaves is what is not a token character.
        return bool(text) and not text.strip(_TOKEN_CHARS)

    def _has_control(text):
        if "\x7f" in text:
            return True
        raw = text.encode()
        if not raw or min(raw) >= 32:
            return False  # the usual line: no byte below space, not even a tab
        for byte in raw:
            if byte < 32 and byte != 9 and byte != 10 and byte != 13:
                return True
        return False

    _origin_request_line = None

else:
    import re

    # One C-level match beats a Python loop per header name on CPython.
    _is_token = re.compile("[-!#$%&'*+.^_`|~0-9A-Za-z]+\\Z").match
    _has_control = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]").search
    # The usual origin-form request line, split into method, path, query and
    # version in one C call. A line it matches is one split_request_line()
    # and split_target() accept; any other takes their checks, which say
    # what is wrong.
    _origin_request_line = re.compile(
        b"([-!#$%&'*+.^_`|~0-9A-Za-z]+) (/[!->@-~]*)(?:\\?([!-~]*))? HTTP/1\\.([01])\\Z").match


def split_request_line(line):
    """Split b"GET /path?q HTTP/1.1" into (method, target, minor version).

    `line` excludes its line ending. The target stays bytes: the caller
    decides how to split and decode it.
    """
    parts = line.split(b" ")
    if len(parts) != 3:
        raise HTTPError(400, "malformed request line")
    method, target, version = parts
    method = decode_header(method)
    if not _is_token(method):
        raise HTTPError(400, "malformed method")
    if version == b"HTTP/1.1":
        minor = 1
    elif version == b"HTTP/1.0":
        minor = 0
    elif (version[:5] == b"HTTP/" and len(version) == 8 and version[6] == 46
          and version[5] in _DIGITS and version[7] in _DIGITS):
        raise HTTPError(505)
    else:
        raise HTTPError(400, "malformed HTTP version")
    # Controls and non-ASCII must arrive percent-encoded (RFC 3986).
    if not target or min(target) < 33 or max(target) > 126:
        raise HTTPError(400, "malformed request target")
    return method, target, minor


def parse_request_line(buf, end):
    """Parse the request line buf[:end] (a bytearray, line end excluded)
    into (method, decoded path, query str, minor version)."""
    if _origin_request_line is not None:
        found = _origin_request_line(buf, 0, end)
        if found is not None:
            method, raw_path, query, minor = found.groups()
            # The pattern admits ASCII only: decode() cannot fail.
            path = raw_path.decode() if b"%" not in raw_path else decode_path(raw_path)
            return method.decode(), path, query.decode() if query else "", 1 if minor == b"1" else 0
    method, target, minor = split_request_line(bytes(buf[:end]))
    raw_path, query = split_target(target)
    return method, decode_path(raw_path), decode_header(query) if query else "", minor


def split_target(target):
    """Return (path bytes, query bytes) of a request target.

    The absolute form (b"http://host/p") is reduced to its path, as
    RFC 9112 asks servers to accept it.
    """
    if target[:1] != b"/":
        scheme_end = target.find(b"://")
        if scheme_end > 0:
            path_start = target.find(b"/", scheme_end + 3)
            query_start = target.find(b"?", scheme_end + 3)
            if query_start > 0 and (path_start < 0 or query_start < path_start):
                # "http://host?q": the path is empty; a "/" in the query is no path.
                target = b"/" + target[query_start:]
            else:
                target = target[path_start:] if path_start > 0 else b"/"
        elif target != b"*":
            raise HTTPError(400, "malformed request target")
    query_start = target.find(b"?")
    if query_start < 0:
        return target, b""
    return target[:query_start], target[query_start + 1:]


def percent_decode(raw, plus_as_space=False):
    """Decode %XX escapes in bytes; a malformed escape raises ValueError."""
    if plus_as_space:
        raw = raw.replace(b"+", b" ")
    if b"%" not in raw:
        return bytes(raw)
    pieces = raw.split(b"%")
    out = bytearray(pieces[0])
    for piece in pieces[1:]:
        # int() alone would also take " 1", "+1" or "-1".
        if len(piece) < 2 or piece[0] not in HEX_DIGITS or piece[1] not in HEX_DIGITS:
            raise ValueError("malformed percent-escape")
        out.append(int(piece[:2], 16))
        out += piece[2:]
    return bytes(out)


def decode_path(raw_path):
    """Percent-decode a request path into str; bad escapes or UTF-8 are a 400."""
    try:
        if b"%" not in raw_path:
            return str(raw_path, "utf-8")
        return str(percent_decode(raw_path), "utf-8")
    except (ValueError, UnicodeError):
        raise HTTPError(400, "malformed path encoding")


def find_head_end(buf, start):
    """Find the blank line that ends a request head.

    `start` is the index of the request line's b"\\n". Returns
    (end of header lines, start of body), or None while more bytes are needed.
    Bare-LF line endings are accepted, as h11 and nginx do.
    """
    # A line end followed by an empty line, whichever ending each one uses.
    crlf = buf.find(b"\n\r\n", start)
    # Only a bare-LF end before that one matters: do not scan past it (the
    # buffer may hold a large body or many pipelined requests).
    lf = buf.find(b"\n\n", start, len(buf) if crlf < 0 else crlf + 2)
    if crlf < 0 and lf < 0:
        return None
    if lf < 0 or 0 <= crlf < lf:
        return crlf + 1, crlf + 3
    return lf + 1, lf + 2


def parse_headers(block, limits, keep=True):
    """Parse header lines into (headers dict, Framing).

    `block` holds the lines between the request line and the blank line.
    The dict is keyed by lowercase name; with keep=False only the framing
    headers are looked at (the "skip" header mode) and the dict stays empty.
    """
    values = {}
    framing = NO_FRAMING
    if not block:
        return values, framing
    lines = decode_header(block).split("\n")  # one decode for the block
    if lines[-1] == "":
        lines.pop()
    if len(lines) > limits.max_headers:
        raise HTTPError(431, "too many header fields")
    for line in lines:
        if line[-1:] == "\r":
            line = line[:-1]
        if _is_printable is None or not _is_printable(line):
            _check_controls(line)
        colon = line.find(":")
        if colon <= 0:
            # A leading space is obsolete line folding, a smuggling vector.
            raise HTTPError(400, "malformed header line")
        name = line[:colon]
        key = _header_keys.get(name)
        if key is None:
            key = _header_key(name)
        value = line[colon + 1:].strip(" \t")
        if key in _FRAMING_HEADERS:
            if framing is NO_FRAMING:
                framing = Framing()
            framing.note(key, value)
        if not keep:
            continue
        old = values.get(key)
        if old is None:
            values[key] = value
        else:
            values[key] = old + ("; " if key == "cookie" else ", ") + value
    return values, framing


# str.isprintable() (CPython only) passes most lines in one C call; the
# rest, and every line on MicroPython, get the exact check.
_is_printable = getattr(str, "isprintable", None)


def _check_controls(line):
    # Controls other than tab have no place in a header (RFC 9110 5.5); a
    # bare CR is one a proxy might take for a line end. obs-text passes.
    if _has_control(line):
        raise HTTPError(400, "control character in a header")
    if "\r" in line:
        raise HTTPError(400, "malformed header value")


# Header names seen before, each with its lowercase form: most requests
# repeat the same few, and a lookup spares the token check and lower().
_header_keys = {}
_MAX_HEADER_KEYS = 16 if IS_MICROPYTHON else 256


def _header_key(name):
    if not _is_token(name):
        raise HTTPError(400, "malformed header name")
    key = name.lower()
    if len(_header_keys) < _MAX_HEADER_KEYS:
        _header_keys[name] = key
    return key


_FRAMING_HEADERS = frozenset(("content-length", "transfer-encoding", "connection", "expect"))


class Framing:
    """What the headers say about the body and the connection's future."""

    def __init__(self):
        self.content_length = None
        self.chunked = False
        self.connection = ""
        self.expect_continue = False

    def note(self, key, value):
        if key == "content-length":
            # isdigit() passes "²"; int() refuses over 4300 digits.
            if not value or value.strip("0123456789") or len(value) > 20:
                raise HTTPError(400, "malformed Content-Length")
            length = int(value)
            if self.content_length is not None and self.content_length != length:
                raise HTTPError(400, "conflicting Content-Length")
            self.content_length = length
        elif key == "transfer-encoding":
            if self.chunked or value.lower() != "chunked":
                raise HTTPError(501, "unsupported Transfer-Encoding")
            self.chunked = True
        elif key == "connection":
            self.connection += "," + value.lower()
        elif value.lower() == "100-continue":
            self.expect_continue = True

    def check(self, minor):
        """Reject framings that two parsers could read differently."""
        if self.chunked and (self.content_length is not None or minor == 0):
            raise HTTPError(400, "ambiguous request framing")

    def keep_alive(self, minor):
        if not self.connection:
            return minor == 1
        tokens = [t.strip() for t in self.connection.split(",")]
        if minor:
            return "close" not in tokens
        return "keep-alive" in tokens


NO_FRAMING = Framing()  # what a head without framing headers says; never changed


_DIGITS = frozenset(b"0123456789")
HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")


def check_header_text(text):
    """Refuse a response header name or value that could split the head."""
    if "\r" in text or "\n" in text or "\x00" in text:
        raise ValueError("CR, LF or NUL in response header: %r" % text)
    return text


_checked_names = set()  # names already found to be tokens: most repeat


def check_header_name(name):
    """Refuse a response header name that is not an HTTP token."""
    if name not in _checked_names:
        if not _is_token(name):
            raise ValueError("response header name is not a token: %r" % name)
        if len(_checked_names) < 256:
            _checked_names.add(name)
    return name


_status_lines = {}  # (status, minor) -> its status line, built once


def status_line(status, minor=1):
    """The status line with its CRLF, as str ("HTTP/1.1 200 OK\\r\\n")."""
    line = _status_lines.get((status, minor))
    if line is None:
        reason = REASONS.get(status)
        if reason is None:
            from .pages import REASONS as every

            reason = every.get(status, "Unknown")
        line = "HTTP/1.%d %d %s\r\n" % (minor, status, reason)
        if len(_status_lines) < 64:
            _status_lines[(status, minor)] = line
    return line


def response_head(status, headers, minor=1):
    """Serialise the status line and headers (pairs of str) to bytes."""
    line = status_line(status, minor)
    lines = [line]
    for name, value in headers:
        if name not in _checked_names:
            check_header_name(name)  # "X Y" or "" would make a malformed line
        lines.append(name + ": " + value + "\r\n")
    head = "".join(lines) + "\r\n"
    # A CR, LF or NUL inside a name or value adds to these counts: one scan
    # of the whole head checks every header at once.
    if head.count("\n") != len(lines) + 1 or head.count("\r") != len(lines) + 1 or "\x00" in head:
        for name, value in headers:
            check_header_text(name)
            check_header_text(value)
        # `headers` was a generator, spent above: the counts are proof enough.
        raise ValueError("CR, LF or NUL in a response header")
    return head.encode()


def chunk(data):
    """Frame one piece of a chunked response body."""
    return ("%x\r\n" % len(data)).encode() + data + b"\r\n"
