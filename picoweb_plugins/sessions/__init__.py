"""Sessions plugin: `req.session`, in a signed cookie or a server-side store.

    from picoweb_plugins.sessions import Sessions
    app.install(Sessions(secret_key=os.environ["SESSION_KEY"]))

    @app.route("/count")
    def count(req, resp):
        req.session["n"] = req.session.get("n", 0) + 1
        return "visit %d" % req.session["n"]

plugin.py: Sessions, load_session; session.py: Session. Stores (the
interface is in store.py): store.embedded_store (SQLite on CPython, files
on MicroPython), store_files.FileStore, store_sqlite.SqliteStore,
store_btree.BtreeStore, store_redis.RedisStore, store.MemoryStore.
crypto.py holds what auth and csrf share (HMAC, PBKDF2, constant-time
compare, url-safe base64, random tokens).
"""

from .lazy import lazy_names

__getattr__ = lazy_names(globals(), {
    "Sessions": "plugin", "load_session": "plugin", "Session": "session", "embedded_store": "store",
})
