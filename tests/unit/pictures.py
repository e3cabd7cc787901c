"""Reading back the pictures the charts send: PNG files written by ``nnreg.charts.png``."""

import base64
import struct
import zlib

import numpy as np


# PNG's colour types: 2 is RGB, 6 RGB with alpha.
CHANNELS = {2: 3, 6: 4}


def decode_png(content: bytes) -> np.ndarray:
    """A PNG written by charts.png back to its (height, width, 3) array (4 with alpha), by the PNG
    specification."""
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    while at < len(content):
        (length,), kind = struct.unpack(">I", content[at: at + 4]), content[at + 4: at + 8]
        body = content[at + 8: at + 8 + length]
        assert struct.unpack(">I", content[at + 8 + length: at + 12 + length])[0] == zlib.crc32(kind + body)
        chunks[kind] = body
        at += 12 + length
    width, height, depth, color_type = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert depth == 8 and color_type in CHANNELS
    channels = CHANNELS[color_type]
    rows = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(height, 1 + channels * width)
    assert (rows[:, 0] == 2).all()
    # Undo the "Up" filter: each row adds the row above, modulo 256.
    return np.cumsum(rows[:, 1:], axis=0, dtype=np.uint8).reshape(height, width, channels)


def decode_data_url(url: str) -> np.ndarray:
    """A ``charts.png_url`` data URL back to its (height, width, 3 or 4) array."""
    prefix = "data:image/png;base64,"
    assert url.startswith(prefix)
    return decode_png(base64.b64decode(url[len(prefix):]))
