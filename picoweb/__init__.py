"""picoweb: a pico web framework for CPython asyncio and MicroPython."""

from .app import WebApp
from .errors import HTTPError
from .headers import Headers
from .limits import Limits
from .request import Request
from .response import Response, start_response

__version__ = "2.0.0"


def __getattr__(name):
    # http_error, redirect, sendfile, sendstream and get_mime_type load on
    # first use (see picoweb.response), as asyncio's own names do on
    # MicroPython; like those, they cannot be star-imported. A submodule
    # must be imported by its full name there (`import picoweb.testclient`)
    # before `from picoweb import testclient` finds it.
    from . import response

    value = getattr(response, name)
    globals()[name] = value
    return value
