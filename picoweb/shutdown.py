"""Stopping: the on_shutdown hooks, and the connections still open
drained within the limits (see WebApp.shutdown).

Imported as the server stops, not with the core.
"""

from .compat import asyncio, call
from .logs import log_exception


async def notify_shutdown(app):
    """WebApp.notify_shutdown(): see there."""
    for each in [app] + [sub for _, sub in app.mounts()]:
        for hook in each._shutdown_hooks:
            try:
                await call(hook)
            except Exception as exc:
                log_exception(app.log, "an on_shutdown hook failed", exc)


async def close_connections(app, connections):
    """End the connections of a stopping server: idle keep-alive ones now,
    new ones still without a request after first_request_grace, busy ones
    after shutdown_timeout, or at once when shutdown() is called again
    (app.stopping_now)."""
    busy = 0
    for conn in list(connections):
        if conn.idle and not conn.fresh:
            conn.task.cancel()
        elif not conn.idle:
            busy += 1
    if busy and app.debug >= 0:
        app.log.info("waiting for %d requests (Ctrl-C again to stop now)", busy)
    waited = 0
    graced = False
    while connections and waited < app.limits.shutdown_timeout and not app.stopping_now:
        await asyncio.sleep(0.05)
        waited += 0.05
        if not graced and waited >= app.limits.first_request_grace:
            graced = True
            for conn in list(connections):
                if conn.idle:
                    conn.task.cancel()
    for conn in list(connections):
        conn.task.cancel()
    if app.debug >= 0:
        app.log.info("Stopped")
