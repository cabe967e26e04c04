"""The few places where CPython and MicroPython differ, decided once at import."""

try:
    import asyncio
except ImportError:  # MicroPython builds that predate the asyncio name
    import uasyncio as asyncio

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
