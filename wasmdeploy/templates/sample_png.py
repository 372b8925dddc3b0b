"""A small colour PNG for the s3-image template to try (`invoke --object sample.png`).

Written with zlib and struct only: an RGBA gradient with a translucent border,
so the first run shows both the gray conversion and the kept alpha channel.
"""

from __future__ import annotations

import math
import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def sample_png(width: int = 96, height: int = 64) -> bytes:
    """The PNG bytes of a width x height RGBA gradient."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            red = 255 * x // (width - 1)
            green = 255 * y // (height - 1)
            blue = int(127 + 127 * math.sin(x / 7 + y / 5))
            border = min(x, y, width - 1 - x, height - 1 - y) < 6
            rows += bytes((red, green, blue, 96 if border else 255))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )
