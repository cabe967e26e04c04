"""HTTP dates (IMF-fixdate, RFC 9110 section 5.6.7) to and from time values."""

try:
    from time import gmtime
except ImportError:  # boards without gmtime keep their clock in UTC anyway
    from time import localtime as gmtime

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_http_date(seconds):
    """IMF-fixdate of a time in seconds: "Sun, 06 Nov 1994 08:49:37 GMT"."""
    t = gmtime(int(seconds))
    return "%s, %02d %s %04d %02d:%02d:%02d GMT" % (
        _DAYS[t[6]], t[2], _MONTHS[t[1] - 1], t[0], t[3], t[4], t[5])


def parse_http_date(text):
    """(year, month, day, hour, minute, second) of an IMF-fixdate, or None.

    A tuple, not seconds: compared with `gmtime(mtime)[:6]` it needs no
    epoch, which differs between MicroPython ports."""
    parts = text.strip().split(" ")
    if len(parts) != 6 or not parts[0].endswith(",") or parts[5] != "GMT":
        return None
    day, month, year, clock = parts[1], parts[2], parts[3], parts[4].split(":")
    if len(day) != 2 or month not in _MONTHS or len(year) != 4 or len(clock) != 3:
        return None
    for number in [day, year] + clock:
        if not _is_number(number):
            return None
    if len(clock[0]) != 2 or len(clock[1]) != 2 or len(clock[2]) != 2:
        return None
    hour, minute, second = [int(n) for n in clock]
    if not (1 <= int(day) <= 31 and hour < 24 and minute < 60 and second < 61):
        return None
    return (int(year), _MONTHS.index(month) + 1, int(day), hour, minute, second)


def _is_number(text):
    if not text:
        return False
    for c in text:
        if c not in "0123456789":
            return False
    return True
