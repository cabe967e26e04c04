"""The WebSocket protocol against two independent implementations (wsproto
and websockets, both sans-I/O clients): their handshakes accepted, their
frames parsed by our Session, ours parsed by them; with and without
permessage-deflate. Then property tests: any split of the byte stream,
random input, the UTF-8 validator against CPython's decoder, a deflate bomb.
"""

import os
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wsproto.events as wse
from picoweb import Headers
from picoweb_plugins.websocket import close, permessage_deflate, utf8
from picoweb_plugins.websocket.close import ProtocolError
from picoweb_plugins.websocket.handshake import negotiate
from picoweb_plugins.websocket.permessage_deflate import PerMessageDeflate
from picoweb_plugins.websocket.session import Session
from websockets.client import ClientProtocol
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.frames import Opcode
from websockets.protocol import State
from websockets.uri import parse_uri
from wsproto import ConnectionType, WSConnection
from wsproto.extensions import PerMessageDeflate as WsprotoDeflate

SIZES = [0, 1, 125, 126, 127, 65535, 65536, 200000]


def parse_request(data):
    """(method, Headers) of a request head, repeated headers kept as the core does."""
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = Headers()
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers.add(name.strip(), value.strip())
    return head[0].split(" ")[0], headers


def response_head(handshake):
    lines = ["HTTP/1.1 101 Switching Protocols"] + ["%s: %s" % pair for pair in handshake.headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def payload(size, text):
    if text:
        return ("\u00e9\u20ac" * size)[:size]
    return os.urandom(size)


# wsproto

def wsproto_pair(compress, subprotocols=(), offered=()):
    client = WSConnection(ConnectionType.CLIENT)
    extensions = [WsprotoDeflate()] if compress else []
    request = client.send(wse.Request(host="example.com", target="/ws", extensions=extensions,
                                      subprotocols=list(offered)))
    method, headers = parse_request(request)
    handshake = negotiate(method, headers, subprotocols=subprotocols,
                          deflate=PerMessageDeflate() if compress else None)
    client.receive_data(response_head(handshake))
    [accepted] = list(client.events())
    assert isinstance(accepted, wse.AcceptConnection), accepted
    return client, Session(1 << 20, codec=handshake.codec), accepted


def test_wsproto_accepts_our_handshake_with_subprotocol_and_deflate():
    client, session, accepted = wsproto_pair(True, ["chat"], ["superchat", "chat"])
    assert accepted.subprotocol == "chat"
    [extension] = accepted.extensions
    assert extension.name == "permessage-deflate"
    assert session.codec is not None


@pytest.mark.parametrize("compress", [False, True])
def test_wsproto_frames_parsed_by_us(compress):
    client, session, _ = wsproto_pair(compress)
    sent = [payload(size, text) for size in SIZES for text in (True, False)]
    for message in sent:
        session.receive_data(client.send(wse.Message(data=message)))
        assert session.next_message() == message
    # Fragmented, with a ping between the fragments.
    session.receive_data(client.send(wse.TextMessage("frag", message_finished=False)))
    session.receive_data(client.send(wse.Ping(b"between")))
    session.receive_data(client.send(wse.TextMessage("mented \u20ac", message_finished=True)))
    assert session.next_message() == "fragmented \u20ac"
    client.receive_data(session.data_to_send())
    assert [type(event) for event in client.events()] == [wse.Pong]


@pytest.mark.parametrize("compress", [False, True])
def test_our_frames_parsed_by_wsproto(compress):
    client, session, _ = wsproto_pair(compress)
    sent = [payload(size, text) for size in SIZES for text in (True, False)]
    for message in sent:
        session.send_message(message)
    session.ping(b"are you there")
    client.receive_data(session.data_to_send())
    events = list(client.events())
    assert [event.data for event in events[:-1]] == sent
    assert isinstance(events[-1], wse.Ping) and events[-1].payload == b"are you there"


def test_closing_handshake_with_wsproto_both_ways():
    client, session, _ = wsproto_pair(False)
    session.receive_data(client.send(wse.CloseConnection(code=4000, reason="done \u00e9")))
    assert session.next_message() is None
    assert (session.close_code, session.close_reason) == (4000, "done \u00e9")
    client.receive_data(session.data_to_send())
    [closed] = list(client.events())
    assert closed.code == 4000
    client, session, _ = wsproto_pair(False)
    session.close(1001, "restarting")
    client.receive_data(session.data_to_send())
    [closing] = list(client.events())
    assert (closing.code, closing.reason) == (1001, "restarting")
    session.receive_data(client.send(closing.response()))
    session.next_message()
    assert session.closed and session.close_code == 1001


def test_wsproto_sees_our_protocol_error_close_code():
    client, session, _ = wsproto_pair(False)
    session.receive_data(client.send(wse.BytesMessage(b"x" * 10)) + b"\x83\x80\x00\x00\x00\x00")  # opcode 3
    assert session.next_message() == b"x" * 10
    session.next_message()
    client.receive_data(session.data_to_send())
    [closed] = list(client.events())
    assert closed.code == 1002


# websockets

def websockets_pair(compress=True):
    client = ClientProtocol(parse_uri("ws://example.com:8000/ws"), origin="http://example.com:8000",
                            extensions=[ClientPerMessageDeflateFactory()] if compress else None,
                            subprotocols=["v2.chat", "v1.chat"], max_size=None)
    client.send_request(client.connect())
    method, headers = parse_request(b"".join(client.data_to_send()))
    handshake = negotiate(method, headers, subprotocols=["v1.chat"],
                          deflate=PerMessageDeflate() if compress else None)
    client.receive_data(response_head(handshake))
    [response] = client.events_received()
    assert client.state is State.OPEN, client.handshake_exc
    return client, Session(1 << 20, codec=handshake.codec), response


def test_websockets_accepts_our_handshake():
    client, session, response = websockets_pair()
    assert response.headers["Sec-WebSocket-Protocol"] == "v1.chat"
    assert "permessage-deflate" in response.headers["Sec-WebSocket-Extensions"]
    assert session.codec is not None


@pytest.mark.parametrize("compress", [False, True])
def test_messages_both_ways_with_websockets(compress):
    client, session, _ = websockets_pair(compress)
    for size in SIZES:
        text = payload(size, True)
        client.send_text(text.encode())
        client.send_binary(text.encode())
        session.receive_data(b"".join(client.data_to_send()))
        assert session.next_message() == text
        assert session.next_message() == text.encode()
        session.send_message(text)
        session.send_message(text.encode())
        client.receive_data(session.data_to_send())
        frames = client.events_received()
        assert [(frame.opcode, frame.data) for frame in frames] == [
            (Opcode.TEXT, text.encode()), (Opcode.BINARY, text.encode())]


def test_ping_pong_and_close_with_websockets():
    client, session, _ = websockets_pair()
    client.send_ping(b"ping!")
    session.receive_data(b"".join(client.data_to_send()))
    session.next_message()
    session.ping(b"ours")
    client.receive_data(session.data_to_send())
    frames = client.events_received()
    assert [(frame.opcode, frame.data) for frame in frames] == [(Opcode.PONG, b"ping!"), (Opcode.PING, b"ours")]
    session.receive_data(b"".join(client.data_to_send()))  # websockets answered our ping
    session.next_message()
    assert session.ping_payload is None
    client.send_close(1000, "bye")
    session.receive_data(b"".join(client.data_to_send()))
    session.next_message()
    client.receive_data(session.data_to_send())
    client.events_received()
    assert session.closed and client.state is State.CLOSING  # websockets waits for TCP to close
    client.receive_eof()  # the server ends TCP first (RFC 6455 7.1.1)
    assert client.state is State.CLOSED and client.close_code == 1000


# Property tests

messages = st.lists(st.one_of(st.text(max_size=300), st.binary(max_size=300)), max_size=8)


@settings(max_examples=150, deadline=None)
@given(sent=messages, cuts=st.lists(st.integers(min_value=0, max_value=5000), max_size=10),
       compress=st.booleans())
def test_any_split_of_the_stream_gives_the_same_messages(sent, cuts, compress):
    client, session, _ = wsproto_pair(compress)
    data = b"".join(client.send(wse.Message(data=message)) for message in sent)
    points = sorted(set(cut % (len(data) + 1) for cut in cuts)) + [len(data)]
    got = []
    start = 0
    for point in points:
        if point > start:
            session.receive_data(data[start:point])
        start = point
        while True:
            message = session.next_message()
            if message is None:
                break
            got.append(message)
    assert got == sent and not session.closed


@settings(max_examples=300, deadline=None)
@given(data=st.binary(min_size=1, max_size=200))
def test_random_input_only_ever_closes(data):
    session = Session(100, codec=permessage_deflate.Codec(15, 12, 6, 5, 64))
    session.receive_data(data)
    while session.next_message() is not None:  # never raises
        pass
    if session.closed:
        # Failed by us with a code of ours, or closed by a valid client Close.
        assert session.close_code in (1002, 1007, 1009) or close.may_receive(session.close_code) \
            or session.close_code == 1005
        assert session.data_to_send()[:1] in (b"\x88", b"\x8a")  # a Close, after any pongs


@settings(max_examples=400, deadline=None)
@given(data=st.one_of(st.binary(max_size=40), st.text(max_size=20).map(lambda t: t.encode("utf-8", "surrogatepass"))),
       cut=st.integers(min_value=0, max_value=40))
def test_utf8_state_machine_agrees_with_cpython(data, cut):
    try:
        data.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        valid = False
    for make in (utf8.Utf8Validator, utf8.new_validator):
        validator = make()
        try:
            validator.feed(data[:cut])
            validator.feed(data[cut:])
            validator.finish()
            verdict = True
        except UnicodeError:
            verdict = False
        assert verdict == valid, (make, data)


def test_deflate_bomb_inflated_only_to_the_limit():
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = compressor.compress(bytes(1 << 27)) + compressor.flush(zlib.Z_SYNC_FLUSH)
    bomb = bomb[:-4]  # 128 MiB of zeros in about 128 KiB
    assert len(bomb) < 1 << 18
    codec = permessage_deflate.Codec(15, 12, 6, 5, 64)
    with pytest.raises(ProtocolError) as caught:
        codec.inflate(bomb, True, 1 << 20)
    assert caught.value.code == 1009
    session = Session(1 << 20, codec=permessage_deflate.Codec(15, 12, 6, 5, 64))
    mask = b"\x01\x02\x03\x04"
    masked = bytes(byte ^ mask[i & 3] for i, byte in enumerate(bomb))
    session.receive_data(bytes((0xC2, 0xFF)) + len(bomb).to_bytes(8, "big") + mask + masked)
    assert session.next_message() is None and session.close_code == 1009
