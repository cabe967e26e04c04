"""A small async Redis client over the asyncio streams both runtimes have:
one kept connection, one command at a time, timeouts, and one fresh
connection when a kept one turns out dead (the server restarted, an idle
connection was cut)."""

import asyncio

from .resp import ProtocolError, RedisError, encode_command, parse_reply

_READ_SIZE = 4096


class RedisConnectionError(Exception):
    """The server could not be reached, closed the connection, sent garbage
    or did not answer in time."""


class RedisClient:
    """Commands to the Redis server at host:port (`password`: AUTH,
    `db`: SELECT). `timeout` (seconds) bounds the connect and each command."""

    def __init__(self, host="127.0.0.1", port=6379, password=None, db=0, timeout=5.0):
        self.host = host
        self.port = port
        self.password = password
        self.db = db
        self.timeout = timeout
        self._reader = self._writer = None
        self._buffer = b""
        self._lock = asyncio.Lock()

    async def execute(self, *args):
        """Send one command and return its reply (see resp.parse_reply);
        an error reply raises RedisError, a failed exchange RedisConnectionError."""
        async with self._lock:
            kept = self._writer is not None
            try:
                return await self._execute_once(args)
            except RedisConnectionError as error:
                # A kept connection may have died while idle: one retry on a
                # fresh one. SET, GET and DEL give the same result when repeated.
                if not kept or error.args[0] == "timed out":
                    raise
            return await self._execute_once(args)

    async def _execute_once(self, args):
        try:
            if self._writer is None:
                await self._with_timeout(self._connect())
            reply = await self._with_timeout(self._exchange(args))
        except RedisError:
            raise
        except asyncio.TimeoutError:
            await self._drop()
            raise RedisConnectionError("timed out")
        except (OSError, EOFError, ProtocolError) as error:
            await self._drop()
            raise RedisConnectionError("%s:%s: %r" % (self.host, self.port, error))
        return reply

    async def _with_timeout(self, coroutine):
        return await asyncio.wait_for(coroutine, self.timeout)

    async def _connect(self):
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        self._buffer = b""
        try:
            if self.password is not None:
                await self._exchange(("AUTH", self.password))
            if self.db:
                await self._exchange(("SELECT", self.db))
        except BaseException:
            # Never keep a connection that is not logged in or not on our
            # database: the next command would run there.
            await self._drop()
            raise

    async def _exchange(self, args):
        self._writer.write(encode_command(args))
        await self._writer.drain()
        while True:
            parsed = parse_reply(self._buffer)
            if parsed is not None:
                reply, end = parsed
                self._buffer = self._buffer[end:]
                if isinstance(reply, RedisError):
                    raise reply
                return reply
            data = await self._reader.read(_READ_SIZE)
            if not data:
                raise EOFError("connection closed by the server")
            self._buffer += data

    async def _drop(self):
        writer = self._writer
        self._reader = self._writer = None
        self._buffer = b""
        if writer is not None:
            try:
                writer.close()
                await asyncio.wait_for(writer.wait_closed(), 1)
            except Exception:  # closing a broken connection: nothing left to save
                pass

    async def close(self):
        """Close the connection (the next command opens a new one)."""
        async with self._lock:
            await self._drop()
