# The WebSocket plugin's I/O-free protocol: frames, UTF-8, close codes,
# messages, the session, the handshake, permessage-deflate. Plain asserts in
# the subset MicroPython runs: run by run.mjs (WebAssembly port), by
# tests/test_websocket_micropython.py on the unix port, and by that same file
# under CPython's pytest, so both runtimes hold the codec to the same cases.
from picoweb import Headers
from picoweb_plugins.websocket import close, frames, handshake, permessage_deflate, sha1, utf8
from picoweb_plugins.websocket.close import ConnectionClosed, ProtocolError
from picoweb_plugins.websocket.frames import BINARY, CLOSE, CONTINUATION, PING, PONG, TEXT, FrameReader
from picoweb_plugins.websocket.messages import MessageAssembler
from picoweb_plugins.websocket.session import Session

MASK = b"\x37\xfa\x21\x3d"


def client_frame(opcode, payload=b"", fin=True, rsv=0, mask=MASK, length=None):
    """A frame as a client sends it (masked unless mask is None). `length`
    forces the 7-bit length field (126, 127) to test its longer forms."""
    first = (0x80 if fin else 0) | rsv | opcode
    size = len(payload)
    mask_bit = 0x80 if mask is not None else 0
    if length is None:
        length = size if size < 126 else (126 if size < 0x10000 else 127)
    head = bytes((first, mask_bit | length))
    if length == 126:
        head += size.to_bytes(2, "big")
    elif length == 127:
        head += size.to_bytes(8, "big")
    if mask is None:
        return head + payload
    body = bytes(payload[i] ^ mask[i & 3] for i in range(size))
    return head + mask + body


def raises(code, fn, *args):
    try:
        fn(*args)
    except ProtocolError as exc:
        assert exc.code == code, (exc.code, exc.reason)
        return exc
    raise AssertionError("no ProtocolError %d" % code)


def read_one(data, max_frame_size=1 << 20, rsv1_allowed=False, limit=None):
    buf = bytearray(data)
    frame = FrameReader(max_frame_size, rsv1_allowed).next_frame(buf, limit)
    return frame, buf


# Frames (RFC 6455 5.2, 5.7)

