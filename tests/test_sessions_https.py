"""The session cookie over real HTTPS (the built-in server with a
throwaway certificate from Debian's `openssl`, httpx verifying it): Secure
by default there, not over plain HTTP, and as forced by `secure=`."""

import ssl

import httpx
import pytest

import picoweb
from picoweb_plugins.sessions import Sessions
from tlscert import OPENSSL, SKIP_REASON, make_certificate

pytestmark = [pytest.mark.skipif(OPENSSL is None, reason=SKIP_REASON), pytest.mark.server]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return make_certificate(str(tmp_path_factory.mktemp("tls")))


def session_app(**settings):
    app = picoweb.WebApp(__name__)
    app.install(Sessions(secret_key="k" * 32, **settings))
    app.add_url_rule("/", lambda req, resp: req.session.update(seen=req.scheme) or req.scheme)
    return app


def cookie_over(serve_app, certificate, tls, **settings):
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*certificate)
        server = serve_app(session_app(**settings), lambda app: app.serve("127.0.0.1", 0, ssl=context))
        url, verify = "https://127.0.0.1:%d/" % server.port, ssl.create_default_context(cafile=certificate[0])
    else:
        server = serve_app(session_app(**settings))
        url, verify = server.url + "/", True
    with httpx.Client(verify=verify, timeout=5) as client:
        resp = client.get(url)
        assert resp.text == ("https" if tls else "http")
        return resp.headers["set-cookie"]


def test_the_session_cookie_is_secure_over_https_only(serve_app, certificate):
    assert "; Secure" in cookie_over(serve_app, certificate, tls=True)
    assert "Secure" not in cookie_over(serve_app, certificate, tls=False)


def test_secure_can_be_forced_either_way(serve_app, certificate):
    # Behind a proxy that ends TLS the server sees plain HTTP: secure=True.
    assert "; Secure" in cookie_over(serve_app, certificate, tls=False, secure=True)
    assert "Secure" not in cookie_over(serve_app, certificate, tls=True, secure=False)
