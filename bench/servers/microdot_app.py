"""microdot on CPython (asyncio), with its own send_file for /static/."""

import os

from common import HELLO, HOST, MESSAGE, parse_argv, user_text
from microdot import Microdot, Response


def build(data_dir):
    app = Microdot()

    @app.route("/hello")
    async def hello(request):
        return HELLO

    @app.route("/json")
    async def json(request):
        return MESSAGE

    @app.route("/user/<int:user_id>")
    async def user(request, user_id):
        return user_text(user_id, request.args.get("q"))

    @app.route("/static/<path:path>")
    async def static(request, path):
        # send_file trusts its path: refuse anything that could leave data_dir.
        if ".." in path.split("/") or not os.path.isfile(os.path.join(data_dir, path)):
            return "not found", 404
        return Response.send_file(os.path.join(data_dir, path))

    return app


if __name__ == "__main__":
    port, data_dir, _ = parse_argv()
    build(data_dir).run(host=HOST, port=port)
