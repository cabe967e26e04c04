"""The header values a static file server reads and writes: HTTP dates
(formatted by the core, parsed here), byte ranges, Accept-Encoding, and
the conditional-request checks.

Plain functions over str, so both runtimes test them the same way.
"""

from picoweb.httpdate import format_http_date, gmtime  # noqa: F401 (re-exported)
from picoweb.pages import quote_path  # noqa: F401 (re-exported)

# Three letters each, in one str: a tuple of them would be twelve objects
# on MicroPython's heap.
_MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec"

_DIGITS = "0123456789"


def parse_range(value, size):
    """The (first, last) bytes of a single "bytes=" range over `size` bytes;
    None to ignore the header (malformed, several ranges), False if it
    cannot be satisfied (416)."""
    unit, _, spec = value.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    first = first.strip()
    last = last.strip()
    if not dash or not (first or last):
        return None
    if (first and not _is_number(first)) or (last and not _is_number(last)):
        return None
    if not first:  # "-n": the last n bytes
        suffix = int(last)
        if not suffix or not size:
            return False
        return max(0, size - suffix), size - 1
    first = int(first)
    if last and int(last) < first:
        return None
    if first >= size:
        return False
    return first, min(int(last), size - 1) if last else size - 1


def accepts_gzip(value):
    """True if an Accept-Encoding value accepts gzip (q=0 refuses it)."""
    gzip_ok = star_ok = None
    for item in value.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        ok = True
        for param in params.split(";"):
            name, _, number = param.partition("=")
            if name.strip().lower() == "q":
                # q > 0 iff a digit is non-zero: no float needed on boards.
                ok = False
                for digit in "123456789":  # not a loop over the client's text (see _is_number)
                    if digit in number:
                        ok = True
        if coding in ("gzip", "x-gzip"):
            gzip_ok = ok
        elif coding == "*":
            star_ok = ok
    return gzip_ok if gzip_ok is not None else bool(star_ok)


def _is_number(text):
    # str.isdigit() also takes "²" (latin-1 header bytes), which int() refuses.
    # strip() leaves what is no digit; a loop over the str would not do:
    # MicroPython interns each character a loop or an index takes out of a str, for good.
    return bool(text) and len(text) <= 15 and not text.strip(_DIGITS)


def _etag_listed(value, etag):
    # If-None-Match compares weakly: W/"x" matches "x".
    for item in value.split(","):
        item = item.strip()
        if item == "*" or (item[2:] if item[:2] == "W/" else item) == etag:
            return True
    return False


def not_modified(headers, etag, mtime):
    """If-None-Match decides when present; else If-Modified-Since."""
    value = headers.get("If-None-Match")
    if value is not None:
        return _etag_listed(value, etag)
    value = headers.get("If-Modified-Since")
    if value is None:
        return False
    since = parse_http_date(value)
    return since is not None and tuple(gmtime(mtime)[:6]) <= since


def range_applies(headers, etag, mtime):
    """True if a Range may apply: no If-Range, or it names this version."""
    value = headers.get("If-Range")
    if value is None:
        return True
    value = value.strip()
    if value[:1] == '"':
        return value == etag  # strong comparison; a W/ tag never matches
    since = parse_http_date(value)
    return since is not None and tuple(gmtime(mtime)[:6]) == since


def parse_http_date(text):
    """(year, month, day, hour, minute, second) of an IMF-fixdate, or None.

    A tuple, not seconds: compared with `gmtime(mtime)[:6]` it needs no
    epoch, which differs between MicroPython ports."""
    parts = text.strip().split(" ")
    if len(parts) != 6 or not parts[0].endswith(",") or parts[5] != "GMT":
        return None
    day, month, year, clock = parts[1], parts[2], parts[3], parts[4].split(":")
    at = _MONTHS.find(month) if len(month) == 3 else -1
    if len(day) != 2 or at < 0 or at % 3 or len(year) != 4 or len(clock) != 3:
        return None
    for number in [day, year] + clock:
        if not _is_number(number):
            return None
    if len(clock[0]) != 2 or len(clock[1]) != 2 or len(clock[2]) != 2:
        return None
    hour, minute, second = [int(n) for n in clock]
    if not (1 <= int(day) <= 31 and hour < 24 and minute < 60 and second < 61):
        return None
    return (int(year), at // 3 + 1, int(day), hour, minute, second)
