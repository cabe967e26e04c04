"""How much of the machine other work used while a row ran.

Other work on a shared two-core machine (someone's test suite, say) takes
CPU from the server or from wrk and skews a row. A row's `others` is the
CPU time, in cores, that processes outside this run (this script and
everything it started: servers, wrk, clients) used during the row, read
from /proc/<pid>/stat; `steal` is the time the hypervisor gave to other
machines, from /proc/stat. run.py also waits a little for a quiet
moment before each row."""

import os
import time

TICK = os.sysconf("SC_CLK_TCK")


def _steal_ticks():
    with open("/proc/stat") as f:
        fields = f.readline().split()
    return int(fields[8]) if len(fields) > 8 else 0


def _processes():
    """{pid: (ppid, CPU ticks incl. reaped children)} of every process."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # After the command name: state ppid ... utime(12) stime(13) cutime(14) cstime(15)
        found[int(entry)] = (int(fields[1]), sum(int(v) for v in fields[11:15]))
    return found


def _ours(processes, root):
    """`root` and all its descendants."""
    children = {}
    for pid, (ppid, _) in processes.items():
        children.setdefault(ppid, []).append(pid)
    ours = {root}
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in ours:
                ours.add(child)
                todo.append(child)
    return ours


def _others_ticks(processes):
    ours = _ours(processes, os.getpid())
    return {pid: ticks for pid, (_, ticks) in processes.items() if pid not in ours}


class Meter:
    """start() before a row's load, stop() after: {"others", "steal"} in cores."""

    def start(self):
        self.t0 = time.monotonic()
        self.steal0 = _steal_ticks()
        self.others0 = _others_ticks(_processes())
        return self

    def stop(self):
        wall = time.monotonic() - self.t0
        others = _others_ticks(_processes())
        # A process that started meanwhile counts whole. One that ended is
        # counted through its parent's reaped-children time, which holds its
        # whole life: take off the part it had used before the row began.
        used = sum(ticks - self.others0.get(pid, 0) for pid, ticks in others.items())
        used -= sum(ticks for pid, ticks in self.others0.items() if pid not in others)
        steal = _steal_ticks() - self.steal0
        return {"others": round(max(used, 0) / TICK / wall, 2), "steal": round(steal / TICK / wall, 2)}


def others_now(seconds=0.5):
    """Cores used by work outside this run, over `seconds`."""
    meter = Meter().start()
    time.sleep(seconds)
    return meter.stop()["others"]


def wait_for_quiet(limit=0.25, max_wait=10.0):
    """Wait (up to max_wait seconds) until others use under `limit` cores;
    returns the seconds waited."""
    start = time.monotonic()
    while others_now() > limit and time.monotonic() - start < max_wait:
        time.sleep(0.5)
    return time.monotonic() - start
