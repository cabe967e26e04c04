# Minimal test runner for MicroPython (unittest/pytest are not available).
#
# A test module defines `async def test_xxx():` or `def test_xxx():` functions
# that use assert. They run in the order they are defined in the source (found
# by scanning the file, since module dicts are not insertion-ordered); any other
# test_* callable follows, sorted by name. Each async test runs under
# asyncio.wait_for, so a test that waits forever fails instead of hanging; a
# module can set TIMEOUT (seconds) to change the default.
#
# run.mjs sets `on_result(name, ok)` to receive each result as it happens (ok is
# None when a test starts), so a file killed half way still reports what it
# finished and which test hung.
import sys
import asyncio

TIMEOUT = 20
on_result = None


def _report(name, ok):
    if on_result is not None:
        on_result(name, ok)


def _names(path, module):
    names = []
    with open(path) as f:
        for line in f:
            for prefix in ("def test_", "async def test_"):
                if line.startswith(prefix):
                    name = "test_" + line[len(prefix):].split("(")[0].strip()
                    if name not in names:
                        names.append(name)
    extra = sorted(n for n in dir(module) if n.startswith("test_") and n not in names)
    return [n for n in names + extra if callable(getattr(module, n, None))]


async def run_test(name, fn, timeout):
    try:
        result = fn()
        if hasattr(result, "send"):  # coroutines are generators in MicroPython
            await asyncio.wait_for(result, timeout)
    except asyncio.TimeoutError:
        print("FAIL %s: timed out after %s s" % (name, timeout))
        return False
    except BaseException as e:
        print("FAIL %s:" % name)
        sys.print_exception(e)
        return False
    print("PASS", name)
    return True


async def run_file(path, modname):
    """Import the test module at path (on sys.path as modname), run its tests.

    Returns (passed, failed). Must run inside a task (not the top-level
    coroutine of runPythonAsync), because wait_for cancels through it.
    """
    try:
        module = __import__(modname)
    except BaseException as e:
        print("FAIL %s (import):" % modname)
        sys.print_exception(e)
        _report(modname + " (import)", False)
        return 0, 1
    timeout = getattr(module, "TIMEOUT", TIMEOUT)
    passed = failed = 0
    for name in _names(path, module):
        _report(name, None)
        ok = await run_test(name, getattr(module, name), timeout)
        _report(name, ok)
        if ok:
            passed += 1
        else:
            failed += 1
    return passed, failed
