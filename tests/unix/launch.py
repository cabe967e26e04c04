# Runs a picoweb app script under the MicroPython unix port, as
# `micropython script.py [args]` would, with one difference for the tests:
# `WebApp.run()` serves on the port given by PICOWEB_TEST_PORT (default 0,
# a free one) whatever port the script asks for, so the examples run exactly
# as written. The test reads the port from the "Running on http://..." line
# of picoweb's own log (printed: the unix port has no logging module).
#
#   MICROPYPATH=.frozen:<repo> micropython tests/unix/launch.py app.py [args]
import os
import sys

import picoweb

_run = picoweb.WebApp.run


def run(app, host="127.0.0.1", port=8081, debug=0, lazy_init=False, log=None, **options):
    port = int(os.getenv("PICOWEB_TEST_PORT") or 0)
    _run(app, host, port, debug, lazy_init, log, **options)


picoweb.WebApp.run = run
script = sys.argv[1]
sys.argv.pop(0)  # the script is argv[0] now (sys.argv cannot be rebound here)
# Its folder first on the path, in place of ours, as `micropython script.py`
# has it; and its name as __main__'s, where app.root_path looks.
sys.path[0] = script.rpartition("/")[0]
__file__ = script
with open(script) as f:
    source = f.read()
exec(compile(source, script, "exec"), {"__name__": "__main__", "__file__": script})
