"""Logging: the "picoweb" logger, its level from `debug`, tracebacks on
both runtimes, and request text made safe to log.

`debug` levels: -1 errors only (no access log), 0 requests and errors
(the default), 1 debug output too (and the debug error page, see
picoweb.pages). A level set on the logger by the app's author is theirs:
it is never changed here. `run(log=False)` is silence. Where there is no
logging module (the MicroPython unix port, most board builds) a PrintLog
prints the same records, so requests and tracebacks are still seen.
"""

try:
    import logging
except ImportError:
    try:
        import ulogging as logging
    except ImportError:
        logging = None

from .compat import IS_MICROPYTHON, print_exception


class SilentLog:
    """Stands in for a logger with log=False."""

    def _drop(self, *args, **kwargs):
        pass

    debug = info = warning = error = exception = _drop


class PrintLog:
    """A logger where no logging module exists: "LEVEL name: message" lines
    on stdout (a board's console), from the level `debug` sets."""

    def __init__(self, name, debug):
        self.name = name
        self.lowest = 2 if debug < 0 else 1 if debug == 0 else 0  # debug, info, warning and up

    def _print(self, rank, level, message, args):
        if rank >= self.lowest:
            print(level, self.name + ":", message % args if args else message)

    def debug(self, message, *args):
        self._print(0, "DEBUG", message, args)

    def info(self, message, *args):
        self._print(1, "INFO", message, args)

    def warning(self, message, *args):
        self._print(2, "WARNING", message, args)

    def error(self, message, *args, **kwargs):
        self._print(3, "ERROR", message, args)

    exception = error


_levels_set = {}  # logger name -> the level set here last (any other is the user's)


def get_logger(name, debug):
    """The logger `name`, its level set from `debug` unless the app's author
    set one; a PrintLog where no logging module exists."""
    if logging is None:
        return PrintLog(name, debug)
    log = logging.getLogger(name)
    if hasattr(log, "setLevel"):
        current = getattr(log, "level", 0)
        if not current or current == _levels_set.get(name):
            level = logging.WARNING if debug < 0 else logging.INFO if debug == 0 else logging.DEBUG
            log.setLevel(level)
            _levels_set[name] = level
    return log


def configure_logging():
    """Send log records to stderr when nobody configured logging: for
    scripts that call app.run(); a library must not do this on import."""
    if logging is not None and hasattr(logging, "basicConfig"):
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def log_exception(log, message, exc):
    """Log `message` with the traceback of `exc`, on either runtime."""
    if isinstance(log, SilentLog):
        return
    if not IS_MICROPYTHON:
        log.error(message, exc_info=exc)
    else:
        log.error(message)
        print_exception(exc)


def traceback_text(exc):
    """The traceback of `exc` as text, on either runtime."""
    if IS_MICROPYTHON:
        import io
        import sys

        out = io.StringIO()
        sys.print_exception(exc, out)
        return out.getvalue()
    import traceback

    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


if IS_MICROPYTHON:

    def loggable(text):
        """`text` as a log line may show it: controls, quotes and
        backslashes escaped, so no request can forge a log line."""
        # No loop over the str: MicroPython would intern each character.
        if '"' in text or "\\" in text or "\x7f" in text or (text and min(text.encode()) < 32):
            return _escaped(text)
        return text

    def _escaped(text):
        out = bytearray()
        for byte in text.encode():  # bytes: a loop over ints interns nothing
            if byte == 34 or byte == 92:
                out += b"\\" + bytes((byte,))
            elif byte < 32 or byte == 127:
                out += b"\\x%02x" % byte
            else:
                out.append(byte)
        return str(out, "utf-8")

else:

    def loggable(text):
        """`text` as a log line may show it: controls, quotes and
        backslashes escaped, so no request can forge a log line."""
        if text.isprintable() and '"' not in text and "\\" not in text:
            return text
        return _escaped(text)

    def _escaped(text):
        out = []
        for c in text:
            if c == '"' or c == "\\":
                out.append("\\" + c)
            elif not c.isprintable():
                out.append("\\x%02x" % ord(c) if ord(c) < 256 else "\\u%04x" % ord(c))
            else:
                out.append(c)
        return "".join(out)
