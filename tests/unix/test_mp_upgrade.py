"""`resp.upgrade()` on the MicroPython unix port: the stream's close()
ends a read another task is waiting in, with the app of
tests/test_upgrade.py (the CPython side) served by `micropython`."""

import json
import time

from rawhttp import connect
from test_upgrade import APP, WAKE_WITHIN, open_quiet_upgrade


def test_close_ends_a_waiting_read_on_micropython(mp_server):
    server = mp_server(source=APP + "\napp.run(debug=0)\n")
    sock = open_quiet_upgrade(server.port)
    try:
        deadline = time.monotonic() + 0.2 + WAKE_WITHIN
        while True:
            probe = connect(server.port)
            probe.sendall(b"GET /result HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            answer = b""
            while True:
                piece = probe.recv(4096)
                if not piece:
                    break
                answer += piece
            probe.close()
            got = json.loads(answer.partition(b"\r\n\r\n")[2])["got"]
            if got or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert got, "the read still waits after close(): " + server.collect()
        assert got[0][0] == "b''" and got[0][1] < WAKE_WITHIN * 1000
    finally:
        sock.close()
