"""Logging: nothing a client sends can forge a log line, errors are logged
at every debug level, and a level the app's author set is left alone."""

import logging

import httpx
import pytest

from picoweb import WebApp
from picoweb.logs import PrintLog, SilentLog, get_logger, loggable
from rawhttp import connect, recv_responses

FORGED = b"GET /x%0A2026-12-01%2012:00:00,000%20INFO%20picoweb:%2010.0.0.1%20%22GET%20/admin%20HTTP/1.1%22%20200 HTTP/1.1\r\nHost: t\r\n\r\n"


@pytest.fixture
def picoweb_logger():
    """The "picoweb" logger as a test found it, restored after."""
    log = logging.getLogger("picoweb")
    level = log.level
    yield log
    log.setLevel(level)


@pytest.mark.parametrize("text, shown", [
    ("/plain/path", "/plain/path"),
    ("/caf\u00e9", "/caf\u00e9"),
    ("/x\n2026 INFO forged", "/x\\x0a2026 INFO forged"),
    ("/a\rb", "/a\\x0db"),
    ('/say "hi"', '/say \\"hi\\"'),
    ("/back\\slash", "/back\\\\slash"),
    ("/esc\x1b[31m", "/esc\\x1b[31m"),
    ("/del\x7f", "/del\\x7f"),
    ("/line\u2028sep", "/line\\u2028sep"),
])
def test_loggable(text, shown):
    assert loggable(text) == shown


def test_a_decoded_newline_cannot_forge_an_access_log_line(serve_app, caplog):
    app = WebApp()
    app.add_url_rule("/<path:anything>", lambda req, resp, anything: 1 / 0)
    server = serve_app(app)
    with caplog.at_level(logging.INFO, logger="picoweb"):
        sock = connect(server.port)
        try:
            sock.sendall(FORGED)
            assert recv_responses(sock, 1)[0].status == 500
        finally:
            sock.close()
        server.stop()
    messages = [record.getMessage() for record in caplog.records]
    assert any("/x\\x0a2026-12-01" in m and '\\"GET /admin' in m for m in messages), messages
    for message in messages:
        assert "\n" not in message and "\r" not in message, message


def test_errors_are_logged_with_their_traceback_at_debug_minus_one(serve_app, caplog, picoweb_logger):
    app = WebApp()
    app.debug = -1
    app.add_url_rule("/boom", lambda req, resp: 1 / 0)
    app.add_url_rule("/", lambda req, resp: "fine")
    picoweb_logger.setLevel(logging.NOTSET)
    server = serve_app(app)
    assert httpx.get(server.url + "/", timeout=5).status_code == 200
    assert httpx.get(server.url + "/boom", timeout=5).status_code == 500
    server.stop()
    errors = [r for r in caplog.records if r.name == "picoweb" and r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info[0] is ZeroDivisionError
    assert not [r for r in caplog.records if r.name == "picoweb" and '"GET /' in r.getMessage()]


def test_debug_levels_set_the_loggers_level(picoweb_logger):
    picoweb_logger.setLevel(logging.NOTSET)
    assert get_logger("picoweb", -1).level == logging.WARNING
    assert get_logger("picoweb", 0).level == logging.INFO
    assert get_logger("picoweb", 1).level == logging.DEBUG


def test_a_level_the_user_set_is_kept(picoweb_logger):
    picoweb_logger.setLevel(logging.NOTSET)
    get_logger("picoweb", 0)
    picoweb_logger.setLevel(logging.ERROR)  # the app's author's choice
    assert get_logger("picoweb", 1).level == logging.ERROR
    assert get_logger("picoweb", -1).level == logging.ERROR


def test_run_with_log_false_is_silent(monkeypatch):
    app = WebApp()
    seen = {}

    def fake_run(coro):
        seen["log"] = app.log
        coro.close()

    monkeypatch.setattr("picoweb.app.asyncio.run", fake_run)
    app.run(port=0, log=False)
    assert isinstance(seen["log"], SilentLog)


def test_debug_two_is_debug_one(monkeypatch):
    app = WebApp()
    monkeypatch.setattr("picoweb.app.asyncio.run", lambda coro: coro.close())
    app.run(port=0, debug=2)
    assert app.debug == 1


@pytest.mark.parametrize("debug, shown", [(-1, ["WARNING", "ERROR"]), (0, ["INFO", "WARNING", "ERROR"]),
                                          (1, ["DEBUG", "INFO", "WARNING", "ERROR"])])
def test_without_a_logging_module_records_are_printed_from_the_level_debug_sets(monkeypatch, capsys,
                                                                                  debug, shown):
    monkeypatch.setattr("picoweb.logs.logging", None)  # as on the MicroPython unix port
    log = get_logger("picoweb", debug)
    assert isinstance(log, PrintLog)
    log.debug("d %s", 1)
    log.info("i %s", 2)
    log.warning("w")
    log.error("e %s", "x", exc_info=None)
    printed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert printed == shown
    log.info("GET %s", "/")
    if debug >= 0:
        assert capsys.readouterr().out == "INFO picoweb: GET /\n"
