"""An incremental multipart/form-data parser over bytes, with no I/O.

Feed it body bytes in pieces of any size (one byte works); it hands back
events. A delimiter split across pieces is found because the parser keeps
the last len(delimiter) - 1 bytes it could not yet rule out.
"""

from picoweb import HTTPError
from picoweb.http1 import percent_decode

from picoweb.urlencoded import decode_utf8

PART = "part"  # value: the part's headers, a dict keyed by lowercase name
DATA = "data"  # value: bytes of the current part's body
END = "end"  # value: None; the current part is complete
DONE = "done"  # value: None; the closing delimiter was seen


class MultipartParser:
    """`feed(data)`, then call `next_event()` until it returns None (it
    needs more input); `end_of_input()` once the body is over.

    Events are (kind, value) pairs: (PART, headers), (DATA, bytes), (END,
    None) per part, and (DONE, None) after the closing delimiter; bytes
    after it (the epilogue) are ignored. Malformed input is an HTTPError
    400, a part's header block over `max_header_size` bytes a 413;
    `max_padding` bounds the whitespace after a delimiter (RFC 2046 LWSP).
    """

    def __init__(self, boundary, max_header_size=8192, max_padding=256):
        if isinstance(boundary, str):
            boundary = boundary.encode()
        self.delimiter = b"\r\n--" + boundary
        self.max_header_size = max_header_size
        self.max_padding = max_padding
        # A leading CRLF makes a delimiter at the very start look like all others.
        self.buf = b"\r\n"
        self.state = "preamble"  # preamble, delimiter, headers, data, done

    def feed(self, data):
        if self.state != "done":
            self.buf += data

    def next_event(self):
        """The next (kind, value) event, or None until more input is fed."""
        while True:
            state = self.state
            if state == "data":
                return self._data()
            if state == "headers":
                return self._headers()
            if state == "delimiter":
                event = self._after_delimiter()
                if event is not None or self.state == "delimiter":
                    return event
            elif state == "preamble":
                found = self.buf.find(self.delimiter)
                if found < 0:
                    self.buf = self.buf[-(len(self.delimiter) - 1):]
                    return None
                self.buf = self.buf[found + len(self.delimiter):]
                self.state = "delimiter"
            else:
                self.buf = b""
                return None

    def end_of_input(self):
        """Check the body ended where a form may end; 400 otherwise."""
        if self.state == "preamble":
            raise HTTPError(400, "multipart boundary not found in body")
        if self.state != "done":
            raise HTTPError(400, "multipart body ended before its closing boundary")

    def _after_delimiter(self):
        # "--" closes the form; otherwise optional padding, then CRLF, then headers.
        buf = self.buf
        if len(buf) < 2:
            return None
        if buf[:2] == b"--":
            self.state = "done"
            self.buf = b""
            return (DONE, None)
        line_end = buf.find(b"\r\n")
        # The same padding limit whether the CRLF arrived or not (its CR may
        # have), so that how the body was cut never changes the verdict.
        if line_end < 0:
            if len(buf) > self.max_padding + 1:
                raise HTTPError(400, "malformed multipart boundary line")
            return None
        if line_end > self.max_padding or buf[:line_end].strip(b" \t"):
            raise HTTPError(400, "malformed multipart boundary line")
        self.buf = buf[line_end + 2:]
        self.state = "headers"
        return None

    def _headers(self):
        buf = self.buf
        if buf[:2] == b"\r\n":
            block_end, body_start = 0, 2  # a part with no headers at all
        else:
            block_end = buf.find(b"\r\n\r\n")
            if block_end < 0:
                if len(buf) > self.max_header_size:
                    raise HTTPError(413, "multipart part headers too large")
                return None
            body_start = block_end + 4
        if block_end > self.max_header_size:
            raise HTTPError(413, "multipart part headers too large")
        headers = parse_part_headers(buf[:block_end])
        self.buf = buf[body_start:]
        self.state = "data"
        return (PART, headers)

    def _data(self):
        buf = self.buf
        delimiter = self.delimiter
        found = buf.find(delimiter)
        if found == 0:
            self.buf = buf[len(delimiter):]
            self.state = "delimiter"
            return (END, None)
        if found < 0:
            # Only a "\r" in the last len(delimiter) - 1 bytes can start a delimiter.
            found = buf.find(b"\r", max(0, len(buf) - len(delimiter) + 1))
            if found < 0:
                found = len(buf)
            if not found:
                return None
        self.buf = buf[found:]
        return (DATA, buf[:found])


