"""The server side of one WebSocket connection, without I/O.

    session = Session(max_message_size=65536, codec=handshake.codec)
    session.receive_data(data)        # bytes from the client
    session.receive_eof()             # once its stream ended
    message = session.next_message()  # str, bytes, or None: need more data
    session.send_message("hi")        # queue a message
    stream.write(session.data_to_send())

Pings are answered and the closing handshake (RFC 6455 7) kept by the
session itself; what the client did wrong fails the connection with the
right close code. Once `closed`, `close_code` and `close_reason` say how
it ended: the client's Close, the code we failed with, or 1006 when the
client's stream ended without a Close.
"""

from .close import (ABNORMAL, NO_STATUS, NORMAL, ConnectionClosed, ProtocolError, decode_close,
                    encode_close)
from .frames import BINARY, CLOSE, PING, PONG, TEXT, FrameReader, encode_frame
from .messages import MessageAssembler

OPEN = "open"
CLOSING = "closing"  # we sent a Close and wait for the client's
CLOSED = "closed"  # the closing handshake is over, or the connection failed


class Session:
    """Frames in, messages out. `max_frame_size` defaults to the message
    limit; `codec` is the negotiated permessage-deflate (Handshake.codec)."""

    def __init__(self, max_message_size, max_frame_size=None, codec=None):
        if max_frame_size is None:
            max_frame_size = max_message_size
        self.reader = FrameReader(max_frame_size, rsv1_allowed=codec is not None)
        self.assembler = MessageAssembler(max_message_size, codec)
        self.codec = codec
        self.buf = bytearray()
        self.out = []  # frames waiting for data_to_send()
        self.state = OPEN
        self.ended = False  # the client's side of the stream ended
        self.close_code = None
        self.close_reason = ""
        self.ping_payload = None  # of a ping sent and not yet answered
        self.pings_sent = 0

    @property
    def closed(self):
        return self.state == CLOSED

    def receive_data(self, data):
        """Take bytes the client sent."""
        if self.state != CLOSED:
            self.buf += data

    def receive_eof(self):
        """The client's stream ended: what is still buffered is parsed, then 1006."""
        self.ended = True

    def next_message(self):
        """The next whole message (str or bytes), or None until more data
        comes or once `closed`. Control frames are handled on the way."""
        reader = self.reader
        assembler = self.assembler
        buf = self.buf
        try:
            while self.state != CLOSED:
                frame = reader.next_frame(buf, assembler.limit())
                if frame is None:
                    if self.ended:
                        self._end(ABNORMAL, "")
                    return None
                opcode = frame.opcode
                if opcode == PING:
                    if self.state == OPEN:
                        self.out.append(encode_frame(PONG, frame.payload))
                elif opcode == PONG:
                    if frame.payload == self.ping_payload:
                        self.ping_payload = None
                elif opcode == CLOSE:
                    code, reason = decode_close(frame.payload)
                    if self.state == OPEN:
                        # Echo the client's code (RFC 6455 5.5.1), none if it gave none.
                        self.out.append(encode_frame(CLOSE, b"" if code == NO_STATUS else encode_close(code)))
                    self._end(code, reason)
                else:
                    message = assembler.add(frame)
                    if message is not None and self.state == OPEN:
                        return message  # after our Close, data is dropped (RFC 6455 1.4)
        except ProtocolError as exc:
            self.fail(exc.code, exc.reason)
        return None

    def send_message(self, data):
        """Queue a text (str) or binary (bytes) message; ConnectionClosed
        once the session is not open."""
        self._check_open()
        if isinstance(data, str):
            opcode = TEXT
            data = data.encode()
        else:
            opcode = BINARY
        compressed = self.codec.compress(data) if self.codec is not None else None
        if compressed is None:
            self.out.append(encode_frame(opcode, data))
        else:
            self.out.append(encode_frame(opcode, compressed, rsv1=True))

    def ping(self, payload=None):
        """Queue a ping; `ping_payload` stays set until the matching pong."""
        self._check_open()
        if payload is None:
            self.pings_sent += 1
            payload = str(self.pings_sent).encode()
        self.ping_payload = bytes(payload)
        self.out.append(encode_frame(PING, self.ping_payload))

    def close(self, code=NORMAL, reason=""):
        """Start the closing handshake: queue our Close, then wait for the
        client's (messages that come meanwhile are dropped)."""
        if self.state != OPEN:
            return
        self.out.append(encode_frame(CLOSE, encode_close(code, reason)))
        self.state = CLOSING
        self.close_code = code
        self.close_reason = reason

    def fail(self, code, reason=""):
        """Fail the connection (RFC 6455 7.1.7): send a Close with `code`
        unless one went already, and take nothing more from the client."""
        if self.state == OPEN:
            self.out.append(encode_frame(CLOSE, encode_close(code, reason)))
        self._end(code, reason)

    def connection_lost(self):
        """The stream broke (a failed read or write): closed, 1006, nothing more to send."""
        self.out = []
        if self.state != CLOSED:
            self._end(ABNORMAL, "")

    def data_to_send(self):
        """All queued frames as one bytes (b"" if none), and forget them."""
        out = b"".join(self.out)
        self.out = []
        return out

    def _check_open(self):
        if self.state != OPEN:
            raise ConnectionClosed(self.close_code, self.close_reason)

    def _end(self, code, reason):
        self.close_code = code
        self.close_reason = reason
        self.state = CLOSED
        self.buf = bytearray()