def test_rfc_example_masked_hello():
    frame, buf = read_one(b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58")
    assert (frame.fin, frame.rsv1, frame.opcode, bytes(frame.payload)) == (True, False, TEXT, b"Hello")
    assert buf == b""


def test_rfc_example_masked_pong():
    frame, _ = read_one(b"\x8a\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58")
    assert frame.opcode == PONG and frame.payload == b"Hello"


def test_incomplete_frame_waits_at_every_byte():
    long_payload = bytes(range(256)) * 300  # 76800 bytes: the 64-bit length form
    for payload in (b"abc", long_payload[:300], long_payload):
        data = client_frame(BINARY, payload)
        reader = FrameReader(1 << 20)
        for cut in list(range(min(14, len(data)))) + [len(data) - 1]:
            buf = bytearray(data[:cut])
            assert reader.next_frame(buf) is None, cut
            assert len(buf) == cut  # nothing taken
        buf = bytearray(data + b"\x81")  # the first byte of the next frame stays
        assert bytes(reader.next_frame(buf).payload) == payload
        assert buf == b"\x81"


def test_payload_unmasked_for_every_length_form():
    for size in (0, 1, 125, 126, 127, 65535, 65536, 70001):
        payload = bytes(i * 7 & 0xFF for i in range(size))
        frame, buf = read_one(client_frame(BINARY, payload))
        assert bytes(frame.payload) == payload, size
        assert buf == b""


def test_two_frames_in_one_buffer():
    buf = bytearray(client_frame(TEXT, b"one") + client_frame(TEXT, b"two"))
    reader = FrameReader(100)
    assert reader.next_frame(buf).payload == b"one"
    assert reader.next_frame(buf).payload == b"two"
    assert reader.next_frame(buf) is None


def test_unmasked_client_frame_is_a_protocol_error():
    raises(1002, read_one, b"\x81\x05Hello")  # RFC 6455 5.7's unmasked example


def test_reserved_bits_refused_unless_negotiated():
    raises(1002, read_one, client_frame(TEXT, b"x", rsv=0x40))
    raises(1002, read_one, client_frame(TEXT, b"x", rsv=0x20))
    raises(1002, read_one, client_frame(TEXT, b"x", rsv=0x10))
    frame, _ = read_one(client_frame(TEXT, b"x", rsv=0x40), rsv1_allowed=True)
    assert frame.rsv1
    raises(1002, read_one, client_frame(TEXT, b"x", rsv=0x20), 100, True)  # RSV2 never


def test_unknown_opcodes_refused():
    for opcode in (3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF):
        raises(1002, read_one, client_frame(opcode, b""))


def test_control_frames_short_and_whole():
    frame, _ = read_one(client_frame(PING, b"x" * 125))
    assert len(frame.payload) == 125
    raises(1002, read_one, client_frame(PING, b"x" * 126))
    raises(1002, read_one, client_frame(CLOSE, b"\x03\xe8" + b"x" * 124))
    raises(1002, read_one, client_frame(PING, b"x", fin=False))
    raises(1002, read_one, client_frame(PONG, b"x", rsv=0x40), 100, True)  # RSV1 on control


def test_control_frame_length_refused_from_the_header_alone():
    # A ping claiming 126+ bytes fails before any payload arrives.
    raises(1002, read_one, bytes((0x89, 0x80 | 126, 0, 200)))


def test_length_must_use_its_shortest_form():
    raises(1002, read_one, client_frame(BINARY, b"x" * 125, length=126))
    raises(1002, read_one, client_frame(BINARY, b"x" * 65535, length=127))
    raises(1002, read_one, bytes((0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0)))  # top bit set


def test_frame_size_limit_checked_from_the_header():
    header = bytes((0x82, 0xFF)) + (10 ** 12).to_bytes(8, "big")  # a terabyte, not sent
    raises(1009, read_one, header, 1 << 20)
    raises(1009, read_one, client_frame(BINARY, b"x" * 101), 100)
    frame, _ = read_one(client_frame(BINARY, b"x" * 100), 100)
    assert len(frame.payload) == 100
    raises(1009, read_one, client_frame(BINARY, b"x" * 11), 100, False, 10)  # the message's limit
    frame, _ = read_one(client_frame(PING, b"x" * 11), 100, False, 0)  # control frames: 125 only
    assert frame.opcode == PING


def test_unmask_ways_agree():
    for size in (0, 1, 3, 4, 5, 4095, 4096, 4097, 10000):
        payload = bytes(i * 13 & 0xFF for i in range(size))
        expected = bytes(payload[i] ^ MASK[i & 3] for i in range(size))
        for unmask in (frames._unmask_by_int, frames._unmask_by_byte, frames.unmask):
            data = bytearray(payload)
            unmask(data, MASK)
            assert data == expected, (size, unmask)


def test_encode_server_frames():
    assert frames.encode_frame(TEXT, b"Hello") == b"\x81\x05Hello"  # RFC 6455 5.7
    assert frames.encode_frame(PING, b"Hello") == b"\x89\x05Hello"
    assert frames.encode_frame(TEXT, b"Hel", fin=False) == b"\x01\x03Hel"
    assert frames.encode_frame(CONTINUATION, b"lo") == b"\x80\x02lo"
    assert frames.encode_frame(BINARY, bytes(256))[:4] == b"\x82\x7e\x01\x00"
    assert frames.encode_frame(BINARY, bytes(65536))[:10] == b"\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00"
    assert frames.encode_frame(BINARY, bytes(125))[:2] == b"\x82\x7d"
    assert frames.encode_frame(BINARY, bytes(65535))[:4] == b"\x82\x7e\xff\xff"
    assert frames.encode_frame(TEXT, b"x", rsv1=True)[0] == 0xC1
    assert frames.encode_frame(BINARY, bytearray(b"ab")) == b"\x82\x02ab"


# UTF-8 (RFC 3629)

GOOD_UTF8 = [b"", b"plain ascii", "Zo\u00eb \u20ac \U0001f600 \uffff".encode(), b"\xf4\x8f\xbf\xbf",
             b"\xed\x9f\xbf", b"\xee\x80\x80", b"\xc2\x80", b"\xdf\xbf", b"\xe0\xa0\x80", b"\xf0\x90\x80\x80"]
BAD_UTF8 = [b"\xff", b"\xfe", b"\x80", b"\xbf", b"\xc0\x80", b"\xc1\xbf", b"\xe0\x80\x80", b"\xe0\x9f\xbf",
            b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xf0\x80\x80\x80", b"\xf0\x8f\xbf\xbf", b"\xf4\x90\x80\x80",
            b"\xf5\x80\x80\x80", b"\xf8\x88\x80\x80\x80", b"\xc2", b"\xe2\x82", b"\xf0\x9f\x98",
            b"a\xc2b", b"\xe2\x28\xa1", b"ok\xce\xbaxe\xed\xa0\x80"]


def validate(validator, pieces):
    for piece in pieces:
        validator.feed(piece)
    validator.finish()


def test_utf8_validators_accept_and_refuse_whole_texts():
    for make in (utf8.Utf8Validator, utf8.new_validator):
        for data in GOOD_UTF8:
            validate(make(), [data])
        for data in BAD_UTF8:
            try:
                validate(make(), [data])
            except UnicodeError:
                continue
            raise AssertionError("accepted %r" % data)


def test_utf8_validator_keeps_its_place_across_any_split():
    text = "a\u00e9\u20ac\U0001f600z".encode()
    for cut in range(len(text) + 1):
        for make in (utf8.Utf8Validator, utf8.new_validator):
            validate(make(), [text[:cut], text[cut:]])
    validate(utf8.Utf8Validator(), [bytes((byte,)) for byte in text])


def test_utf8_state_machine_fails_at_the_first_impossible_byte():
    validator = utf8.Utf8Validator()
    validator.feed(b"ok \xed")
    try:
        validator.feed(b"\xa0")  # a surrogate: refused before the sequence ends
    except UnicodeError:
        pass
    else:
        raise AssertionError("surrogate prefix accepted")


# Close codes (RFC 6455 7.4)

def test_close_codes_received():
    for code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999):
        assert close.may_receive(code), code
    for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535):
        assert not close.may_receive(code), code


