"""Pictures as the charts send them: an RGB(A) array as a PNG file, and as a data URL."""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np


def color_rgb(color: str) -> np.ndarray:
    """A colour "#rrggbb" as its three channels, 0 to 255."""
    return np.array([int(color[i: i + 2], 16) for i in (1, 3, 5)], dtype=float)


# PNG's colour types by channels: RGB, and RGB with an alpha channel.
PNG_COLOR_TYPES = {3: 2, 4: 6}


def png(rgb: np.ndarray) -> bytes:
    """A (height, width, 3) uint8 array as PNG file content: 8-bit RGB, no new dependency; with a
    fourth channel, RGBA (its alpha 0 transparent, 255 opaque).

    Every row uses PNG's "Up" filter (the difference from the row above, modulo 256), which
    turns a smooth field into runs of zeros that compress to a few kilobytes.
    """
    height, width, channels = rgb.shape
    rows = rgb.reshape(height, width * channels)
    up = np.diff(rows, axis=0, prepend=np.zeros((1, width * channels), np.uint8))
    scanlines = np.hstack([np.full((height, 1), 2, np.uint8), up]).tobytes()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, PNG_COLOR_TYPES[channels], 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(scanlines, 6))
            + chunk(b"IEND", b""))


def png_url(rgb: np.ndarray) -> str:
    """``png(rgb)`` as a data URL, the form Vega-Lite's image mark takes inline."""
    return "data:image/png;base64," + base64.b64encode(png(rgb)).decode("ascii")
