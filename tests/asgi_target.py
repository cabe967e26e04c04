"""What the ASGI server tests serve: `asgi_target:app` is the `app` of the
module PICOWEB_ASGI_MODULE (an example, or asgi_site), after the
statements in PICOWEB_ASGI_SETUP (as tests/test_examples.py sets a module
up), with picoweb's log lines on stderr: an ASGI server configures only
its own loggers, and the tests read what the app logged."""

import importlib
import logging
import os

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
m = importlib.import_module(os.environ["PICOWEB_ASGI_MODULE"])
exec(os.environ.get("PICOWEB_ASGI_SETUP", ""))
app = m.app
