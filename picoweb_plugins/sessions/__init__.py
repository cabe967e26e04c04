"""Sessions plugin: `req.session`, in a signed cookie or a server-side store.

    from picoweb_plugins.sessions import Sessions
    app.install(Sessions(secret_key=os.environ["SESSION_KEY"]))

    @app.route("/count")
    def count(req, resp):
        req.session["n"] = req.session.get("n", 0) + 1
        return "visit %d" % req.session["n"]

Stores: store_files.FileStore (both runtimes), store_sqlite.SqliteStore
(CPython), store_btree.BtreeStore (MicroPython with btree),
store_redis.RedisStore (both), store.MemoryStore; the interface is in
store.py. crypto.py holds what auth and csrf share (HMAC, PBKDF2,
constant-time compare, url-safe base64, random tokens).
"""

from .plugin import Sessions
from .session import Session
