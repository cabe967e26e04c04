"""aiohttp's web server (its C HTTP parser, as pip installs it), with its
own static route for /static/."""

from aiohttp import web
from common import HELLO, HOST, MESSAGE, parse_argv, user_text


async def hello(request):
    return web.Response(text=HELLO)


async def json(request):
    return web.json_response(MESSAGE)


async def user(request):
    return web.Response(text=user_text(int(request.match_info["user_id"]), request.query.get("q")))


def build(data_dir):
    app = web.Application()
    app.router.add_get("/hello", hello)
    app.router.add_get("/json", json)
    app.router.add_get(r"/user/{user_id:\d+}", user)
    app.router.add_static("/static/", data_dir)
    return app


if __name__ == "__main__":
    port, data_dir, _ = parse_argv()
    web.run_app(build(data_dir), host=HOST, port=port, access_log=None, print=None)
