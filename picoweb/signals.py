"""`app.run()` on CPython: serve until SIGINT (Ctrl-C) or SIGTERM, each of
which calls `app.shutdown()` (a second one ends in-flight requests at
once); the handlers that were there before are put back after.

Imported by run() on CPython only: MicroPython has no signal handlers.
"""

import signal

from .compat import asyncio

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def run_until_signal(app, serving, loop_factory=None):
    """Run the coroutine `serving` (app.serve()) on a new event loop, from
    `loop_factory` if given (e.g. uvloop.new_event_loop), with the stop
    signals handled as the module doc says."""
    previous = [signal.getsignal(signum) for signum in STOP_SIGNALS]
    try:
        main = _serve_until_signal(app, serving)
        if loop_factory is None:
            asyncio.run(main)
        else:
            _run_on(loop_factory, main)
    finally:
        for signum, handler in zip(STOP_SIGNALS, previous):
            signal.signal(signum, handler)


async def _serve_until_signal(app, serving):
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, app.shutdown)
    try:
        await serving
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
            # asyncio.run closes its wakeup fd before it would restore
            # handlers: a late second signal must meet neither.
            signal.signal(signum, signal.SIG_IGN)


def _run_on(loop_factory, main):
    # What asyncio.run() does, on a loop of the app's choosing (asyncio.run
    # takes no loop factory before 3.12).
    loop = loop_factory()
    try:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(main)
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        asyncio.set_event_loop(None)
        loop.close()
