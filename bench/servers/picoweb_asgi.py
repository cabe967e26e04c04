"""picoweb's app (picoweb_app.build, the same routes and static files)
under uvicorn, one worker, on uvloop with the httptools parser: beside
Starlette under the same uvicorn settings (starlette_app.py, variant
"uvloop") and beside picoweb's own server."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import uvicorn  # noqa: E402
from common import HOST, parse_argv  # noqa: E402
from picoweb_app import build  # noqa: E402 (it puts PICOWEB_ROOT first on sys.path)

if __name__ == "__main__":
    port, data_dir, _ = parse_argv()
    app = build(data_dir)
    app.debug = -1  # no log line per request, as the other servers are set up
    uvicorn.run(app, host=HOST, port=port, workers=1, loop="uvloop", http="httptools",
                log_level="warning", access_log=False)
