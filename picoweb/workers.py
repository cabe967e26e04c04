"""--workers N: pre-forked processes serving one listening socket.

The parent binds the socket and imports the app once, then forks N
workers; each runs its own event loop (its own core), and the kernel
hands each new connection to one of them. SIGTERM or SIGINT to the parent
passes SIGTERM on: every worker stops as `app.run()` does (in-flight
requests finish) and the parent exits 0. A worker that dies is replaced,
unless it died within RESTART_GRACE of its start: then it is broken, not
unlucky, so the parent stops the others and exits 1.
"""

import os
import signal
import sys
import time

RESTART_GRACE = 1.0  # seconds: a worker dying sooner than this after its start ends the server
STOP_GRACE = 30  # seconds workers get to stop (shutdown_timeout is 10 by default) before SIGKILL
POLL = 0.2  # seconds between looks for exited workers


def prefork(count, serve, log):
    """Run `serve()` in `count` forked workers until stopped; the exit status."""
    workers = {}  # pid: monotonic start time
    stopping = []

    def stop(signum=None, frame=None):
        if not stopping:
            stopping.append(time.monotonic())
        for pid in list(workers):
            _signal(pid, signal.SIGTERM)

    previous = [signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGINT)]
    status = 0
    try:
        for _ in range(count):
            pid = _fork(serve)
            workers[pid] = time.monotonic()
        log.info("%d workers: %s", count, " ".join(str(pid) for pid in workers))
        while workers:
            pid, code = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                if stopping and time.monotonic() - stopping[0] > STOP_GRACE:
                    for pid in list(workers):
                        _signal(pid, signal.SIGKILL)
                time.sleep(POLL)
                continue
            started = workers.pop(pid, None)
            if started is None or stopping:
                continue
            log.warning("worker %d %s", pid, _exit_reason(code))
            if time.monotonic() - started < RESTART_GRACE:
                log.error("worker %d died within %.0f s of its start: stopping", pid, RESTART_GRACE)
                status = 1
                stop()
                continue
            pid = _fork(serve)
            workers[pid] = time.monotonic()
            log.info("worker %d started in its place", pid)
    finally:
        for signum, handler in zip((signal.SIGTERM, signal.SIGINT), previous):
            signal.signal(signum, handler)
    return status


def _fork(serve):
    sys.stdout.flush()
    sys.stderr.flush()  # or the child writes the parent's buffered output again
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, signal.SIG_DFL)  # until run() sets its own
        serve()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)  # never back into the parent's code, nor its atexit hooks


def _signal(pid, signum):
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _exit_reason(code):
    if os.WIFSIGNALED(code):
        return "was killed by signal %d" % os.WTERMSIG(code)
    return "exited with status %d" % os.WEXITSTATUS(code)
