"""HTTP dates (IMF-fixdate, RFC 9110 section 5.6.7) from time values, and
the Date header every response carries."""

from time import time

try:
    from time import gmtime
except ImportError:  # boards without gmtime keep their clock in UTC anyway
    from time import localtime as gmtime

# Before this year the clock was never set (a board without a real-time
# clock counts from 1970 or 2000): RFC 9110 6.6.1 forbids a Date then.
FIRST_SET_YEAR = 2024

# Three letters each. One str apiece, sliced, rather than tuples of them:
# each str in a constant tuple is an object of its own on MicroPython's heap.
_DAYS = "MonTueWedThuFriSatSun"
_MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec"


def format_http_date(seconds):
    """IMF-fixdate of a time in seconds: "Sun, 06 Nov 1994 08:49:37 GMT"."""
    return _format(gmtime(int(seconds)))


def _format(t):
    day = t[6] * 3
    month = t[1] * 3 - 3
    return "%s, %02d %s %04d %02d:%02d:%02d GMT" % (
        _DAYS[day:day + 3], t[2], _MONTHS[month:month + 3], t[0], t[3], t[4], t[5])


# The Date header line of this second, kept fresh by a running server
# (keep_fresh()) so that responses read it instead of the clock; None when
# no server runs: then date_line() reads the clock.
current = None
_made = (None, b"")  # (second, its line), for date_line()
_keepers = 0


def date_line():
    """b"Date: ...\\r\\n" for now; b"" on a board whose clock was never set."""
    global _made
    now = int(time())
    if _made[0] != now:
        _made = (now, _line(now))
    return _made[1]


def _line(now):
    t = gmtime(now)
    if t[0] < FIRST_SET_YEAR:
        return b""
    return ("Date: " + _format(t) + "\r\n").encode()


async def keep_fresh(sleep):
    """Keep `current` at this second's line until cancelled (a server runs
    it while it serves; `sleep` is its asyncio's)."""
    global current, _keepers
    _keepers += 1
    try:
        while True:
            now = time()
            current = _line(int(now))
            await sleep(1 - now % 1 + 0.001)  # just past the next second
    finally:
        _keepers -= 1
        if not _keepers:
            current = None
