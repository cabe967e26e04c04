"""Server processes: start on a free loopback port, probe, measure memory,
and stop, always, even when the run fails."""

import http.client
import os
import resource
import signal
import socket
import subprocess
import sys
import time

HOST = "127.0.0.1"
SERVER_CPU = 0  # the server gets one core and the load generator the other
CLIENT_CPU = 1
NOFILE = 4096  # descriptors the servers and the idle client may open
# Servers and wrk run ahead of other work on a shared machine (someone's
# test suite) where we may raise priority (root); elsewhere as they are.
NICE = -10

_TICK = os.sysconf("SC_CLK_TCK")
_running = set()  # every server process still alive, for stop_all()


def free_port():
    """A port nothing listens on now; the server binds it a moment later."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def raise_nofile(want=NOFILE):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        limit = want if hard == resource.RLIM_INFINITY else min(want, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))


def pin(cpu):
    """preexec_fn: run the child (and what it forks) on one core, if there
    are two, at a raised priority where allowed."""
    def apply():
        raise_nofile()
        try:
            os.nice(NICE)
        except OSError:
            pass
        if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
            os.sched_setaffinity(0, {cpu})
    return apply


class ServerProcess:
    """One server script on its own port, in its own process group so that
    stopping it also stops its workers (gunicorn, nginx)."""

    def __init__(self, server, data_dir, log_path, env=None):
        self.server = server
        self.env = dict(os.environ, **(env or {}))
        self.data_dir = data_dir
        self.log_path = log_path
        self.port = None
        self.proc = None

    def start(self, timeout=20):
        self.port = free_port()
        argv = [sys.executable, self.server.script, str(self.port), self.data_dir]
        if self.server.variant:
            argv.append(self.server.variant)
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                     env=self.env, start_new_session=True, preexec_fn=pin(SERVER_CPU))
        log.close()
        _running.add(self)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with %s: %s" % (self.server.name, self.proc.returncode, self.log_tail()))
            try:
                socket.create_connection((HOST, self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("%s did not listen within %ds: %s" % (self.server.name, timeout, self.log_tail()))

    def get(self, path, close=True):
        """(status, body) of one GET on a new connection."""
        conn = http.client.HTTPConnection(HOST, self.port, timeout=20)
        try:
            conn.request("GET", path, headers={"Connection": "close"} if close else {})
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def url(self, path):
        return "http://%s:%d%s" % (HOST, self.port, path)

    def pids(self):
        """The server process and all its descendants (gunicorn's and nginx's workers)."""
        if self.proc is None:
            return []
        return [self.proc.pid] + descendants(self.proc.pid)

    def peak_rss_kib(self):
        """VmHWM of the largest process of the server: for gunicorn and nginx
        that is the one worker that served, not the idle master."""
        return max([proc_status_kib(pid, "VmHWM") or 0 for pid in self.pids()] or [0])

    def rss_kib(self):
        return max([proc_status_kib(pid, "VmRSS") or 0 for pid in self.pids()] or [0])

    def cpu_seconds(self):
        """(user, system) CPU seconds used so far by the server's processes."""
        user = system = 0
        for pid in self.pids():
            try:
                with open("/proc/%d/stat" % pid) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                user += int(fields[11])
                system += int(fields[12])
            except (OSError, IndexError, ValueError):
                pass
        return user / _TICK, system / _TICK

    def log_tail(self, size=1500):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-size:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        """SIGTERM the server's process group (its id is the server's pid, from
        start_new_session: only what it started), then SIGKILL what is left."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        _running.discard(self)
        _signal_group(proc.pid, signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        # A stuck server, or workers that outlive their master for a moment.
        _signal_group(proc.pid, signal.SIGKILL)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def _signal_group(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def stop_all():
    for server in list(_running):
        server.stop()


def proc_status_kib(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def descendants(pid):
    """Child processes of `pid`, recursively, found from /proc/*/stat."""
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        # Fields after the ")" that closes the command name: state, ppid, ...
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    found = []
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), ()):
            found.append(child)
            todo.append(child)
    return found
