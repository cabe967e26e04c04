"""Headless Chromium (Debian's `chromium`) driven over its DevTools protocol,
through a WebSocket opened with the `websockets` library: no driver, no
download. tests/setup_chromium.sh installs the browser when it is missing;
where it could not, `launch()` skips the test and says why.

    async with launch(tmp_path) as browser:
        page = await browser.open("http://127.0.0.1:8081/")
        title = await page.evaluate("document.title")
"""

import asyncio
import json
import os
import shutil
import subprocess
import time

import pytest
from websockets.asyncio.client import connect

START_TIMEOUT = 30  # seconds for the browser to open its DevTools port
COMMAND_TIMEOUT = 15
# What Chromium needs to run headless in a container, and to stay off the network.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0"]


def chromium():
    found = shutil.which("chromium")
    if found is None:
        pytest.skip("Chromium is not installed, and tests/setup_chromium.sh (run by `make test`) "
                    "could not install Debian's chromium package: no apt-get, or no root or sudo")
    return found


class Browser:
    """One Chromium process with a fresh profile, and its DevTools connection."""

    def __init__(self, profile):
        self.profile = str(profile)
        self.proc = None
        self.ws = None
        self.next_id = 0
        self.waiting = {}  # command id -> future of its result
        self.reader = None

    async def __aenter__(self):
        os.makedirs(self.profile, exist_ok=True)
        self.proc = subprocess.Popen([chromium()] + FLAGS + ["--user-data-dir=" + self.profile, "about:blank"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port, path = await self._devtools_address()
        self.ws = await connect("ws://127.0.0.1:%d%s" % (port, path), max_size=None)
        self.reader = asyncio.ensure_future(self._read())
        return self

    async def __aexit__(self, *exc):
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.command("Browser.close"), 5)
            except Exception:
                pass
            self.reader.cancel()
            await self.ws.close()
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    async def _devtools_address(self):
        # With port 0 Chromium picks one and writes it to DevToolsActivePort.
        path = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("chromium exited with %s before opening DevTools" % self.proc.returncode)
            if os.path.exists(path):
                with open(path) as f:
                    lines = f.read().split()
                if len(lines) == 2:
                    return int(lines[0]), lines[1]
            await asyncio.sleep(0.1)
        raise AssertionError("chromium opened no DevTools port within %d s" % START_TIMEOUT)

    async def _read(self):
        async for text in self.ws:
            message = json.loads(text)
            future = self.waiting.pop(message.get("id"), None)
            if future is not None and not future.done():
                future.set_result(message)

    async def command(self, method, params=None, session=None):
        """Send one DevTools command; its result, or AssertionError with its error."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        future = asyncio.get_running_loop().create_future()
        self.waiting[self.next_id] = future
        await self.ws.send(json.dumps(message))
        answer = await asyncio.wait_for(future, COMMAND_TIMEOUT)
        if "error" in answer:
            raise AssertionError("%s failed: %s" % (method, answer["error"]))
        return answer["result"]

    async def open(self, url):
        """A new tab showing `url`."""
        target = (await self.command("Target.createTarget", {"url": url}))["targetId"]
        session = (await self.command("Target.attachToTarget", {"targetId": target, "flatten": True}))["sessionId"]
        return Page(self, target, session)


class Page:
    def __init__(self, browser, target, session):
        self.browser = browser
        self.target = target
        self.session = session

    async def evaluate(self, expression):
        """The value of a JavaScript expression in the page."""
        result = await self.browser.command("Runtime.evaluate", {
            "expression": expression, "returnByValue": True, "awaitPromise": True}, self.session)
        if "exceptionDetails" in result:
            raise AssertionError("%s threw: %s" % (expression, result["exceptionDetails"]))
        return result["result"].get("value")

    async def wait_for(self, expression, timeout=10):
        """Poll until the expression is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = await self.evaluate(expression)
            if value or time.monotonic() > deadline:
                return value
            await asyncio.sleep(0.05)

    async def type(self, text):
        """Type `text` into the focused element, as a keyboard would insert it."""
        await self.browser.command("Input.insertText", {"text": text}, self.session)

    async def close(self):
        await self.browser.command("Target.closeTarget", {"targetId": self.target})


def launch(profile):
    return Browser(profile)
