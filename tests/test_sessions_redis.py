"""The Redis client and store against a real redis-server started on a free
127.0.0.1 port: tests/portable/redis_store_tests.py on CPython and on the
MicroPython unix port, then what only CPython can stage (a server restart,
AUTH)."""

import asyncio
import os
import re
import socket
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "portable"))

from picoweb_plugins.sessions.redis_client import RedisClient, RedisConnectionError  # noqa: E402
from picoweb_plugins.sessions.resp import RedisError  # noqa: E402
from redis_server import RedisServer  # noqa: E402
from test_portable_on_micropython import run_on_micropython  # noqa: E402

SHARED = os.path.join(HERE, "portable", "redis_store_tests.py")


@pytest.fixture
def silent_port():
    """A listening socket that never accepts: connects succeed, nothing answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(4)
        yield sock.getsockname()[1]


@pytest.fixture
def redis_env(redis_server, silent_port, monkeypatch):
    env = {"PICOWEB_TEST_REDIS_PORT": str(redis_server.port),
           "PICOWEB_TEST_SILENT_PORT": str(silent_port)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def shared_tests():
    with open(SHARED) as f:
        return re.findall(r"^async def (test_\w+)\(", f.read(), re.M)


@pytest.mark.parametrize("name", shared_tests())
def test_shared_redis_test_on_cpython(name, redis_env):
    import redis_store_tests

    asyncio.run(asyncio.wait_for(getattr(redis_store_tests, name)(), 30))


def test_shared_redis_tests_on_micropython(redis_env):
    done = run_on_micropython(os.path.join(HERE, "portable", "mprun.py"), SHARED, env=redis_env)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert sorted(re.findall(r"^PASS (test_\w+)$", done.stdout, re.M)) == sorted(shared_tests()), output


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 30))


def test_the_client_reconnects_after_a_server_restart(redis_server):
    async def main():
        redis = RedisClient(port=redis_server.port, timeout=2)
        await redis.execute("SET", "k", "before")
        redis_server.restart()  # no persistence: the data is gone, the port is the same
        assert await redis.execute("GET", "k") is None
        await redis.execute("SET", "k", "after")
        assert await redis.execute("GET", "k") == b"after"
        await redis.close()

    run(main())


def test_a_stopped_server_gives_connection_errors_then_recovers(redis_server):
    async def main():
        redis = RedisClient(port=redis_server.port, timeout=2)
        await redis.execute("PING")
        redis_server.stop()
        with pytest.raises(RedisConnectionError):
            await redis.execute("PING")
        with pytest.raises(RedisConnectionError):
            await redis.execute("PING")
        redis_server.start()
        assert await redis.execute("PING") == "PONG"
        await redis.close()

    run(main())


def test_password_and_database_are_sent_on_connect():
    server = RedisServer(password="s3cret-pass").start()
    try:
        async def main():
            anonymous = RedisClient(port=server.port, timeout=2)
            with pytest.raises(RedisError, match="NOAUTH"):
                await anonymous.execute("GET", "k")
            await anonymous.close()
            wrong = RedisClient(port=server.port, password="wrong", timeout=2)
            for _ in range(2):  # a failed AUTH leaves no connection to reuse
                with pytest.raises(RedisError):
                    await wrong.execute("PING")
            await wrong.close()
            bad_db = RedisClient(port=server.port, password="s3cret-pass", db=99, timeout=2)
            for _ in range(2):  # nor does a failed SELECT: never db 0 by mistake
                with pytest.raises(RedisError, match="DB index"):
                    await bad_db.execute("SET", "k", "not in db 0")
            await bad_db.close()
            db3 = RedisClient(port=server.port, password="s3cret-pass", db=3, timeout=2)
            await db3.execute("SET", "k", "in db 3")
            db0 = RedisClient(port=server.port, password="s3cret-pass", timeout=2)
            assert await db0.execute("GET", "k") is None
            assert await db3.execute("GET", "k") == b"in db 3"
            await db0.close()
            await db3.close()

        run(main())
    finally:
        server.close()
