"""UTF-8 validation that keeps its place across pieces of a message.

A text message may be split into frames anywhere, even inside a character,
and must be refused (close 1007) as soon as it cannot be UTF-8: the
validators raise UnicodeError at the first byte that cannot be.
MicroPython has no incremental decoder, and its str() takes overlong forms
and surrogates, so `Utf8Validator` is a small state machine (RFC 3629 4).
"""

try:
    from codecs import getincrementaldecoder
except ImportError:  # MicroPython
    getincrementaldecoder = None


def _invalid():
    return UnicodeError("not valid UTF-8")


class Utf8Validator:
    """`feed(data)` each piece, then `finish()`; either raises
    UnicodeError at the first byte that cannot be UTF-8."""

    def __init__(self):
        self.needed = 0  # continuation bytes still to come
        self.lower = 0x80  # range the next continuation byte must lie in
        self.upper = 0xBF

    def feed(self, data):
        needed = self.needed
        if not needed:
            try:
                # All ASCII (each character one byte) is checked at C speed.
                if len(str(data, "utf-8")) == len(data):
                    return
            except UnicodeError:
                pass
        lower = self.lower
        upper = self.upper
        for byte in data:
            if needed:
                if byte < lower or byte > upper:
                    raise _invalid()
                lower = 0x80
                upper = 0xBF
                needed -= 1
            elif byte < 0x80:
                continue
            elif byte < 0xC2:  # a continuation byte, or the overlong C0/C1
                raise _invalid()
            elif byte < 0xE0:
                needed = 1
            elif byte < 0xF0:
                needed = 2
                if byte == 0xE0:
                    lower = 0xA0  # else overlong
                elif byte == 0xED:
                    upper = 0x9F  # else a UTF-16 surrogate
            elif byte < 0xF5:
                needed = 3
                if byte == 0xF0:
                    lower = 0x90  # else overlong
                elif byte == 0xF4:
                    upper = 0x8F  # else above U+10FFFF
            else:
                raise _invalid()
        self.needed = needed
        self.lower = lower
        self.upper = upper

    def finish(self):
        if self.needed:
            raise _invalid()


class _CodecValidator:
    """The same checks by CPython's own incremental decoder, in C."""

    def __init__(self):
        self.decoder = getincrementaldecoder("utf-8")()

    def feed(self, data):
        self.decoder.decode(data)

    def finish(self):
        self.decoder.decode(b"", True)


new_validator = Utf8Validator if getincrementaldecoder is None else _CodecValidator


def check_utf8(data):
    """Raise UnicodeError unless `data` is whole, valid UTF-8."""
    validator = new_validator()
    validator.feed(data)
    validator.finish()
