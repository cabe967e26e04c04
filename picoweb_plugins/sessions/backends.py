"""Where session data lives between requests: in the signed cookie itself,
or in a server-side store under a random id. Both turn the cookie the
client sent into a Session and a changed Session into the cookie to send
back, so the app glue only moves cookie values."""

from .session import Session
from .store import is_session_id, new_session_id


class CookieBackend:
    """The data travels in the cookie, signed by a SignedCookieCodec: no
    server state, at most ~4 KB, and a copy of an old cookie stays good
    until its max age (logout cannot revoke it; a store can)."""

    def __init__(self, codec):
        self.codec = codec

    async def load(self, value):
        """(Session, reason): the reason (for the log) when the cookie was refused."""
        data, reason = self.codec.decode(value)
        return Session(data), reason

    async def save(self, session):
        """The cookie value to send, or None to delete the cookie."""
        if not session:
            return None
        return self.codec.encode(session.to_dict())


class StoreBackend:
    """The cookie holds a random id; the data stays in `store` for `max_age`
    seconds after its last change."""

    def __init__(self, store, max_age):
        self.store = store
        self.max_age = max_age

    async def load(self, value):
        if not is_session_id(value):
            return Session(), "malformed session id"
        data = await self.store.load(value)
        if data is None:
            return Session(), "unknown or expired session id"
        return Session(data, sid=value), None

    async def save(self, session):
        if session.discarded_sid is not None:
            await self.store.delete(session.discarded_sid)
            session.discarded_sid = None
        if not session:
            if session.sid is not None:
                await self.store.delete(session.sid)
                session.sid = None
            return None
        if session.sid is None:
            session.sid = new_session_id()
        await self.store.save(session.sid, session.to_dict(), self.max_age)
        return session.sid
