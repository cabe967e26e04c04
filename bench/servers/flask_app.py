"""Flask on gunicorn, one sync worker (gunicorn's default worker class).
A sync worker closes the connection after every response, keep-alive or
not: that is how this stack is usually deployed behind a proxy."""

from common import HELLO, HOST, MESSAGE, parse_argv, user_text
from flask import Flask, request
from gunicorn.app.base import BaseApplication


def build(data_dir):
    # Flask's own static route: send_file, through gunicorn's sendfile.
    app = Flask(__name__, static_folder=data_dir, static_url_path="/static")

    @app.get("/hello")
    def hello():
        return HELLO

    @app.get("/json")
    def json():
        return MESSAGE

    @app.get("/user/<int:user_id>")
    def user(user_id):
        return user_text(user_id, request.args.get("q"))

    return app


class Gunicorn(BaseApplication):
    """gunicorn started from Python, so this script has the same command line
    as the others (no config file, no access log)."""

    def __init__(self, app, options):
        self.app = app
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.app


if __name__ == "__main__":
    port, data_dir, _ = parse_argv()
    Gunicorn(build(data_dir), {
        "bind": "%s:%d" % (HOST, port), "workers": 1, "worker_class": "sync",
        "accesslog": None, "loglevel": "warning",
    }).run()
