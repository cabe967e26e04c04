"""RedisStore: sessions in Redis, shared by every process and machine that
talks to the same server. Redis enforces expiry itself (SET ... EX)."""

from .data import dump_data, load_data
from .redis_client import RedisClient
from .store import check_max_age, is_session_id, storage_key


class RedisStore:
    """Sessions under `prefix` + the storage key of each id. Give a
    RedisClient, or its settings (host, port, password, db, timeout)."""

    def __init__(self, client=None, prefix="picoweb:session:", **client_settings):
        self.client = client if client is not None else RedisClient(**client_settings)
        self.prefix = prefix

    def _key(self, sid):
        return self.prefix + storage_key(sid)

    async def load(self, sid):
        if not is_session_id(sid):
            return None
        value = await self.client.execute("GET", self._key(sid))
        if value is None:
            return None
        try:
            return load_data(value.decode())
        except UnicodeError:
            return None

    async def save(self, sid, data, max_age):
        if not is_session_id(sid):
            raise ValueError("not a session id from new_session_id()")
        check_max_age(max_age)
        await self.client.execute("SET", self._key(sid), dump_data(data), "EX", max_age)

    async def delete(self, sid):
        if is_session_id(sid):
            await self.client.execute("DEL", self._key(sid))

    async def close(self):
        await self.client.close()
