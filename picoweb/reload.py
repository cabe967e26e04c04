"""--reload: a supervisor that holds the listening socket and runs the app
in a child process, started anew whenever a watched file changes.

The socket stays open in the supervisor across restarts, so the port
never closes: a request that comes while one child stops and the next
starts waits in the socket's backlog and is served by the new child.
Changes are found by polling file times (no watcher package needed):
`.py` files, and every file below a folder named `templates` or `static`,
under the watched folders.
"""

import os
import signal
import subprocess
import sys
import time

POLL = 0.5  # seconds between looks at the files
STOP_GRACE = 30  # seconds a child gets to stop (shutdown_timeout is 10 by default) before SIGKILL
SKIPPED = ("__pycache__", "node_modules")


def supervise(args, sock):
    """Run the app of `args` in children serving `sock`, restarting one on
    each change, until SIGTERM or SIGINT; the exit status."""
    from .logs import get_logger

    log = get_logger("picoweb", args.debug)
    roots = [os.path.abspath(root) for root in (args.reload_dir or ["."])]
    command = child_command(args, sock.fileno())
    stopping = []
    previous = [signal.signal(signum, lambda signum, frame: stopping.append(signum))
                for signum in (signal.SIGTERM, signal.SIGINT)]
    try:
        seen = scan(roots)
        child = start(command, sock)
        log.info("watching %s for changes", ", ".join(roots))
        while not stopping:
            time.sleep(POLL)
            if child is not None and child.poll() is not None:
                log.warning("the app exited with status %d: waiting for a change to start it again",
                            child.returncode)
                child = None
            now = scan(roots)
            changed = sorted(path for path in set(now) | set(seen) if now.get(path) != seen.get(path))
            seen = now
            if not changed or stopping:
                continue
            log.info("%s changed: restarting", os.path.relpath(changed[0]))
            stop(child)
            child = start(command, sock)
        stop(child)
    finally:
        for signum, handler in zip((signal.SIGTERM, signal.SIGINT), previous):
            signal.signal(signum, handler)
        sock.close()
    return 0


def child_command(args, fd):
    """This command again, without --reload, serving the inherited socket `fd`."""
    command = [sys.executable, "-m", "picoweb", "--fd", str(fd), "--host", args.host,
               "--port", str(args.port), "--workers", str(args.workers)]
    command += ["--quiet"] if args.debug < 0 else ["--debug"] * args.debug
    if args.certfile:
        command += ["--certfile", args.certfile]
    if args.keyfile:
        command += ["--keyfile", args.keyfile]
    return command + [args.app]


def start(command, sock):
    return subprocess.Popen(command, pass_fds=(sock.fileno(),))


def stop(child):
    """SIGTERM the child and wait for it: in-flight requests finish first."""
    if child is None or child.poll() is not None:
        return
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(STOP_GRACE)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def watched(path_parts, name):
    return name.endswith(".py") or "templates" in path_parts or "static" in path_parts


def scan(roots):
    """{path: (mtime_ns, size)} of every watched file under `roots`."""
    found = {}
    for root in roots:
        for folder, dirs, files in os.walk(root):
            parts = os.path.relpath(folder, root).split(os.sep)
            # Hidden folders (.git, .venv) and caches.
            dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIPPED]
            for name in files:
                if name.startswith(".") or not watched(parts, name):
                    continue
                path = os.path.join(folder, name)
                try:
                    info = os.stat(path)
                except OSError:  # removed meanwhile: the next scan tells
                    continue
                found[path] = (info.st_mtime_ns, info.st_size)
    return found
