"""The tests in this folder run twice: here under pytest, and under the
MicroPython unix port (tests/test_portable_on_micropython.py runs each file
with tests/micropython/mptest.py). So they use what both runtimes have:
plain `def test_*()` / `async def test_*()` with assert, no fixtures."""

import asyncio
import inspect

import pytest

TIMEOUT = 20  # seconds, as mptest's default


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        timeout = getattr(pyfuncitem.module, "TIMEOUT", TIMEOUT)
        asyncio.run(asyncio.wait_for(pyfuncitem.obj(), timeout))
        return True
    return None
