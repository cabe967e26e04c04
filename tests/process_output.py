"""Server processes a test started: their output read as it comes (a
thread drains the pipe all along, so a chatty server never blocks on it,
and every wait for a line is bounded), and their end. Used by the
examples' CPython runner (tests/test_examples.py), the MicroPython
launcher (tests/unix/mpserver.py) and the helpers that run Redis, nginx
and Chromium.
"""

import queue
import re
import subprocess
import threading
import time


def end_process(process, timeout):
    """SIGTERM `process`, and kill it if it has not exited within `timeout` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout)


class ProcessOutput:
    """A base for a class whose __init__ starts `self.proc` (stdout a text
    pipe, stderr joined to it), then calls follow_output(). Subclasses give
    kill(), which wait_for_line() calls when it gives up."""

    def follow_output(self):
        self.lines = []  # everything the process printed so far
        self._lines = queue.Queue()
        self._pump_thread = threading.Thread(target=self._pump, daemon=True)
        self._pump_thread.start()

    def _pump(self):
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def wait_for_line(self, pattern, timeout, what):
        """The match of the first new output line matching `pattern`."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                line = self._lines.get(timeout=max(remaining, 0))
            except queue.Empty:
                line = None
                remaining = 0
            if line is None:
                self.kill()
                why = "timed out" if remaining <= 0 else "the process exited"
                raise AssertionError("waiting for %s: %s; output:\n%s" % (what, why, self.output))
            self.lines.append(line)
            found = re.search(pattern, line)
            if found:
                return found

    def collect(self, timeout=0.2):
        """Take in what the process printed meanwhile (until it ends or
        `timeout` seconds pass); returns all output."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(deadline - time.monotonic(), 0))
            except queue.Empty:
                return self.output
            if line is None:
                self._lines.put(None)  # the end stays seen
                return self.output
            self.lines.append(line)

    @property
    def output(self):
        return "\n".join(self.lines)
