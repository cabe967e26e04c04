"""Headless Chromium for tests, driven over its DevTools protocol on a
WebSocket (the `websockets` library's synchronous client): start it with a
fresh profile on a free debugging port, open pages and tabs, run script,
type, click. The `chromium` fixture (conftest.py) hands one out.

`Chromium.start()` skips the test, saying why, when no chromium is
installed (`make test` installs Debian's with tests/setup/chromium.sh).
"""

import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest

from process_output import end_process

START_TIMEOUT = 30  # seconds for chromium to open its debugging port
CALL_TIMEOUT = 15  # seconds for one DevTools command to answer
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--remote-debugging-address=127.0.0.1",
         "--remote-debugging-port=0"]


def chromium_command():
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Page:
    """One DevTools session on a page target: `call(method, **params)`."""

    def __init__(self, url):
        from contextlib import ExitStack

        from websockets.sync.client import connect

        self.stack = ExitStack()
        self.socket = self.stack.enter_context(
            connect(url, max_size=16 * 1024 * 1024, open_timeout=CALL_TIMEOUT))
        self.last_id = 0

    def call(self, method, **params):
        self.last_id += 1
        self.socket.send(json.dumps({"id": self.last_id, "method": method, "params": params}))
        deadline = time.monotonic() + CALL_TIMEOUT
        while True:
            message = json.loads(self.socket.recv(timeout=max(deadline - time.monotonic(), 0.01)))
            if message.get("id") == self.last_id:  # events (no id) are not needed here
                if "error" in message:
                    raise AssertionError("%s failed: %s" % (method, message["error"]))
                return message["result"]

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError("%s threw: %s" % (expression, result["exceptionDetails"]))
        return result["result"].get("value")

    def wait_for(self, expression, timeout=CALL_TIMEOUT):
        """Poll until the expression is truthy in a fully loaded page; its value."""
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            try:
                value = self.evaluate("document.readyState === 'complete' && (%s)" % expression)
            except AssertionError:  # the page was navigating away mid-evaluation
                value = None
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError("timed out waiting for %s; the page is %r: %r" % (
            expression, self.evaluate("location.href"), self.evaluate("document.body && document.body.innerText")))

    def navigate(self, url):
        self.call("Page.navigate", url=url)

    def type_into(self, selector, text):
        """Focus the element and type `text` into it, as keystrokes would."""
        self.evaluate("document.querySelector(%s).focus()" % json.dumps(selector))
        self.call("Input.insertText", text=text)

    def click(self, selector):
        """A mouse click in the middle of the element, as a user's."""
        box = self.evaluate("(function(){var r = document.querySelector(%s).getBoundingClientRect();"
                            "return [r.x + r.width / 2, r.y + r.height / 2];})()" % json.dumps(selector))
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left",
                      clickCount=1)

    def close(self):
        """End the DevTools session (the tab stays: see close_tab)."""
        self.stack.close()

    def close_tab(self):
        """Close the tab itself, as a user closing it would, then the session."""
        try:
            self.call("Page.close")
        except Exception:  # the tab may go before its answer does
            pass
        self.close()


class Chromium:
    """A headless chromium process with a profile of its own."""

    def __init__(self):
        self.process = None
        self.profile = None

    def start(self):
        command = chromium_command()
        if command is None:
            pytest.skip("no chromium installed: `make test` installs Debian's package with "
                        "tests/setup/chromium.sh, which needs apt-get and root or sudo")
        self.profile = tempfile.mkdtemp(prefix="picoweb-chromium-")
        self.process = subprocess.Popen(
            [command] + FLAGS + ["--user-data-dir=" + self.profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + START_TIMEOUT
        while not self._port_file_ready(port_file):
            if self.process.poll() is not None or time.monotonic() > deadline:
                error = self.process.stderr.read().decode(errors="replace") if self.process.poll() is not None else ""
                self.stop()
                raise AssertionError("chromium did not open its debugging port: " + error[-2000:])
            time.sleep(0.05)
        with open(port_file) as f:
            self.port = int(f.readline())
        return self

    @staticmethod
    def _port_file_ready(path):
        try:
            with open(path) as f:
                return f.read().count("\n") >= 1
        except OSError:
            return False

    def open_page(self):
        """A DevTools session on the browser's first page."""
        import httpx

        deadline = time.monotonic() + START_TIMEOUT
        while True:
            targets = httpx.get("http://127.0.0.1:%d/json/list" % self.port, timeout=CALL_TIMEOUT).json()
            pages = [target for target in targets if target["type"] == "page"]
            if pages:
                return Page(pages[0]["webSocketDebuggerUrl"])
            if time.monotonic() > deadline:
                raise AssertionError("chromium has no page target: %r" % targets)
            time.sleep(0.05)

    def new_page(self, url):
        """A DevTools session on a new tab showing `url`."""
        import httpx
        from urllib.parse import quote

        target = httpx.put("http://127.0.0.1:%d/json/new?%s" % (self.port, quote(url, safe=":/")),
                           timeout=CALL_TIMEOUT).json()
        return Page(target["webSocketDebuggerUrl"])

    def stop(self):
        if self.process is not None:
            end_process(self.process, 10)
            self.process.stderr.close()
        if self.profile is not None:
            shutil.rmtree(self.profile, ignore_errors=True)

