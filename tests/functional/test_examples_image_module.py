"""The image pipeline's modules, run directly with wasmtime.

Every PNG here is made in the test (Pillow, or a small encoder below that picks
each row's filter), run through the committed modules, and compared pixel by
pixel with the grayscale-and-invert computed here: ITU-R BT.601 integer luma
Y = (299 R + 587 G + 114 B + 500) // 1000, output 255 - Y, alpha kept.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path

import example_modules
import pytest
import wasmtime
from example_modules import run_exports
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from png_samples import inverted_luma

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "image-pipeline"
WASI_MODULE = EXAMPLE / "grayscale-invert.wasm"
EXPORTS_MODULE = EXAMPLE / "grayscale-invert-exports.wasm"


# ---------------------------------------------------------------- running modules


def run_wasi(module_path: Path, stdin: bytes, tmp_path: Path) -> tuple[int, bytes, bytes]:
    """Runs a WASI command; returns (exit code, stdout, stderr)."""
    return example_modules.run_wasi(module_path, stdin, tmp_path, argv0="processImage")


# ---------------------------------------------------------------- making PNGs


def pillow_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def random_image(mode: str, size: tuple[int, int], seed: int) -> Image.Image:
    rng = random.Random(seed)
    width, height = size
    if mode == "P":
        image = Image.frombytes("P", size, rng.randbytes(width * height))
        image.putpalette(list(rng.randbytes(768)))
        return image
    if mode == "1":
        return Image.frombytes("L", size, rng.randbytes(width * height)).convert("1")
    return Image.frombytes(mode, size, rng.randbytes(width * height * len(mode)))


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_row(kind: int, row: bytes, previous: bytes, stride: int) -> bytes:
    out = bytearray()
    for i, x in enumerate(row):
        a = row[i - stride] if i >= stride else 0
        b = previous[i]
        c = previous[i - stride] if i >= stride else 0
        predicted = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out.append((x - predicted) & 0xFF)
    return bytes(out)


def handmade_png(
    width: int,
    height: int,
    color_type: int,
    depth: int,
    rows: list[bytes],
    *,
    filters: list[int] | None = None,
    palette: bytes | None = None,
    trns: bytes | None = None,
    interlace: int = 0,
) -> bytes:
    """A PNG whose rows use the given filter types (cycling 0..4 by default)."""
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    stride = max(1, channels * depth // 8)
    raw = bytearray()
    previous = bytes(len(rows[0]))
    for y, row in enumerate(rows):
        kind = filters[y] if filters else y % 5
        raw.append(kind)
        raw += filter_row(kind, row, previous, stride)
        previous = row
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, interlace)
    body = chunk(b"IHDR", ihdr)
    if palette is not None:
        body += chunk(b"PLTE", palette)
    if trns is not None:
        body += chunk(b"tRNS", trns)
    compressed = zlib.compress(bytes(raw))
    # Split the image data over several IDAT chunks, as encoders may.
    for start in range(0, len(compressed), 97):
        body += chunk(b"IDAT", compressed[start : start + 97])
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")


# ---------------------------------------------------------------- checking outputs


def expected_from_rgba(rgba: Image.Image) -> tuple[list[int], list[int]]:
    pixels = list(rgba.convert("RGBA").tobytes())
    quads = [pixels[i : i + 4] for i in range(0, len(pixels), 4)]
    return [inverted_luma(r, g, b) for r, g, b, _ in quads], [a for *_, a in quads]


def decoded_output(png: bytes) -> tuple[str, list[int], list[int] | None]:
    image = Image.open(io.BytesIO(png))
    image.load()
    data = image.tobytes()
    if image.mode == "L":
        return image.mode, list(data), None
    assert image.mode == "LA", f"unexpected output mode {image.mode}"
    return image.mode, list(data[0::2]), list(data[1::2])


def assert_transformed(output: bytes, source: Image.Image, *, alpha: bool) -> None:
    out_image = Image.open(io.BytesIO(output))
    assert out_image.size == source.size
    mode, gray, out_alpha = decoded_output(output)
    expected_gray, expected_alpha = expected_from_rgba(source)
    assert mode == ("LA" if alpha else "L")
    assert gray == expected_gray
    if alpha:
        assert out_alpha == expected_alpha


COLOUR_TYPES = {
    "L": False,
    "LA": True,
    "RGB": False,
    "RGBA": True,
    "P": False,
    "1": False,
}
SIZES = [(1, 1), (3, 2), (7, 5), (33, 17), (64, 64), (129, 3)]


@pytest.mark.parametrize("mode", list(COLOUR_TYPES))
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_wasi_module_turns_every_colour_type_gray_and_inverted(
    mode: str, size: tuple[int, int], tmp_path: Path
) -> None:
    source = random_image(mode, size, seed=zlib.crc32(f"{mode}{size}".encode()))
    code, stdout, stderr = run_wasi(WASI_MODULE, pillow_png(source), tmp_path)
    assert code == 0, stderr.decode()
    assert_transformed(stdout, source, alpha=COLOUR_TYPES[mode])


@pytest.mark.parametrize("mode", ["L", "LA", "RGB", "RGBA", "P"])
def test_exports_module_gives_the_same_bytes_as_the_wasi_module(mode: str, tmp_path: Path) -> None:
    source = random_image(mode, (45, 23), seed=7)
    png = pillow_png(source)
    code, stdout, _ = run_wasi(WASI_MODULE, png, tmp_path)
    assert code == 0
    assert run_exports(EXPORTS_MODULE, png) == stdout
    assert_transformed(stdout, source, alpha=COLOUR_TYPES[mode])


@pytest.mark.parametrize("filter_type", [0, 1, 2, 3, 4])
def test_every_filter_type_is_undone(filter_type: int, tmp_path: Path) -> None:
    rng = random.Random(filter_type)
    width, height = 11, 6
    rows = [rng.randbytes(width * 3) for _ in range(height)]
    png = handmade_png(width, height, 2, 8, rows, filters=[filter_type] * height)
    source = Image.frombytes("RGB", (width, height), b"".join(rows))
    code, stdout, stderr = run_wasi(WASI_MODULE, png, tmp_path)
    assert code == 0, stderr.decode()
    assert_transformed(stdout, source, alpha=False)


def test_mixed_filters_on_rgba_rows(tmp_path: Path) -> None:
    rng = random.Random(3)
    width, height = 9, 10
    rows = [rng.randbytes(width * 4) for _ in range(height)]
    png = handmade_png(width, height, 6, 8, rows)
    source = Image.frombytes("RGBA", (width, height), b"".join(rows))
    code, stdout, _ = run_wasi(WASI_MODULE, png, tmp_path)
    assert code == 0
    assert_transformed(stdout, source, alpha=True)


def test_palette_transparency_becomes_an_alpha_channel(tmp_path: Path) -> None:
    rng = random.Random(11)
    width, height = 13, 4
    palette = rng.randbytes(16 * 3)
    trns = bytes([0, 64, 128, 200])  # entries 4..15 stay opaque
    indexes = [rng.randrange(16) for _ in range(width * height)]
    rows = [bytes(indexes[y * width : (y + 1) * width]) for y in range(height)]
    png = handmade_png(width, height, 3, 8, rows, palette=palette, trns=trns)
    code, stdout, _ = run_wasi(WASI_MODULE, png, tmp_path)
    assert code == 0
    mode, gray, alpha = decoded_output(stdout)
    assert mode == "LA"
    colours = [palette[3 * i : 3 * i + 3] for i in indexes]
    assert gray == [inverted_luma(*c) for c in colours]
    assert alpha == [trns[i] if i < len(trns) else 255 for i in indexes]


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_low_bit_depth_palettes_are_unpacked(depth: int, tmp_path: Path) -> None:
    rng = random.Random(depth)
    width, height = 13, 3  # odd width: the last byte of each row is partly padding
    entries = 1 << depth
    palette = rng.randbytes(entries * 3)
    indexes = [rng.randrange(entries) for _ in range(width * height)]
    rows = []
    for y in range(height):
        bits = "".join(format(i, f"0{depth}b") for i in indexes[y * width : (y + 1) * width])
        bits += "0" * (-len(bits) % 8)
        rows.append(int(bits, 2).to_bytes(len(bits) // 8, "big"))
    png = handmade_png(width, height, 3, depth, rows, palette=palette)
    code, stdout, _ = run_wasi(WASI_MODULE, png, tmp_path)
    assert code == 0
    _, gray, _ = decoded_output(stdout)
    assert gray == [inverted_luma(*palette[3 * i : 3 * i + 3]) for i in indexes]


def test_sixteen_bit_rgba_keeps_the_high_byte(tmp_path: Path) -> None:
    rng = random.Random(16)
    width, height = 5, 4
    samples = [[rng.randrange(65536) for _ in range(width * 4)] for _ in range(height)]
    rows = [struct.pack(f">{width * 4}H", *row) for row in samples]
    png = handmade_png(width, height, 6, 16, rows)
    code, stdout, _ = run_wasi(WASI_MODULE, png, tmp_path)
    assert code == 0
    mode, gray, alpha = decoded_output(stdout)
    assert mode == "LA"
    flat = [v >> 8 for row in samples for v in row]
    quads = [flat[i : i + 4] for i in range(0, len(flat), 4)]
    assert gray == [inverted_luma(r, g, b) for r, g, b, _ in quads]
    assert alpha == [a for *_, a in quads]


def test_sixteen_bit_gray_keeps_the_high_byte(tmp_path: Path) -> None:
    values = [0, 255, 256, 32767, 32768, 65535, 4660]
    rows = [struct.pack(f">{len(values)}H", *values)]
    png = handmade_png(len(values), 1, 0, 16, rows)
    code, stdout, _ = run_wasi(WASI_MODULE, png, tmp_path)
    assert code == 0
    assert decoded_output(stdout)[1] == [255 - (v >> 8) for v in values]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "not a PNG"),
        (b"GIF89a\x01\x00\x01\x00", "not a PNG"),
        (b'{"Records": []}', "not a PNG"),
        (b"\x89PNG\r\n\x1a\n", "truncated"),
    ],
    ids=["empty", "gif", "json", "signature-only"],
)
def test_non_png_input_is_a_clear_error_with_a_nonzero_exit(
    payload: bytes, message: str, tmp_path: Path
) -> None:
    code, stdout, stderr = run_wasi(WASI_MODULE, payload, tmp_path)
    assert code == 1
    assert stdout == b""
    assert stderr.startswith(b"error: ")
    assert message in stderr.decode()


def test_corrupt_chunk_crc_is_reported(tmp_path: Path) -> None:
    png = bytearray(pillow_png(random_image("RGB", (4, 4), seed=1)))
    png[20] ^= 0xFF  # inside IHDR's data
    code, _, stderr = run_wasi(WASI_MODULE, bytes(png), tmp_path)
    assert code == 1
    assert b"CRC" in stderr


def test_interlaced_png_is_refused_with_a_hint(tmp_path: Path) -> None:
    rows = [bytes(3)] * 2
    png = handmade_png(3, 2, 0, 8, rows, interlace=1)
    code, _, stderr = run_wasi(WASI_MODULE, png, tmp_path)
    assert code == 1
    assert b"interlaced" in stderr


def test_exports_module_traps_on_a_non_png() -> None:
    with pytest.raises(wasmtime.Trap):
        run_exports(EXPORTS_MODULE, b"not a png at all")


def test_committed_sample_png_is_transformed(tmp_path: Path) -> None:
    source = Image.open(EXAMPLE / "sample.png")
    code, stdout, _ = run_wasi(WASI_MODULE, (EXAMPLE / "sample.png").read_bytes(), tmp_path)
    assert code == 0
    assert_transformed(stdout, source, alpha=True)


# ---------------------------------------------------------------- properties

MODES = ["L", "LA", "RGB", "RGBA", "P", "1"]
# tmp_path is shared by a test's examples: each run overwrites its stdin/stdout files.
SHARED_TMP = [HealthCheck.function_scoped_fixture]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    mode=st.sampled_from(MODES),
    width=st.integers(1, 90),
    height=st.integers(1, 40),
    seed=st.integers(0, 2**32 - 1),
)
def test_any_image_comes_out_gray_and_inverted(
    mode: str, width: int, height: int, seed: int, tmp_path: Path
) -> None:
    source = random_image(mode, (width, height), seed)
    code, stdout, stderr = run_wasi(WASI_MODULE, pillow_png(source), tmp_path)
    assert code == 0, stderr.decode()
    assert_transformed(stdout, source, alpha=COLOUR_TYPES[mode])


def recrc(png: bytes) -> bytes:
    """The same chunks with their CRCs recomputed, so a corruption reaches the decoder."""
    out, pos = bytearray(png[:8]), 8
    while pos + 12 <= len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        if pos + 12 + length > len(png):
            out += png[pos:]
            break
        out += chunk(png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length])
        pos += 12 + length
    return bytes(out)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    mode=st.sampled_from(MODES[:5]),
    seed=st.integers(0, 2**32 - 1),
    edits=st.lists(st.tuples(st.integers(8, 10_000), st.integers(0, 255)), min_size=1, max_size=4),
    cut=st.none() | st.integers(8, 10_000),
)
def test_corrupt_pngs_give_an_error_message_never_a_trap(
    mode: str, seed: int, edits: list[tuple[int, int]], cut: int | None, tmp_path: Path
) -> None:
    png = bytearray(pillow_png(random_image(mode, (13, 7), seed)))
    for offset, value in edits:
        png[offset % len(png)] = value
    damaged = recrc(bytes(png))
    if cut is not None:
        damaged = damaged[: cut % len(damaged)]
    code, stdout, stderr = run_wasi(WASI_MODULE, damaged, tmp_path)  # a trap would raise here
    if code == 0:
        Image.open(io.BytesIO(stdout)).load()  # whatever came out is a whole PNG
    else:
        assert code == 1
        assert stderr.startswith(b"error: ")