def test_close_codes_sent():
    assert close.may_send(1000) and close.may_send(1011) and close.may_send(4000)
    for code in (1005, 1006, 1010, 1015, 999, 5000):
        assert not close.may_send(code), code
        try:
            close.encode_close(code)
        except ValueError:
            continue
        raise AssertionError(code)


def test_close_payloads():
    assert close.encode_close() == b"\x03\xe8"
    assert close.encode_close(1001, "bye") == b"\x03\xe9bye"
    assert close.encode_close(4000, "\u00e9") == b"\x0f\xa0\xc3\xa9"
    try:
        close.encode_close(1000, "x" * 124)
    except ValueError:
        pass
    else:
        raise AssertionError("long reason accepted")
    assert close.decode_close(b"") == (1005, "")
    assert close.decode_close(b"\x03\xe8") == (1000, "")
    assert close.decode_close(b"\x0f\xa0\xc3\xa9") == (4000, "\u00e9")
    raises(1002, close.decode_close, b"\x03")
    raises(1002, close.decode_close, b"\x03\xed")  # 1005 on the wire
    raises(1002, close.decode_close, b"\x03\xee")  # 1006
    raises(1002, close.decode_close, b"\x03\xf7")  # 1015
    raises(1002, close.decode_close, b"\x00\x00")
    raises(1007, close.decode_close, b"\x03\xe8\xff")


# Messages (RFC 6455 5.4)

def data_frame(opcode, payload, fin=True, rsv1=False):
    return frames.Frame(fin, rsv1, opcode, bytearray(payload))


def test_fragments_joined_for_text_and_binary():
    assembler = MessageAssembler(100)
    assert assembler.add(data_frame(TEXT, b"Hel", fin=False)) is None
    assert assembler.add(data_frame(CONTINUATION, b"", fin=False)) is None
    assert assembler.add(data_frame(CONTINUATION, b"lo")) == "Hello"
    assert assembler.add(data_frame(BINARY, b"\x00", fin=False)) is None
    assert assembler.add(data_frame(CONTINUATION, b"\xff")) == b"\x00\xff"
    assert assembler.add(data_frame(TEXT, b"")) == ""
    assert assembler.add(data_frame(BINARY, b"")) == b""


def test_fragment_order_rules():
    raises(1002, MessageAssembler(100).add, data_frame(CONTINUATION, b"x"))
    assembler = MessageAssembler(100)
    assembler.add(data_frame(TEXT, b"a", fin=False))
    raises(1002, assembler.add, data_frame(TEXT, b"b"))
    assembler = MessageAssembler(100)
    assembler.add(data_frame(BINARY, b"a", fin=False))
    raises(1002, assembler.add, data_frame(BINARY, b"b"))


def test_text_checked_as_fragments_arrive():
    euro = "\u20ac".encode()
    assembler = MessageAssembler(100)
    assert assembler.add(data_frame(TEXT, euro[:1], fin=False)) is None
    assert assembler.add(data_frame(CONTINUATION, euro[1:2], fin=False)) is None
    assert assembler.add(data_frame(CONTINUATION, euro[2:])) == "\u20ac"
    assembler = MessageAssembler(100)
    assembler.add(data_frame(TEXT, b"fine so far", fin=False))
    raises(1007, assembler.add, data_frame(CONTINUATION, b"\xff", fin=False))  # fails before the end
    raises(1007, MessageAssembler(100).add, data_frame(TEXT, euro[:2]))  # cut short at the end
    assert MessageAssembler(100).add(data_frame(BINARY, b"\xff")) == b"\xff"  # binary is not text


def test_message_size_limit():
    assembler = MessageAssembler(10)
    assert assembler.add(data_frame(BINARY, b"x" * 10)) == b"x" * 10
    assembler.add(data_frame(BINARY, b"x" * 6, fin=False))
    assert assembler.limit() == 4
    raises(1009, assembler.add, data_frame(CONTINUATION, b"x" * 5))


# The session: control frames, closing handshake, failures (RFC 6455 5.5, 7)

def frames_out(session):
    """The server frames a session queued, as (opcode, payload)."""
    return server_frames(session.data_to_send())


