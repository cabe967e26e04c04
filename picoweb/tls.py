"""TLS on the built-in server: each connection's handshake before it is
served, and one log line when a handshake fails (plain HTTP sent to the
TLS port, a client that does not trust the certificate, one that stalls).

CPython: asyncio's own `ssl=` on a server drops failed handshakes without
a word outside its debug mode, so the server accepts plain sockets and
hands each to `loop.connect_accepted_socket(ssl=...)` itself. MicroPython:
the accepted socket is wrapped with the context and shakes hands on the
first read.
Imported only by a server given `ssl=`.
"""

from .compat import IS_MICROPYTHON, asyncio


def _reason(exc):
    # An SSLError's reason is OpenSSL's fixed name for it (HTTP_REQUEST,
    # TLSV1_ALERT_UNKNOWN_CA...), never text from the client.
    return getattr(exc, "reason", None) or "%s: %s" % (type(exc).__name__, exc)


if IS_MICROPYTHON:

    async def handshake(conn, context):
        """Wrap the connection's socket in TLS and shake hands by reading the
        first bytes into `conn.buf`; False (logged, closed) if that fails."""
        stream = conn.reader
        plain = stream.s
        try:
            stream.s = context.wrap_socket(plain, server_side=True, do_handshake_on_connect=False)
            if await conn.fill(conn.limits.head_timeout):
                return True
            reason = "the client left"
        except asyncio.TimeoutError:
            reason = "timed out"
        except OSError as exc:
            # mbedtls's error name as the port gives it, or the errno's.
            reason = exc.args[-1]
            if isinstance(reason, int):
                import errno

                reason = errno.errorcode.get(reason) or "errno %d" % reason
        conn.app.log.info("%s: TLS handshake failed: %s", conn.peer, reason)
        # The TLS socket does not close the plain one under it after a
        # failed handshake: without this each failure would hold a socket.
        plain.close()
        return False

else:

    class TLSServer:
        """Accepts plain connections and shakes hands on each with
        `loop.connect_accepted_socket()`, which, unlike a server's ssl=,
        raises when a handshake fails; as asyncio's Server, it closes its
        listening socket on close()."""

        def __init__(self, serving, listener, context, limits, log):
            self.serving = serving
            self.sockets = [listener]
            self.context = context
            self.limits = limits
            self.log = log
            self.task = asyncio.get_running_loop().create_task(self.accept_forever(listener))

        async def accept_forever(self, listener):
            loop = asyncio.get_running_loop()
            while True:
                try:
                    sock, _ = await loop.sock_accept(listener)
                except OSError as exc:  # out of file descriptors, say: retry soon
                    self.log.error("accept failed: %s", exc)
                    await asyncio.sleep(0.1)
                    continue
                loop.create_task(self.shake_hands(sock))

        async def shake_hands(self, sock):
            try:
                peer = sock.getpeername()
            except OSError:  # gone already
                sock.close()
                return
            try:
                await asyncio.get_running_loop().connect_accepted_socket(
                    self.serving, sock, ssl=self.context, ssl_handshake_timeout=self.limits.head_timeout)
            except Exception as exc:  # ssl.SSLError, ConnectionError, a timeout
                self.log.info("%s: TLS handshake failed: %s", peer, _reason(exc))
                sock.close()

        def close(self):
            self.task.cancel()
            for sock in self.sockets:
                sock.close()

    async def start_server(serving, host, port, sock, context, limits, log):
        """A server whose connections shake hands with `context` within
        head_timeout, then are served by the protocol `serving()` makes (a
        ProtocolStream, or asyncio's StreamReaderProtocol for streams)."""
        if sock is None:
            from .listen import bind

            sock = bind(host, port)
        sock.setblocking(False)
        return TLSServer(serving, sock, context, limits, log)

    def stream_protocol(accept):
        """What `asyncio.start_server(accept)` serves each connection with."""

        def make():
            return asyncio.StreamReaderProtocol(asyncio.StreamReader(), accept)

        return make
