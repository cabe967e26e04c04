"""The floors' whole HTTP: split the request line and the headers, then
look up a fixed response. Shared by floor_streams.py and floor_protocol.py
so both do exactly the same work per request."""

import json
import os

from common import HELLO, MESSAGE, user_text


def _response(body, content_type, close):
    head = "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n" % (content_type, len(body))
    if close:
        head += "Connection: close\r\n"
    return head.encode() + b"\r\n" + body


class Responses:
    """Fixed responses by (path, close): the app routes built up front, a
    file read on its first request only, so that a floor's RSS in the
    tables without files holds no file."""

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.table = {}
        for path, body, content_type in (
            (b"/hello", HELLO.encode(), "text/plain"),
            (b"/json", json.dumps(MESSAGE).encode(), "application/json"),
            (b"/user/", user_text(42, "bench").encode(), "text/plain"),
        ):
            for close in (False, True):
                self.table[path, close] = _response(body, content_type, close)

    def get(self, path, close):
        found = self.table.get((path, close))
        if found is None and path.startswith(b"/static/"):
            name = path[len(b"/static/"):].decode()
            if "/" not in name and name not in ("", ".", ".."):
                try:
                    with open(os.path.join(self.data_dir, name), "rb") as f:
                        found = _response(f.read(), "application/octet-stream", close)
                except OSError:
                    return None
                self.table[path, close] = found
        return found


NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"


def answer(head, responses):
    """(response bytes, close?) for one request head (without its blank line)."""
    lines = head.split(b"\r\n")
    method, target, version = lines[0].split(b" ")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    close = headers.get(b"connection", b"").lower() == b"close" or version == b"HTTP/1.0"
    path = target.partition(b"?")[0]
    if path.startswith(b"/user/"):
        path = b"/user/"
    return responses.get(path, close) or NOT_FOUND, close
