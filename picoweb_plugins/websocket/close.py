"""Close codes (RFC 6455 7.4): which may be sent, which received, and the
Close frame's payload; and the two errors that end a WebSocket."""

from .utf8 import check_utf8

NORMAL = 1000
GOING_AWAY = 1001
PROTOCOL_ERROR = 1002
UNSUPPORTED_DATA = 1003
NO_STATUS = 1005  # none was given: never on the wire
ABNORMAL = 1006  # the connection ended without a Close: never on the wire
INVALID_DATA = 1007  # text that is not UTF-8
POLICY_VIOLATION = 1008
MESSAGE_TOO_BIG = 1009
MANDATORY_EXTENSION = 1010  # a client's complaint only
INTERNAL_ERROR = 1011
# 1012-1014 are registered with IANA (restart, try again later, bad gateway);
# 1015 (TLS failed) is never on the wire; 3000-4999 belong to libraries and apps.

MAX_REASON = 123  # bytes: a control frame carries 125, the code takes 2


class ProtocolError(Exception):
    """The client broke the protocol: fail the connection with `code`."""

    def __init__(self, code, reason):
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


class ConnectionClosed(Exception):
    """The WebSocket is closed; `code` and `reason` say how (1006: the
    client went away without a Close frame)."""

    def __init__(self, code, reason=""):
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


def may_receive(code):
    """True if a client may send `code` in a Close frame."""
    return (1000 <= code <= 1003 or 1007 <= code <= 1014) or 3000 <= code <= 4999


def may_send(code):
    """True if the server may send `code`: 1010 is the client's alone."""
    return code != MANDATORY_EXTENSION and may_receive(code)


def encode_close(code=NORMAL, reason=""):
    """The payload of a Close frame; ValueError for a code the server may
    not send or a reason over 123 bytes of UTF-8."""
    if not may_send(code):
        raise ValueError("close code %r may not be sent" % (code,))
    reason = reason.encode() if isinstance(reason, str) else bytes(reason)
    if len(reason) > MAX_REASON:
        raise ValueError("close reason longer than %d bytes" % MAX_REASON)
    return bytes((code >> 8, code & 0xFF)) + reason


def decode_close(payload):
    """(code, reason) from a client's Close payload, (1005, "") when empty;
    ProtocolError for a bad code (1002) or a reason not UTF-8 (1007)."""
    if not payload:
        return NO_STATUS, ""
    if len(payload) == 1:
        raise ProtocolError(PROTOCOL_ERROR, "close frame with a 1-byte payload")
    code = (payload[0] << 8) | payload[1]
    if not may_receive(code):
        raise ProtocolError(PROTOCOL_ERROR, "invalid close code %d" % code)
    reason = payload[2:]
    try:
        check_utf8(reason)
    except UnicodeError:
        raise ProtocolError(INVALID_DATA, "close reason is not valid UTF-8")
    return code, str(reason, "utf-8")
