"""Starlette on uvicorn, one worker, asyncio loop and the h11 protocol: the
same event loop as picoweb and pure-Python HTTP parsing (no uvloop or
httptools, which are optional extras). Files through StaticFiles.

Variant "uvloop": uvicorn on uvloop with the httptools parser, the
settings picoweb_asgi.py runs picoweb's app with."""

import uvicorn
from common import HELLO, HOST, MESSAGE, parse_argv, user_text
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles


async def hello(request):
    return PlainTextResponse(HELLO)


async def json(request):
    return JSONResponse(MESSAGE)


async def user(request):
    return PlainTextResponse(user_text(request.path_params["user_id"], request.query_params.get("q")))


def build(data_dir):
    return Starlette(routes=[
        Route("/hello", hello),
        Route("/json", json),
        Route("/user/{user_id:int}", user),
        Mount("/static", StaticFiles(directory=data_dir)),
    ])


if __name__ == "__main__":
    port, data_dir, variant = parse_argv()
    loop, http = ("uvloop", "httptools") if variant == "uvloop" else ("asyncio", "h11")
    uvicorn.run(build(data_dir), host=HOST, port=port, workers=1, loop=loop, http=http,
                log_level="warning", access_log=False)