def server_frames(data):
    """Server frames (unmasked) in `data`, as (opcode, payload)."""
    found = []
    while data:
        length = data[1] & 0x7F
        start = 2
        if length == 126:
            length = int.from_bytes(data[2:4], "big")
            start = 4
        elif length == 127:
            length = int.from_bytes(data[2:10], "big")
            start = 10
        assert not data[1] & 0x80  # servers never mask
        found.append((data[0] & 0x0F, data[start:start + length]))
        data = data[start + length:]
    return found


def test_session_messages_with_control_frames_between_fragments():
    session = Session(1000)
    session.receive_data(client_frame(TEXT, b"Hel", fin=False) + client_frame(PING, b"p")
                         + client_frame(CONTINUATION, b"lo") + client_frame(BINARY, b"\x01"))
    assert session.next_message() == "Hello"
    assert frames_out(session) == [(PONG, b"p")]  # pings answered with their payload
    assert session.next_message() == b"\x01"
    assert session.next_message() is None
    assert not session.closed


def test_session_byte_by_byte():
    data = client_frame(TEXT, "Zo\u00eb".encode(), fin=False) + client_frame(CONTINUATION, b"!")
    session = Session(1000)
    got = []
    for byte in data:
        session.receive_data(bytes((byte,)))
        message = session.next_message()
        if message is not None:
            got.append(message)
    assert got == ["Zo\u00eb!"]


def test_session_sends_text_and_binary():
    session = Session(1000)
    session.send_message("h\u00e9")
    session.send_message(b"\x00\x01")
    assert session.data_to_send() == b"\x81\x03h\xc3\xa9\x82\x02\x00\x01"
    assert session.data_to_send() == b""


def test_client_close_is_echoed_and_ends_the_session():
    session = Session(1000)
    session.receive_data(client_frame(TEXT, b"last") + client_frame(CLOSE, b"\x03\xe9going"))
    assert session.next_message() == "last"  # what came before the Close still counts
    assert session.next_message() is None
    assert session.closed and (session.close_code, session.close_reason) == (1001, "going")
    assert frames_out(session) == [(CLOSE, b"\x03\xe9")]
    try:
        session.send_message("late")
    except ConnectionClosed as exc:
        assert exc.code == 1001
    else:
        raise AssertionError("sent on a closed session")


def test_client_close_without_code_is_answered_without_one():
    session = Session(1000)
    session.receive_data(client_frame(CLOSE))
    session.next_message()
    assert (session.close_code, frames_out(session)) == (1005, [(CLOSE, b"")])


def test_server_close_waits_for_the_client_and_drops_its_data():
    session = Session(1000)
    session.close(4001, "done")
    assert frames_out(session) == [(CLOSE, b"\x0f\xa1done")]
    assert not session.closed
    session.receive_data(client_frame(TEXT, b"dropped") + client_frame(PING, b"p") + client_frame(CLOSE, b"\x0f\xa1"))
    assert session.next_message() is None
    assert session.closed and session.close_code == 4001
    assert frames_out(session) == []  # no pong, no second Close


def test_protocol_errors_fail_with_their_code():
    cases = [
        (client_frame(TEXT, b"x", mask=None), 1002),
        (client_frame(CONTINUATION, b"x"), 1002),
        (client_frame(TEXT, b"\xc0\x80"), 1007),
        (client_frame(BINARY, b"x" * 101), 1009),
        (client_frame(CLOSE, b"\x03"), 1002),
        (client_frame(CLOSE, b"\x03\xe8\xff"), 1007),
        (client_frame(CLOSE, b"\x03\xed"), 1002),
        (client_frame(TEXT, b"x", rsv=0x40), 1002),
        (client_frame(TEXT, b"a" * 60, fin=False) + client_frame(CONTINUATION, b"a" * 41), 1009),
    ]
    for data, code in cases:
        session = Session(100)
        session.receive_data(data)
        assert session.next_message() is None
        assert session.closed and session.close_code == code, (data, session.close_code)
        assert frames_out(session)[0][0] == CLOSE
        session.receive_data(client_frame(TEXT, b"ignored"))
        assert session.next_message() is None


def test_end_of_stream_without_close_is_1006():
    session = Session(100)
    session.receive_data(client_frame(TEXT, b"whole") + client_frame(TEXT, b"cut")[:4])
    session.receive_eof()
    assert session.next_message() == "whole"
    assert session.next_message() is None
    assert session.closed and session.close_code == 1006
    assert frames_out(session) == []


def test_pings_and_their_pongs():
    session = Session(100)
    session.ping()
    [(opcode, payload)] = frames_out(session)
    assert opcode == PING and session.ping_payload == payload
    session.receive_data(client_frame(PONG, b"other"))  # unsolicited: ignored
    session.next_message()
    assert session.ping_payload == payload
    session.receive_data(client_frame(PONG, payload))
    session.next_message()
    assert session.ping_payload is None and not session.closed


def test_connection_lost():
    session = Session(100)
    session.send_message("never sent")
    session.connection_lost()
    assert session.closed and session.close_code == 1006 and session.data_to_send() == b""


# SHA-1 and the handshake (RFC 6455 4.2, 1.3)

