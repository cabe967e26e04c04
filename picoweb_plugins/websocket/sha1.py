"""SHA-1 (RFC 3174) in plain Python, for the one hash a WebSocket
handshake needs where hashlib has no sha1 (MicroPython's WebAssembly port
has only sha256). It is slow and used on 60 bytes per handshake only."""

_MASK = 0xFFFFFFFF


def _rotate(value, bits):
    return ((value << bits) | (value >> (32 - bits))) & _MASK


def digest(data):
    """The 20-byte SHA-1 digest of `data`."""
    length = len(data)
    # Pad to a whole number of 64-byte blocks: 0x80, zeros, the bit length.
    message = bytes(data) + b"\x80" + bytes((55 - length) % 64) + (length * 8).to_bytes(8, "big")
    h0, h1, h2, h3, h4 = 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0
    words = [0] * 80
    for block in range(0, len(message), 64):
        for i in range(16):
            start = block + 4 * i
            words[i] = int.from_bytes(message[start:start + 4], "big")
        for i in range(16, 80):
            words[i] = _rotate(words[i - 3] ^ words[i - 8] ^ words[i - 14] ^ words[i - 16], 1)
        a, b, c, d, e = h0, h1, h2, h3, h4
        for i in range(80):
            if i < 20:
                f = d ^ (b & (c ^ d))
                k = 0x5A827999
            elif i < 40:
                f = b ^ c ^ d
                k = 0x6ED9EBA1
            elif i < 60:
                f = (b & c) | (d & (b | c))
                k = 0x8F1BBCDC
            else:
                f = b ^ c ^ d
                k = 0xCA62C1D6
            a, b, c, d, e = (_rotate(a, 5) + f + e + k + words[i]) & _MASK, a, _rotate(b, 30), c, d
        h0 = (h0 + a) & _MASK
        h1 = (h1 + b) & _MASK
        h2 = (h2 + c) & _MASK
        h3 = (h3 + d) & _MASK
        h4 = (h4 + e) & _MASK
    return b"".join(h.to_bytes(4, "big") for h in (h0, h1, h2, h3, h4))
