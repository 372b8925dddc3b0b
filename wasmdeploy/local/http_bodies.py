"""Reading a request body as http.server leaves it: by Content-Length, or chunked."""

from __future__ import annotations

from collections.abc import Callable
from io import BufferedIOBase

HeaderLookup = Callable[[str], str | None]


class BodyTooLarge(Exception):
    pass


def read_body(rfile: BufferedIOBase, header: HeaderLookup, limit: int | None = None) -> bytes:
    """The body, whole; BodyTooLarge past `limit` bytes (a chunked body is read up to it)."""
    if (header("Transfer-Encoding") or "").lower() == "chunked":
        return _read_chunked(rfile, limit)
    length = int(header("Content-Length") or 0)
    if limit is not None and length > limit:
        raise BodyTooLarge(length)
    return rfile.read(length) if length else b""


def _read_chunked(rfile: BufferedIOBase, limit: int | None) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        size = int(rfile.readline().split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        total += size
        if limit is not None and total > limit:
            raise BodyTooLarge(total)
        chunks.append(rfile.read(size))
        rfile.readline()
