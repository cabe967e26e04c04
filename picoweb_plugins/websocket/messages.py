"""Messages from frames (RFC 6455 5.4, 5.6): fragments joined, UTF-8 of
text checked as it arrives, compressed messages inflated, the size bounded."""

from .close import INVALID_DATA, MESSAGE_TOO_BIG, PROTOCOL_ERROR, ProtocolError
from .frames import CONTINUATION, TEXT
from .utf8 import new_validator


class MessageAssembler:
    """Feed it the data frames (opcodes 0-2) of one connection in order;
    `add(frame)` returns a whole message (str for text, bytes for binary)
    or None while fragments are missing. Control frames may come between
    fragments: the caller handles them and never passes them here.

    `max_message_size` bounds a message before and after inflating
    (close 1009); `codec` is the negotiated permessage-deflate, or None.
    """

    def __init__(self, max_message_size, codec=None):
        self.max_message_size = max_message_size
        self.codec = codec
        self.opcode = None  # of the message in progress, None between messages
        self.compressed = False
        self.parts = None  # bytearray of the payload so far (fragmented messages)
        self.size = 0  # bytes of the message so far, after inflating
        self.received = 0  # bytes of the message so far, as sent
        self.validator = None

    def limit(self):
        """How many more bytes the next data frame may carry."""
        return self.max_message_size - (self.received if self.compressed else self.size)

    def add(self, frame):
        payload = frame.payload
        if frame.opcode == CONTINUATION:
            if self.opcode is None:
                raise ProtocolError(PROTOCOL_ERROR, "continuation frame outside a message")
            if frame.rsv1:
                raise ProtocolError(PROTOCOL_ERROR, "RSV1 set on a continuation frame")
        else:
            if self.opcode is not None:
                raise ProtocolError(PROTOCOL_ERROR, "new message inside a fragmented one")
            self.opcode = frame.opcode
            self.compressed = frame.rsv1
            self.validator = new_validator() if frame.opcode == TEXT else None
        if self.compressed:
            self.received += len(payload)
            if self.received > self.max_message_size:
                raise ProtocolError(MESSAGE_TOO_BIG, "message too big")
            payload = self.codec.inflate(payload, frame.fin, self.max_message_size - self.size)
        self.size += len(payload)
        if self.size > self.max_message_size:
            raise ProtocolError(MESSAGE_TOO_BIG, "message too big")
        validator = self.validator
        try:
            if validator is not None:
                validator.feed(payload)
                if frame.fin:
                    validator.finish()
        except UnicodeError:
            raise ProtocolError(INVALID_DATA, "text is not valid UTF-8")
        if not frame.fin:
            if self.parts is None:
                self.parts = bytearray(payload)
            else:
                self.parts += payload
            return None
        if self.parts is not None:
            self.parts += payload
            payload = self.parts
        opcode = self.opcode
        self.opcode = self.parts = self.validator = None
        self.compressed = False
        self.size = self.received = 0
        if opcode == TEXT:
            return str(payload, "utf-8")
        return bytes(payload)
