"""The app of tests/redis_sessions_app.py (sessions in Redis) for an ASGI
server, with /seen: the session's value and the pid of the worker that
read it, so a test can tell that every worker saw the same session."""

import os

from redis_sessions_app import app


@app.route("/seen")
def seen(req, resp):
    return {"value": req.session.get("value"), "pid": os.getpid()}