def test_sha1_fallback_known_digests():
    import binascii

    cases = [
        (b"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        (b"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        (b"a" * 1000, "291e9a6c66994949b57ba5e650361e98fc36b1ba"),
        (b"x" * 55, "cef734ba81a024479e09eb5a75b6ddae62e6abf1"),  # the padding's edges
        (b"x" * 56, "901305367c259952f4e7af8323f480d59f81335b"),
        (b"x" * 64, "bb2fa3ee7afb9f54c6dfb5d021f14b1ffe40c163"),
    ]
    for data, expected in cases:
        assert binascii.hexlify(sha1.digest(data)).decode() == expected, len(data)


def test_accept_key_rfc_example():
    assert handshake.accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def upgrade_headers(**extra):
    headers = Headers({"Host": "example.com:8080", "Upgrade": "websocket", "Connection": "keep-alive, Upgrade",
                       "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13"})
    for name, value in extra.items():
        name = name.replace("_", "-")
        if value is None:
            headers.pop(name)
        else:
            headers[name] = value
    return headers


def refused(status, headers, method="GET", version="1.1", **options):
    try:
        handshake.negotiate(method, headers, version=version, **options)
    except handshake.HandshakeError as exc:
        assert exc.status == status, (exc.status, exc.message)
        return exc
    raise AssertionError("accepted, expected %d" % status)


def test_handshake_accepted():
    accepted = handshake.negotiate("GET", upgrade_headers())
    assert accepted.headers == [("Upgrade", "websocket"), ("Connection", "Upgrade"),
                                ("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")]
    assert accepted.subprotocol is None and accepted.codec is None


def test_handshake_malformed_is_400():
    refused(400, upgrade_headers(), version="1.0")
    refused(400, upgrade_headers(Upgrade="h2c"))
    refused(400, upgrade_headers(Connection="keep-alive"))
    refused(400, upgrade_headers(Host=None))
    refused(400, upgrade_headers(Sec_WebSocket_Key=None))
    refused(400, upgrade_headers(Sec_WebSocket_Key="short"))
    refused(400, upgrade_headers(Sec_WebSocket_Key="dGhlIHNhbXBsZSBub25jZQ=!"))
    refused(400, upgrade_headers(Sec_WebSocket_Key="dGhlIHNhbXBsZSBub25jZR=="))  # not canonical
    refused(400, upgrade_headers(Sec_WebSocket_Key="dGhlIHNhbXBsZSBub25jZQ==, dGhlIHNhbXBsZSBub25jZQ=="))
    exc = refused(400, upgrade_headers(Sec_WebSocket_Version=None))
    assert exc.headers["Sec-WebSocket-Version"] == "13"
    refused(400, upgrade_headers(Sec_WebSocket_Protocol="chat, bad token"), subprotocols=["chat"])
    refused(400, upgrade_headers(Sec_WebSocket_Extensions="permessage-deflate; =1"))
    refused(400, upgrade_headers(Content_Length="5"))
    refused(400, upgrade_headers(Transfer_Encoding="chunked"))
    handshake.negotiate("GET", upgrade_headers(Content_Length="0"))
    refused(405, upgrade_headers(), method="POST")


def test_handshake_tokens_are_case_insensitive():
    accepted = handshake.negotiate("GET", upgrade_headers(Upgrade="WebSocket", Connection="UPGRADE"))
    assert accepted.headers[2][1] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_handshake_wrong_version_is_426_naming_13():
    for version in ("8", "14", "13, 8", ""):
        exc = refused(426, upgrade_headers(Sec_WebSocket_Version=version))
        assert exc.headers["Sec-WebSocket-Version"] == "13"
        assert exc.headers["Upgrade"] == "websocket"


def test_plain_request_is_426_saying_websocket():
    exc = refused(426, upgrade_headers(Upgrade=None, Connection=None))
    assert exc.headers["Upgrade"] == "websocket"


def test_origin_same_host_by_default():
    handshake.negotiate("GET", upgrade_headers(Origin="http://example.com:8080"))
    handshake.negotiate("GET", upgrade_headers(Origin="https://EXAMPLE.com:8080"))
    handshake.negotiate("GET", upgrade_headers(Host="example.com", Origin="http://example.com"))
    handshake.negotiate("GET", upgrade_headers(Host="example.com:443", Origin="https://example.com"))
    handshake.negotiate("GET", upgrade_headers(Host="[::1]:8080", Origin="http://[::1]:8080"))
    handshake.negotiate("GET", upgrade_headers())  # no Origin: not a browser
    refused(403, upgrade_headers(), allow_missing_origin=False)
    for origin in ("http://evil.example", "http://example.com", "http://example.com:8081", "null",
                   "http://example.com:8080.evil.example", "http://evil@example.com:8080",
                   "example.com:8080", "ftp://example.com:8080", "http://example.com:8080/path"):
        refused(403, upgrade_headers(Origin=origin))
    refused(403, upgrade_headers(Host="[::1]:8080", Origin="http://[::2]:8080"))


def test_origin_allowlist_any_and_predicate():
    allowed = ["https://app.example.org"]
    handshake.negotiate("GET", upgrade_headers(Origin="https://app.example.org"), origins=allowed)
    handshake.negotiate("GET", upgrade_headers(Origin="https://APP.example.org"), origins=allowed)
    handshake.negotiate("GET", upgrade_headers(Origin="http://example.com:8080"), origins=allowed)  # own host
    refused(403, upgrade_headers(Origin="https://app.example.org.evil"), origins=allowed)
    refused(403, upgrade_headers(Origin="http://app.example.org"), origins=allowed)
    handshake.negotiate("GET", upgrade_headers(Origin="https://anything.test"), origins="*")
    handshake.negotiate("GET", upgrade_headers(Origin="https://app.example.org"), origins="https://app.example.org")
    refused(403, upgrade_headers(Origin="h"), origins="https://app.example.org")  # not its letters

    def predicate(origin):
        return origin.endswith(".example.net")

    handshake.negotiate("GET", upgrade_headers(Origin="https://a.example.net"), origins=predicate)
    refused(403, upgrade_headers(Origin="https://example.net"), origins=predicate)


def test_subprotocol_negotiation():
    def chosen(offer, ours):
        return handshake.negotiate("GET", upgrade_headers(Sec_WebSocket_Protocol=offer), subprotocols=ours)

    accepted = chosen("chat, superchat", ["superchat", "chat"])
    assert accepted.subprotocol == "superchat"  # ours, in our order of preference
    assert ("Sec-WebSocket-Protocol", "superchat") in accepted.headers
    assert chosen("chat", ["mqtt"]).subprotocol is None
    assert "Sec-WebSocket-Protocol" not in dict(chosen("chat", ["mqtt"]).headers)
    assert chosen("Chat", ["chat"]).subprotocol is None  # names are case-sensitive
    assert chosen("a,,b", ["b"]).subprotocol == "b"
    assert chosen("v2, v1", lambda offered: offered[-1]).subprotocol == "v1"


def test_extension_header_grammar():
    parse = handshake.parse_extensions
    assert parse("permessage-deflate") == [("permessage-deflate", [])]
    assert parse('foo; a=1; B="2"; c, permessage-deflate ;client_max_window_bits') == [
        ("foo", [("a", "1"), ("b", "2"), ("c", None)]),
        ("permessage-deflate", [("client_max_window_bits", None)])]
    for bad in ("foo;", "a b", "foo; x=", 'foo; x="a b"', "foo; x=1=2", '"foo"', "foo; x=\"1"):
        try:
            parse(bad)
        except handshake.HandshakeError as exc:
            assert exc.status == 400
            continue
        raise AssertionError(bad)


# permessage-deflate (RFC 7692)

def deflate_offer(text, **settings):
    offers = handshake.parse_extensions(text)
    return permessage_deflate.PerMessageDeflate(**settings).negotiate(offers)


def test_deflate_negotiation():
    if not permessage_deflate.CAN_INFLATE:
        assert deflate_offer("permessage-deflate") is None
        return
    text, codec = deflate_offer("permessage-deflate; client_max_window_bits", window_bits=15)
    assert text == ("permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
                    "client_max_window_bits=15")
    assert codec.inflate_bits == 15
    text, codec = deflate_offer("permessage-deflate; client_max_window_bits=12", window_bits=10)
    assert text.endswith("client_max_window_bits=10") and codec.inflate_bits == 10
    text, codec = deflate_offer("permessage-deflate; server_max_window_bits=10", window_bits=15)
    assert "server_max_window_bits=10" in text and codec.compress_bits == 10
    # Without client_max_window_bits we cannot ask for a small window: decline.
    assert deflate_offer("permessage-deflate", window_bits=10) is None
    assert deflate_offer("permessage-deflate", window_bits=15)[0].startswith("permessage-deflate")
    # The first acceptable offer wins; a bad one is declined, not fatal.
    text, _ = deflate_offer("permessage-deflate; server_max_window_bits=16, "
                            "permessage-deflate; client_max_window_bits=9", window_bits=15)
    assert text.endswith("client_max_window_bits=9")
    for bad in ("permessage-deflate; client_max_window_bits=7", "permessage-deflate; client_max_window_bits=010",
                "permessage-deflate; server_max_window_bits", "permessage-deflate; server_no_context_takeover=1",
                "permessage-deflate; unknown=1", "permessage-deflate; client_max_window_bits; client_max_window_bits",
                "x-webkit-deflate-frame"):
        assert deflate_offer(bad, window_bits=15) is None, bad


def test_deflate_in_the_handshake():
    headers = upgrade_headers(Sec_WebSocket_Extensions="foo, permessage-deflate; client_max_window_bits")
    accepted = handshake.negotiate("GET", headers, deflate=permessage_deflate.PerMessageDeflate(window_bits=11))
    if permessage_deflate.CAN_INFLATE:
        assert accepted.codec is not None
        assert dict(accepted.headers)["Sec-WebSocket-Extensions"].endswith("client_max_window_bits=11")
    assert handshake.negotiate("GET", headers).codec is None  # not enabled: ignored


def test_deflate_settings_refuse_an_8_bit_window():
    for bits in (8, 16):
        try:
            permessage_deflate.PerMessageDeflate(window_bits=bits)
        except ValueError:
            continue
        raise AssertionError(bits)


HELLO_DEFLATED = b"\xf2\x48\xcd\xc9\xc9\x07\x00"  # RFC 7692 7.2.3.1
# 100,000 zero bytes, deflated (9-bit window) to 114 bytes, the sync tail stripped.
ZEROS_DEFLATED = bytes.fromhex("ecc13101000000c2a0f54f6d0d0fa0") + bytes(96) + bytes.fromhex("805703")


def codec(bits=9):
    return permessage_deflate.Codec(bits, 12, 6, 5, 64)


def test_inflate_rfc_example_and_fragments():
    if not permessage_deflate.CAN_INFLATE:
        return
    assert bytes(codec(15).inflate(HELLO_DEFLATED, True, 100)) == b"Hello"
    session = Session(100, codec=codec(15))
    # RFC 7692 7.2.3.1, split in two frames: RSV1 on the first only.
    session.receive_data(client_frame(TEXT, HELLO_DEFLATED[:3], fin=False, rsv=0x40)
                         + client_frame(CONTINUATION, HELLO_DEFLATED[3:]))
    assert session.next_message() == "Hello"
    session.receive_data(client_frame(TEXT, b"plain"))  # uncompressed messages still allowed
    assert session.next_message() == "plain"
    session.receive_data(client_frame(TEXT, HELLO_DEFLATED, rsv=0x40))
    assert session.next_message() == "Hello"  # no context kept: each message alone


def test_inflate_bomb_stops_at_the_limit():
    if not permessage_deflate.CAN_INFLATE:
        return
    assert len(codec().inflate(ZEROS_DEFLATED, True, 100000)) == 100000
    raises(1009, codec().inflate, ZEROS_DEFLATED, True, 65536)
    session = Session(65536, codec=codec())
    session.receive_data(client_frame(BINARY, ZEROS_DEFLATED, rsv=0x40))
    assert session.next_message() is None and session.close_code == 1009


def test_inflate_garbage_is_1007_and_rsv1_on_continuation_1002():
    if not permessage_deflate.CAN_INFLATE:
        return
    session = Session(100, codec=codec())
    session.receive_data(client_frame(BINARY, b"\xff\xff\xff\xff", rsv=0x40))
    assert session.next_message() is None and session.close_code == 1007
    session = Session(100, codec=codec())
    session.receive_data(client_frame(TEXT, HELLO_DEFLATED[:3], fin=False, rsv=0x40)
                         + client_frame(CONTINUATION, HELLO_DEFLATED[3:], rsv=0x40))
    assert session.next_message() is None and session.close_code == 1002


def test_compressed_size_counts_before_inflating_too():
    if not permessage_deflate.CAN_INFLATE:
        return
    session = Session(10, codec=codec())
    session.receive_data(client_frame(BINARY, HELLO_DEFLATED, fin=False, rsv=0x40)
                         + client_frame(CONTINUATION, b"\x00" * 4))
    assert session.next_message() is None and session.close_code == 1009


def test_server_messages_compressed_where_the_runtime_can():
    session = Session(1000, codec=codec())
    session.send_message("short")
    session.send_message("long " * 40)
    data = session.data_to_send()
    assert data[:7] == b"\x81\x05short"  # under min_size: sent as it is
    if permessage_deflate.CAN_COMPRESS:
        assert data[7] == 0xC1 and data[8] < 126  # RSV1: compressed, and smaller
    else:
        assert data[7:9] == b"\x81\x7e"


# The handler's WebSocket over an in-memory stream (the resp.upgrade() API)

class MemoryStream:
    def __init__(self, incoming=b""):
        import asyncio

        self.incoming = bytearray(incoming)
        self.arrived = asyncio.Event()
        self.ended = False
        self.closed = False
        self.written = bytearray()

    def feed(self, data):
        self.incoming += data
        self.arrived.set()

    async def read(self, size, timeout=None):
        while not self.incoming and not self.ended and not self.closed:
            self.arrived.clear()
            await self.arrived.wait()
        data = bytes(self.incoming[:size])
        self.incoming[:size] = b""
        return data

    async def write(self, data):
        self.written += data

    def close(self):
        self.closed = True
        self.arrived.set()


def written_frames(stream):
    data = bytes(stream.written)
    stream.written = bytearray()
    return server_frames(data)


async def test_handler_api_echo_and_close():
    from picoweb_plugins.websocket.handler_api import WebSocket

    stream = MemoryStream(client_frame(TEXT, b"one") + client_frame(PING, b"p") + client_frame(BINARY, b"\x02")
                          + client_frame(CLOSE, b"\x03\xe8"))
    ws = WebSocket(stream, Session(100))
    async for message in ws:
        await ws.send(message)
    assert written_frames(stream) == [(TEXT, b"one"), (PONG, b"p"), (BINARY, b"\x02"), (CLOSE, b"\x03\xe8")]
    assert ws.closed and ws.close_code == 1000


async def test_handler_api_server_close_and_client_gone():
    from picoweb_plugins.websocket.handler_api import WebSocket

    stream = MemoryStream()
    ws = WebSocket(stream, Session(100), close_timeout=0.05)
    await ws.close(4000, "bye")  # no answer comes: gives up after close_timeout
    assert written_frames(stream) == [(CLOSE, b"\x0f\xa0bye")] and stream.closed
    stream = MemoryStream(client_frame(TEXT, b"x"))
    stream.ended = True
    ws = WebSocket(stream, Session(100))
    assert await ws.receive() == "x"
    try:
        await ws.receive()
    except ConnectionClosed as exc:
        assert exc.code == 1006
    else:
        raise AssertionError("receive() after the end of stream")


async def test_handler_api_keepalive_fails_a_silent_client():
    import asyncio
    from picoweb_plugins.websocket.handler_api import WebSocket

    stream = MemoryStream()
    ws = WebSocket(stream, Session(100))
    keepalive = asyncio.create_task(ws.keepalive(0.01, 0.03))
    try:
        await ws.receive()
    except ConnectionClosed as exc:
        assert exc.code == 1011
    else:
        raise AssertionError("no timeout")
    out = written_frames(stream)
    assert out[0][0] == PING and out[-1] == (CLOSE, b"\x03\xf3keepalive ping timeout")
    await keepalive


async def test_handler_api_close_from_another_task_ends_receive():
    import asyncio
    from picoweb_plugins.websocket.handler_api import WebSocket

    # The client answers: the receiving task reads its Close, close() waits for that.
    stream = MemoryStream()
    ws = WebSocket(stream, Session(100), close_timeout=5)
    receiving = asyncio.create_task(ws.receive())
    await asyncio.sleep(0)
    closing = asyncio.create_task(ws.close(1001, "going away"))
    await asyncio.sleep(0)
    assert written_frames(stream) == [(CLOSE, b"\x03\xe9going away")]
    stream.feed(client_frame(CLOSE, b"\x03\xe9"))
    await closing
    try:
        await receiving
    except ConnectionClosed as exc:
        assert exc.code == 1001
    else:
        raise AssertionError("receive() returned after the close")
    assert stream.closed

    # It does not: close_timeout passes, the stream closes, receive() ends (1006: no Close came).
    stream = MemoryStream()
    ws = WebSocket(stream, Session(100), close_timeout=0.05)
    receiving = asyncio.create_task(ws.receive())
    await asyncio.sleep(0)
    await ws.close(1001)
    try:
        await receiving
    except ConnectionClosed as exc:
        assert exc.code == 1006
    else:
        raise AssertionError("receive() returned after the close")


async def test_handler_api_receive_during_close_raises():
    import asyncio
    from picoweb_plugins.websocket.handler_api import WebSocket

    stream = MemoryStream(client_frame(TEXT, b"late"))
    ws = WebSocket(stream, Session(100), close_timeout=5)
    closing = asyncio.create_task(ws.close())  # it reads, waiting for the client's Close
    await asyncio.sleep(0)
    receiving = asyncio.create_task(ws.receive())
    await asyncio.sleep(0)
    stream.feed(client_frame(CLOSE, b"\x03\xe8"))
    await closing
    try:
        await receiving
    except ConnectionClosed as exc:
        assert exc.code == 1000  # the message that came after our Close was dropped
    else:
        raise AssertionError("a message after close()")


class OneWriterStream(MemoryStream):
    """A stream whose write takes a while, and fails the test when two overlap."""

    writing = False

    async def write(self, data):
        import asyncio

        assert not self.writing, "two writes at once"
        self.writing = True
        await asyncio.sleep(0.001)
        self.written += data
        self.writing = False


async def test_handler_api_senders_in_many_tasks_write_one_at_a_time():
    import asyncio
    from picoweb_plugins.websocket.handler_api import WebSocket

    stream = OneWriterStream()
    ws = WebSocket(stream, Session(1000))

    async def sender(name):
        for i in range(5):
            await ws.send("%s%d" % (name, i))

    await asyncio.gather(sender("a"), sender("b"), sender("c"))
    sent = [payload for opcode, payload in written_frames(stream)]
    assert sorted(sent) == sorted(("%s%d" % (n, i)).encode() for n in "abc" for i in range(5))
    for name in "abc":  # each task's messages in its own order
        assert [m for m in sent if m[:1] == name.encode()] == [("%s%d" % (name, i)).encode() for i in range(5)]
