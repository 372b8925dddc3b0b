"""PNGs for the image tests, and the pixels the image module must make of them."""

from __future__ import annotations

import io
import random
import zlib

from PIL import Image


def inverted_luma(r: int, g: int, b: int) -> int:
    """ITU-R BT.601 integer luma, inverted: the transform the module applies."""
    return 255 - (299 * r + 587 * g + 114 * b + 500) // 1000


def random_png(mode: str, size: tuple[int, int], salt: str = "") -> tuple[bytes, Image.Image]:
    """A PNG of random pixels in `mode`, the same for the same arguments, and its image."""
    rng = random.Random(zlib.crc32(f"{salt}{mode}{size}".encode()))
    width, height = size
    if mode == "P":
        image = Image.frombytes("P", size, rng.randbytes(width * height))
        image.putpalette(list(rng.randbytes(768)))
    else:
        image = Image.frombytes(mode, size, rng.randbytes(width * height * len(mode)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue(), image
