"""The image pipeline's transform outside WebAssembly, for `bench_image.py`: the input
image it is measured on, the same algorithm in pure Python, and Pillow's version.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageChops, ImageOps

# ---------------------------------------------------------------- the input


def photo_like_png(size: int) -> bytes:
    """A size x size RGBA PNG with gradients, texture and a soft alpha: compresses like a photo."""
    red = Image.linear_gradient("L").resize((size, size))
    green = Image.radial_gradient("L").resize((size, size))
    blue = Image.effect_noise((size, size), 40).point(lambda v: (v + 64) % 256)
    alpha = ImageChops.invert(Image.radial_gradient("L").resize((size, size)))
    image = Image.merge("RGBA", (red, green, ImageChops.add(blue, red, scale=2), alpha))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


# ---------------------------------------------------------------- pure Python


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def python_transform(png: bytes) -> bytes:
    """The module's algorithm in Python: 8-bit RGBA in, gray+alpha out, adaptive filters."""
    pos, idat, header = 8, bytearray(), b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = data
        elif kind == b"IDAT":
            idat += data
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    if (depth, colour) != (8, 6):
        raise ValueError("this Python version takes 8-bit RGBA only")
    raw = zlib.decompress(bytes(idat))
    stride, row_len = 4, width * 4
    previous = bytearray(row_len)
    out_rows = []
    for y in range(height):
        start = y * (row_len + 1)
        kind, row = raw[start], bytearray(raw[start + 1 : start + 1 + row_len])
        for i in range(row_len):
            a = row[i - stride] if i >= stride else 0
            b = previous[i]
            c = previous[i - stride] if i >= stride else 0
            predicted = (0, a, b, (a + b) >> 1, _paeth(a, b, c) if kind == 4 else 0)[kind]
            row[i] = (row[i] + predicted) & 0xFF
        gray_alpha = bytearray(width * 2)
        for x in range(width):
            r, g, b_, alpha = row[4 * x : 4 * x + 4]
            gray_alpha[2 * x] = 255 - (299 * r + 587 * g + 114 * b_ + 500) // 1000
            gray_alpha[2 * x + 1] = alpha
        out_rows.append(bytes(gray_alpha))
        previous = row
    return _python_encode(width, height, out_rows)


def _python_encode(width: int, height: int, rows: list[bytes]) -> bytes:
    stride, filtered = 2, bytearray()
    previous = bytes(width * 2)
    for row in rows:
        best: tuple[int, int, bytes] | None = None
        for kind in range(5):
            line = bytearray(len(row))
            cost = 0
            for i, x in enumerate(row):
                a = row[i - stride] if i >= stride else 0
                b = previous[i]
                c = previous[i - stride] if i >= stride else 0
                predicted = (0, a, b, (a + b) >> 1, _paeth(a, b, c) if kind == 4 else 0)[kind]
                v = (x - predicted) & 0xFF
                line[i] = v
                cost += v if v < 128 else 256 - v
            if best is None or cost < best[0]:
                best = (cost, kind, bytes(line))
        assert best is not None
        filtered.append(best[1])
        filtered += best[2]
        previous = row

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 4, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(bytes(filtered), 4))
        + chunk(b"IEND", b"")
    )


# ---------------------------------------------------------------- Pillow


def pillow_transform(png: bytes) -> bytes:
    image = Image.open(io.BytesIO(png))
    alpha = image.getchannel("A")
    gray = ImageOps.invert(image.convert("L"))  # Pillow's ITU-R 601-2 luma
    buffer = io.BytesIO()
    Image.merge("LA", (gray, alpha)).save(buffer, "PNG", compress_level=4)
    return buffer.getvalue()
