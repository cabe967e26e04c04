"""picoweb: a pico web framework for CPython asyncio and MicroPython."""

from .app import WebApp
from .errors import HTTPError
from .headers import Headers
from .request import Request
from .response import (
    Response, get_mime_type, http_error, redirect, sendfile, sendstream, start_response,
)

__version__ = "2.0.0"
