"""The SSE plugin on the MicroPython unix port: examples/
example_eventsource.py served by `micropython`, read by httpx-sse."""

import time

import httpx
from httpx_sse import connect_sse

from mpserver import EXAMPLES

APP = """\
import example_eventsource as m
m.INTERVAL = 0.05
m.app.run(debug=0)
"""


def test_eventsource_example_on_the_micropython_unix_port(mp_server):
    server = mp_server(source=APP, cwd=EXAMPLES, path=[EXAMPLES])
    with httpx.Client(base_url=server.url, timeout=5) as client:
        assert 'new EventSource("counter")' in client.get("/").text
        with connect_sse(client, "GET", "/counter") as source:
            assert source.response.headers["content-type"] == "text/event-stream"
            events = source.iter_sse()
            assert next(events).retry == 2000
            assert [(e.event, e.id, e.data) for e in (next(events), next(events))] == [
                ("tick", "1", "1"), ("tick", "2", "2")]
        # Reconnecting with the last id seen goes on from there.
        with connect_sse(client, "GET", "/counter", headers={"Last-Event-ID": "2"}) as source:
            events = source.iter_sse()
            next(events)
            assert [next(events).id, next(events).id] == ["3", "4"]
        # Clients that leave mid-stream end their handlers: more of them
        # than the port's max_connections (16), which a leak would use up.
        for _ in range(24):
            with connect_sse(client, "GET", "/counter") as source:
                assert source.response.status_code == 200
                next(source.iter_sse())
            time.sleep(0.05)
        assert client.get("/").status_code == 200
    assert server.alive(), server.collect()