def parse_part_headers(block):
    """b"Name: value\\r\\n..." into a dict keyed by lowercase name (str values)."""
    headers = {}
    if not block:
        return headers
    for line in block.split(b"\r\n"):
        colon = line.find(b":")
        if colon <= 0 or line[:1] in (b" ", b"\t"):
            raise HTTPError(400, "malformed multipart part header")
        name = decode_utf8(line[:colon], "a part header").strip().lower()
        headers[name] = decode_utf8(line[colon + 1:].strip(b" \t"), "a part header")
    return headers


def parse_options(value):
    """Split 'form-data; name="a"; filename="b.txt"' into
    ("form-data", {"name": "a", "filename": "b.txt"}); also Content-Type.

    Quoted values may use backslash escapes; parameter names are lowercased.
    """
    # Slices and find(), never rest[pos]: MicroPython interns each
    # character indexed out of a str, for good, and these are a client's.
    kind, _, rest = value.partition(";")
    params = {}
    pos = 0
    size = len(rest)
    while pos < size:
        if rest[pos:pos + 1] in " \t;":
            pos += 1
            continue
        equals = rest.find("=", pos)
        semicolon = rest.find(";", pos)
        if equals < 0 or 0 <= semicolon < equals:
            pos = size if semicolon < 0 else semicolon  # a parameter without a value
            continue
        key = rest[pos:equals].strip().lower()
        pos = equals + 1
        while pos < size and rest[pos:pos + 1] in " \t":
            pos += 1
        if pos < size and rest[pos:pos + 1] == '"':
            pos += 1
            pieces = []
            while True:
                quote = rest.find('"', pos)
                if quote < 0:
                    raise ValueError("unterminated quoted string")
                backslash = rest.find("\\", pos, quote)
                if backslash < 0:
                    pieces.append(rest[pos:quote])
                    pos = quote + 1
                    break
                pieces.append(rest[pos:backslash])
                # Only \\ and \" are escapes: browsers send a lone backslash as is.
                escaped = rest[backslash + 1:backslash + 2]
                if escaped == '"' or escaped == "\\":
                    pieces.append(escaped)
                    pos = backslash + 2
                else:
                    pieces.append("\\")
                    pos = backslash + 1
            param = "".join(pieces)
        else:
            end = size if semicolon < 0 else semicolon
            param = rest[pos:end].strip()
            pos = end
        if key not in params:
            params[key] = param
    return kind.strip().lower(), params


def parse_disposition(value):
    """(field name, filename or None) from a part's Content-Disposition.

    Browsers and curl send '"', CR and LF in names as %22, %0D and %0A
    (the HTML standard); those three are decoded, nothing else is. An
    RFC 5987 filename*=UTF-8''... wins over filename. 400 without a name.
    """
    try:
        kind, params = parse_options(value)
    except ValueError:
        raise HTTPError(400, "malformed Content-Disposition")
    name = params.get("name")
    if kind != "form-data" or name is None:
        raise HTTPError(400, "multipart part without a Content-Disposition name")
    filename = params.get("filename")
    extended = params.get("filename*")
    if extended is not None:
        charset, _, encoded = extended.partition("'")
        if charset.lower() == "utf-8":
            try:
                raw = percent_decode(encoded.partition("'")[2].encode())
            except ValueError:
                raise HTTPError(400, "malformed filename* in Content-Disposition")
            filename = decode_utf8(raw, "a filename")
    return _unescape_html(name), None if filename is None else _unescape_html(filename)


def _unescape_html(text):
    if "%" not in text:
        return text
    return text.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")


def parse_boundary(content_type):
    """The boundary of a multipart/form-data Content-Type; 400 if absent,
    not printable ASCII, or longer than RFC 2046's 70 characters."""
    try:
        boundary = parse_options(content_type)[1].get("boundary")
    except ValueError:
        boundary = None
    # min() and max() of the bytes, not of the str: over a str they would
    # intern each character on MicroPython, for good.
    if not boundary or len(boundary) > 70 or min(boundary.encode()) < 32 or max(boundary.encode()) > 126:
        raise HTTPError(400, "missing or malformed multipart boundary")
    return boundary
