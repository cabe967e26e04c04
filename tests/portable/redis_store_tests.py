# The Redis client and store against a real redis-server, on CPython and on
# the MicroPython unix port alike. tests/test_sessions_redis.py starts the
# server and runs these with its port in PICOWEB_TEST_REDIS_PORT (and a
# socket that accepts but never answers in PICOWEB_TEST_SILENT_PORT).
import os

import asyncio
from store_contract import RealClock, run_all

from picoweb_plugins.sessions.redis_client import RedisClient, RedisConnectionError
from picoweb_plugins.sessions.resp import RedisError
from picoweb_plugins.sessions.store import new_session_id, storage_key
from picoweb_plugins.sessions.store_redis import RedisStore

TIMEOUT = 60


def port(name):
    value = os.getenv(name)
    assert value, name + " is not set: run these through tests/test_sessions_redis.py"
    return int(value)


def client(**settings):
    return RedisClient(port=port("PICOWEB_TEST_REDIS_PORT"), timeout=2, **settings)


async def test_set_get_del():
    redis = client()
    try:
        assert await redis.execute("SET", "picoweb:test", b"\x00\xff value") == "OK"
        assert await redis.execute("GET", "picoweb:test") == b"\x00\xff value"
        assert await redis.execute("DEL", "picoweb:test") == 1
        assert await redis.execute("GET", "picoweb:test") is None
    finally:
        await redis.close()


async def test_one_connection_is_kept_and_reused():
    redis = client()
    try:
        await redis.execute("CLIENT", "SETNAME", "picoweb-reuse")
        first = await redis.execute("CLIENT", "ID")
        for _ in range(5):
            assert await redis.execute("CLIENT", "ID") == first
    finally:
        await redis.close()


async def test_an_error_reply_raises_and_the_connection_stays_usable():
    redis = client()
    try:
        try:
            await redis.execute("NO-SUCH-COMMAND")
        except RedisError as e:
            assert "unknown command" in e.args[0].lower()
        else:
            assert False, "no error"
        assert await redis.execute("PING") == "PONG"
    finally:
        await redis.close()


async def test_a_dead_kept_connection_is_replaced_once():
    redis = client()
    spare = client()
    try:
        await redis.execute("CLIENT", "SETNAME", "picoweb-victim")
        # Another connection kills this one, as a server restart or an idle
        # timeout would; the next command notices and reconnects.
        assert await spare.execute("CLIENT", "KILL", "SKIPME", "yes", "TYPE", "normal") >= 1
        assert await redis.execute("PING") == "PONG"
    finally:
        await redis.close()
        await spare.close()


async def test_unreachable_server_raises_connection_error():
    redis = RedisClient(port=1, timeout=2)
    try:
        await redis.execute("PING")
    except RedisConnectionError:
        pass
    else:
        assert False, "no error"


async def test_a_server_that_never_answers_times_out():
    redis = RedisClient(port=port("PICOWEB_TEST_SILENT_PORT"), timeout=0.3)
    try:
        await redis.execute("PING")
    except RedisConnectionError as e:
        assert e.args[0] == "timed out"
    else:
        assert False, "no timeout"
    finally:
        await redis.close()


async def test_redis_store_keeps_the_contract():
    await run_all(lambda: RedisStore(client(), prefix="picoweb:contract:"), RealClock())


async def test_redis_store_keys_are_hashed_and_expire_in_redis():
    store = RedisStore(client(), prefix="picoweb:ttl:")
    try:
        sid = new_session_id()
        await store.save(sid, {"user": 1}, 100)
        key = "picoweb:ttl:" + storage_key(sid)
        assert 90 <= await store.client.execute("TTL", key) <= 100
        assert sid.encode() not in await store.client.execute("GET", key)
        await store.delete(sid)
        assert await store.client.execute("EXISTS", key) == 0
    finally:
        await store.close()


async def test_unreadable_values_in_redis_give_no_session():
    store = RedisStore(client(), prefix="picoweb:junk:")
    try:
        sid = new_session_id()
        for junk in (b"\xff\xfe", b"[1]", b"{", b""):
            await store.client.execute("SET", "picoweb:junk:" + storage_key(sid), junk)
            assert await store.load(sid) is None, junk
    finally:
        await store.close()


async def test_concurrent_commands_share_the_connection_in_order():
    redis = client()
    try:
        async def roundtrip(i):
            await redis.execute("SET", "picoweb:c:%d" % i, str(i))
            return await redis.execute("GET", "picoweb:c:%d" % i)

        results = await asyncio.gather(*[roundtrip(i) for i in range(20)])
        assert results == [str(i).encode() for i in range(20)]
    finally:
        await redis.close()
