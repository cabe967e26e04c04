"""permessage-deflate (RFC 7692): negotiation and the per-message codec.

Inflating uses CPython's zlib, or MicroPython's `deflate` module where
built in (it inflates only: the server then sends its messages
uncompressed, which RFC 7692 6 allows). Each message is inflated in bounded
steps against what the message may still grow by, so a small "bomb" never
becomes a large allocation.

We always answer `server_no_context_takeover; client_no_context_takeover`:
every message is compressed alone, so an idle connection holds no zlib
state (a window of up to 32 KiB each way), and MicroPython's inflater,
which cannot resume a stream, can take every message.
"""

import sys

from .close import INVALID_DATA, MESSAGE_TOO_BIG, ProtocolError

try:
    import zlib
except ImportError:
    zlib = None
    try:
        import deflate
        import io
    except ImportError:
        deflate = None

NAME = "permessage-deflate"
# A message's compressed data ends with what a sync flush writes, which
# the sender strips (RFC 7692 7.2.1) and the receiver puts back.
_SYNC_TAIL = b"\x00\x00\xff\xff"
# An empty final stored block: it ends the stream, so MicroPython's
# inflater reports end of stream instead of EOFError after the last bytes.
_FINAL_BLOCK = b"\x01\x00\x00\xff\xff"
_INFLATE_STEP = 1024  # bytes of output taken per step on MicroPython

CAN_INFLATE = zlib is not None or deflate is not None
CAN_COMPRESS = zlib is not None


def _window_bits(value):
    """An RFC 7692 window size: digits, no leading zero, 8 to 15; else None."""
    if value is None or not value.isdigit() or value[:1] == "0":
        return None
    bits = int(value)
    return bits if 8 <= bits <= 15 else None


class PerMessageDeflate:
    """Settings: `window_bits` (9-15) is the largest window the server
    inflates with: asked of the client as client_max_window_bits, and an
    offer that does not let us ask is declined unless it is 15 (the
    default on CPython; 10 on MicroPython, a 1 KiB window). The server
    compresses with `compress_bits`, `level` and `mem_level`, messages of
    `min_size` bytes and more (shorter ones gain nothing)."""

    def __init__(self, window_bits=None, compress_bits=12, level=6, mem_level=5, min_size=64):
        if window_bits is None:
            window_bits = 10 if sys.implementation.name == "micropython" else 15
        for name, bits in (("window_bits", window_bits), ("compress_bits", compress_bits)):
            if not 9 <= bits <= 15:
                # zlib cannot keep to an 8-bit window, so none is promised.
                raise ValueError("%s must be 9 to 15, not %r" % (name, bits))
        self.window_bits = window_bits
        self.compress_bits = compress_bits
        self.level = level
        self.mem_level = mem_level
        self.min_size = min_size

    def negotiate(self, offers):
        """From the client's offers ([(name, [(param, value), ...]), ...],
        in its order of preference), accept the first we can: returns
        (response extension text, Codec), or None to use none."""
        if not CAN_INFLATE:
            return None
        for name, params in offers:
            if name == NAME:
                accepted = self._accept(params)
                if accepted is not None:
                    return accepted
        return None

    def _accept(self, params):
        seen = {}
        for param, value in params:
            if param in seen:
                return None  # a repeated parameter: decline (RFC 7692 5.1)
            seen[param] = value
        response = [NAME, "server_no_context_takeover", "client_no_context_takeover"]
        compress_bits = self.compress_bits
        inflate_bits = 15
        for param, value in seen.items():
            if param in ("server_no_context_takeover", "client_no_context_takeover"):
                if value is not None:
                    return None
            elif param == "server_max_window_bits":
                bits = _window_bits(value)
                if bits is None or (bits < 9 and CAN_COMPRESS):
                    return None
                compress_bits = min(compress_bits, bits)
                response.append("server_max_window_bits=%d" % bits)
            elif param == "client_max_window_bits":
                if value is None:
                    bits = 15
                else:
                    bits = _window_bits(value)
                    if bits is None:
                        return None
                inflate_bits = min(self.window_bits, bits)
                response.append("client_max_window_bits=%d" % inflate_bits)
            else:
                return None  # a parameter RFC 7692 does not define
        if inflate_bits > self.window_bits:
            return None  # the client may use a window larger than we allow
        codec = Codec(inflate_bits, compress_bits, self.level, self.mem_level, self.min_size)
        return "; ".join(response), codec


class Codec:
    """The negotiated permessage-deflate of one connection."""

    def __init__(self, inflate_bits, compress_bits, level, mem_level, min_size):
        self.inflate_bits = inflate_bits
        self.compress_bits = compress_bits
        self.level = level
        self.mem_level = mem_level
        self.min_size = min_size
        self.pending = None  # zlib: the message's decompressor; else its compressed bytes

    def inflate(self, data, final, limit):
        """The decompressed bytes of one frame of a compressed message
        (`final`: its last); ProtocolError 1009 past `limit` bytes, 1007
        for data that is not deflate."""
        if zlib is not None:
            return self._inflate_zlib(data, final, limit)
        return self._inflate_deflate_module(data, final, limit)

    def _inflate_zlib(self, data, final, limit):
        decompressor = self.pending
        if decompressor is None:
            decompressor = self.pending = zlib.decompressobj(-self.inflate_bits)
        if final:
            data = bytes(data) + _SYNC_TAIL
            self.pending = None
        try:
            # max_length bounds the output: limit + 1 tells "too big" from "just fits".
            out = decompressor.decompress(data, limit + 1)
        except zlib.error:
            raise ProtocolError(INVALID_DATA, "compressed data is not valid")
        if len(out) > limit:
            self.pending = None
            raise ProtocolError(MESSAGE_TOO_BIG, "message too big")
        return out

    def _inflate_deflate_module(self, data, final, limit):
        # MicroPython's DeflateIO reads a whole stream: keep the compressed
        # frames until the last, then inflate the message in steps.
        if self.pending is None:
            self.pending = bytearray()
        self.pending += data
        if not final:
            return b""
        stream = deflate.DeflateIO(io.BytesIO(self.pending + _SYNC_TAIL + _FINAL_BLOCK), deflate.RAW,
                                   self.inflate_bits)
        self.pending = None
        out = bytearray()
        step = bytearray(min(_INFLATE_STEP, limit + 1))
        view = memoryview(step)
        while True:
            try:
                count = stream.readinto(step)
            except (OSError, EOFError):
                raise ProtocolError(INVALID_DATA, "compressed data is not valid")
            if not count:
                return out
            if len(out) + count > limit:
                raise ProtocolError(MESSAGE_TOO_BIG, "message too big")
            out += view[:count]

    def compress(self, payload):
        """The compressed payload of one message, or None to send it as it is."""
        if zlib is None or len(payload) < self.min_size:
            return None
        compressor = zlib.compressobj(self.level, zlib.DEFLATED, -self.compress_bits, self.mem_level)
        data = compressor.compress(payload) + compressor.flush(zlib.Z_SYNC_FLUSH)
        return data[:-4]  # the sync flush's tail, which the client puts back
