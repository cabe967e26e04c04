# Checks the harness itself: the import guard (mpguard.py) gives the tests the
# module set of the MicroPython unix port, and the runner awaits async tests.
import sys
import asyncio


def _import_fails(stmt):
    try:
        exec(stmt)
    except ImportError:
        return True
    return False


def test_runs_on_micropython():
    assert sys.implementation.name == "micropython"


def test_modules_missing_on_unix_port_are_unimportable():
    for name in ("hmac", "functools", "inspect", "logging", "typing", "types",
                 "abc", "string", "base64"):
        assert _import_fails("import " + name), name
    assert _import_fails("from functools import partial")


def test_no_os_path():
    import os

    assert not hasattr(os, "path")
    assert _import_fails("import os.path")
    assert _import_fails("from os import path")
    assert hasattr(os, "listdir")


def test_no_defaultdict():
    import collections

    assert not hasattr(collections, "defaultdict")
    assert _import_fails("from collections import defaultdict")
    from collections import OrderedDict, deque, namedtuple  # noqa: F401


def test_fallback_pattern_works():
    try:
        import hmac
    except ImportError:
        hmac = None
    assert hmac is None


async def test_async_tests_are_awaited():
    ev = asyncio.Event()

    async def setter():
        await asyncio.sleep_ms(1)
        ev.set()

    asyncio.create_task(setter())
    await asyncio.wait_for(ev.wait(), 1)
    assert ev.is_set()
