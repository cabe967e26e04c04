"""Sample a running server with py-spy and rank where its time goes."""

import collections
import os
import re
import shutil
import subprocess
import sys

_FRAME = re.compile(r"^(.*) \((.*):(\d+)\)$")


def py_spy():
    """The py-spy of the bench venv, or one on PATH; None if neither."""
    here = os.path.join(os.path.dirname(sys.executable), "py-spy")
    return here if os.path.exists(here) else shutil.which("py-spy")


def start(pid, seconds, out_path, rate=200):
    """Start sampling `pid` for `seconds` into a collapsed-stack file."""
    argv = [py_spy(), "record", "--pid", str(pid), "--duration", str(seconds), "--rate", str(rate),
            "--format", "raw", "--output", out_path, "--full-filenames"]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def short_path(path, roots):
    """picoweb/server.py for the measured code's files (relative to the first
    root that holds them), asyncio/streams.py for the stdlib's."""
    for root in roots:
        if path.startswith(root + os.sep):
            return path[len(root) + 1:]
    found = re.search(r"/lib/python3\.\d+/(?:site-packages/)?(.*)$", path)
    return found.group(1) if found else path


def summarize(raw_path, roots, top=15):
    """From py-spy's raw output ("frame;frame;... count" per line, root first):
    samples, the lines with the most self time, and the functions of
    picoweb and its plugins with the most inclusive time."""
    self_time = collections.Counter()
    inclusive = collections.Counter()
    by_file = collections.Counter()
    total = 0
    with open(raw_path) as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not stack:
                continue
            count = int(count)
            total += count
            frames = []
            for frame in stack.split(";"):
                found = _FRAME.match(frame)
                if found:
                    frames.append((found.group(1), short_path(found.group(2), roots), found.group(3)))
            if not frames:
                continue
            func, path, lineno = frames[-1]
            self_time["%s (%s:%s)" % (func, path, lineno)] += count
            by_file[path] += count
            seen = set()
            for func, path, lineno in frames:
                if path.startswith(("picoweb/", "picoweb_plugins/")) and (func, path) not in seen:
                    seen.add((func, path))
                    inclusive["%s (%s)" % (func, path)] += count
    def ranked(counter):
        return [[name, count, round(100.0 * count / total, 1)] for name, count in counter.most_common(top)]
    return {"samples": total, "self": ranked(self_time), "picoweb_inclusive": ranked(inclusive),
            "files": ranked(by_file)}
