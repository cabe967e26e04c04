"""WebSocket frames (RFC 6455 5.2) without I/O: parse the client's from a
buffer, serialise the server's.

`FrameReader.next_frame(buf)` takes one whole frame off the front of a
bytearray, or returns None while it is incomplete; every rule a single
frame can break is checked from its header, before its payload is waited
for, and raises ProtocolError with the close code to fail with.
"""

from .close import MESSAGE_TOO_BIG, PROTOCOL_ERROR, ProtocolError

CONTINUATION = 0x0
TEXT = 0x1
BINARY = 0x2
CLOSE = 0x8
PING = 0x9
PONG = 0xA
_KNOWN_OPCODES = (CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG)

MAX_CONTROL_PAYLOAD = 125  # RFC 6455 5.5

# Unmask this many bytes per step: as one big integer XOR where the runtime
# has arbitrary-precision ints (C speed), in steps so a board's heap only
# ever holds a few small temporaries.
_UNMASK_STEP = 4096


class Frame:
    """One parsed frame: `fin`, `rsv1` (compressed), `opcode`, `payload`
    (a bytearray, unmasked)."""

    def __init__(self, fin, rsv1, opcode, payload):
        self.fin = fin
        self.rsv1 = rsv1
        self.opcode = opcode
        self.payload = payload

    def __repr__(self):
        return "<Frame opcode=%d fin=%d rsv1=%d %d bytes>" % (
            self.opcode, self.fin, self.rsv1, len(self.payload))


def _fail(reason):
    return ProtocolError(PROTOCOL_ERROR, reason)


class FrameReader:
    """Parses client frames. `rsv1_allowed` once permessage-deflate was
    negotiated; a data frame's payload may not exceed `max_frame_size`
    (close 1009), nor the `limit` a caller passes to next_frame."""

    def __init__(self, max_frame_size, rsv1_allowed=False):
        self.max_frame_size = max_frame_size
        self.rsv1_allowed = rsv1_allowed

    def next_frame(self, buf, limit=None):
        """Take one whole frame off the front of `buf`, or None if it has
        not all arrived. `limit`: what the message may still grow by."""
        have = len(buf)
        if have < 2:
            return None
        first = buf[0]
        second = buf[1]
        opcode = first & 0x0F
        rsv1 = bool(first & 0x40)
        if first & 0x30:
            raise _fail("reserved bits RSV2/RSV3 set")
        if rsv1 and not self.rsv1_allowed:
            raise _fail("RSV1 set without a negotiated extension")
        if opcode not in _KNOWN_OPCODES:
            raise _fail("unknown opcode %d" % opcode)
        if not second & 0x80:
            raise _fail("client frame not masked")
        fin = bool(first & 0x80)
        length = second & 0x7F
        if opcode >= CLOSE:
            if not fin:
                raise _fail("fragmented control frame")
            if length > MAX_CONTROL_PAYLOAD:
                raise _fail("control frame longer than 125 bytes")
            if rsv1:
                raise _fail("RSV1 set on a control frame")
        start = 2
        if length == 126:
            if have < 4:
                return None
            length = (buf[2] << 8) | buf[3]
            start = 4
            if length < 126:
                raise _fail("frame length not in its shortest form")
        elif length == 127:
            if have < 10:
                return None
            length = int.from_bytes(bytes(buf[2:10]), "big")
            start = 10
            if length >> 63:
                raise _fail("frame length with its top bit set")
            if length < 0x10000:
                raise _fail("frame length not in its shortest form")
        if opcode < CLOSE:
            if length > self.max_frame_size or (limit is not None and length > limit):
                raise ProtocolError(MESSAGE_TOO_BIG, "message too big")
        end = start + 4 + length
        if have < end:
            return None
        mask = bytes(buf[start:start + 4])
        payload = bytearray(buf[start + 4:end])
        buf[:end] = b""
        unmask(payload, mask)
        return Frame(fin, rsv1, opcode, payload)


def _unmask_by_int(payload, mask):
    size = len(payload)
    step = _UNMASK_STEP
    key = int.from_bytes(mask * (step // 4), "big")
    for offset in range(0, size, step):
        piece = payload[offset:offset + step]
        count = len(piece)
        # Big-endian: the first `count` bytes of the repeated mask are its top bytes.
        masked = int.from_bytes(piece, "big") ^ (key >> (8 * (step - count)))
        payload[offset:offset + count] = masked.to_bytes(count, "big")


def _unmask_by_byte(payload, mask):
    # For builds whose ints stop at 64 bits (no arbitrary precision).
    for index in range(len(payload)):
        payload[index] ^= mask[index & 3]


def _has_big_ints():
    try:
        int.from_bytes(bytes(16), "big")
        return True
    except OverflowError:
        return False


# unmask(payload, mask): XOR the bytearray `payload` in place with the 4-byte mask.
unmask = _unmask_by_int if _has_big_ints() else _unmask_by_byte


def encode_frame(opcode, payload=b"", fin=True, rsv1=False):
    """A server frame (unmasked, RFC 6455 5.1) as bytes."""
    length = len(payload)
    first = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode
    if length < 126:
        head = bytes((first, length))
    elif length < 0x10000:
        head = bytes((first, 126, length >> 8, length & 0xFF))
    else:
        head = bytes((first, 127)) + length.to_bytes(8, "big")
    return head + payload
