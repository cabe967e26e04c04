"""The few places where CPython and MicroPython differ, decided once at import."""

try:
    import asyncio
except ImportError:  # MicroPython builds that predate the asyncio name
    import uasyncio as asyncio

try:
    import logging
except ImportError:
    try:
        import ulogging as logging
    except ImportError:
        logging = None

import sys

from .errors import HTTPError

IS_MICROPYTHON = sys.implementation.name == "micropython"

if IS_MICROPYTHON:

    def decode_header(raw):
        # MicroPython only has UTF-8; invalid bytes must not become a 500.
        try:
            return str(raw, "utf-8")
        except UnicodeError:
            raise HTTPError(400, "header is not valid UTF-8")

    def print_exception(exc):
        sys.print_exception(exc)

else:

    def decode_header(raw):
        # latin-1 maps every byte to one code point: lossless, never raises.
        return raw.decode("latin-1")

    def print_exception(exc):
        import traceback

        traceback.print_exception(type(exc), exc, exc.__traceback__)

try:
    from time import ticks_diff, ticks_ms  # MicroPython: wraps, so always diff
except ImportError:
    from time import monotonic

    def ticks_ms():
        return int(monotonic() * 1000)

    def ticks_diff(end, start):
        return end - start


async def call(func, *args, **kwargs):
    """Call a hook or handler that may be a plain or an async function."""
    result = func(*args, **kwargs)
    # Coroutines are generators on MicroPython: both have send().
    if hasattr(result, "send"):
        result = await result
    return result


class _SilentLog:
    """Stands in for a logger where no logging module exists."""

    def _drop(self, *args, **kwargs):
        pass

    debug = info = warning = error = exception = _drop


def get_logger(name, debug):
    """A logger for `name`: silent when debug < 0 or no logging module exists."""
    if debug < 0 or logging is None:
        return _SilentLog()
    log = logging.getLogger(name)
    if hasattr(log, "setLevel"):
        log.setLevel(logging.DEBUG if debug > 0 else logging.INFO)
    return log


def configure_logging():
    """Send log records to stderr when nobody configured logging: for
    scripts that call app.run(); a library must not do this on import."""
    if logging is not None and hasattr(logging, "basicConfig"):
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def log_exception(log, message, exc):
    """Log `message` with the traceback of `exc`, on either runtime."""
    if isinstance(log, _SilentLog):
        return
    if not IS_MICROPYTHON:
        log.error(message, exc_info=exc)
    else:
        log.error(message)
        print_exception(exc)


def root_path(pkg):
    """Where an app named `pkg` finds templates/ and files, as Flask finds
    it: the folder of that package, module or script, else the working
    directory."""
    import os

    try:
        module = __import__(pkg.split(".", 1)[0]) if pkg else None
    except ImportError:  # not importable (or MicroPython's __main__)
        module = None
    folder = getattr(module, "__path__", None)  # a package: a str, or CPython's list
    if folder is None:
        # MicroPython keeps no __main__ module: the script is argv[0].
        path = getattr(module, "__file__", None) or pkg == "__main__" and sys.argv and sys.argv[0]
        folder = path.rpartition("/")[0] if path else ""
    elif not isinstance(folder, str):
        folder = list(folder)[0]
    if folder[:1] != "/":  # relative (MicroPython, runpy) or none
        folder = os.getcwd() + ("/" + folder if folder else "")
    return folder
