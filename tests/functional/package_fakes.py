"""Stand-ins for the layer's downloads, made on the spot so tests never use the network.

- `write_wheels`: small wasmtime wheels for both architectures, where the cache
  keeps downloaded wheels (or the real wasmtime installed here, for x86_64).
- `write_python_dist`: a tarball laid out like python-build-standalone's
  install_only whose `python3` launches this interpreter, so the layer's pycs
  are compiled for this interpreter's version.
"""

from __future__ import annotations

import io
import sys
import tarfile
import zipfile
from pathlib import Path

import wasmtime

from wasmdeploy.build.wheels import wasmtime_version

TAG = f"cpython-{sys.version_info.major}{sys.version_info.minor}"
STDLIB = f"python{sys.version_info.major}.{sys.version_info.minor}"
WHEEL_MACHINES = {"x86_64": "x86_64", "arm64": "aarch64"}


def wheel_name(machine: str) -> str:
    return f"wasmtime-{wasmtime_version()}-py3-none-manylinux2014_{machine}.whl"


def write_wheels(cache: Path, *, real_x86_64: bool = False) -> None:
    (cache / "wheels").mkdir(parents=True, exist_ok=True)
    for architecture, machine in WHEEL_MACHINES.items():
        with zipfile.ZipFile(cache / "wheels" / wheel_name(machine), "w") as wheel:
            if real_x86_64 and machine == "x86_64":
                package = Path(wasmtime.__file__).parent
                for path in sorted(package.rglob("*")):
                    if path.is_file() and "__pycache__" not in path.parts:
                        wheel.write(path, f"wasmtime/{path.relative_to(package).as_posix()}")
                continue
            wheel.writestr("wasmtime/__init__.py", f"ARCH = {architecture!r}\n")
            wheel.writestr(f"wasmtime/linux-{machine}/_libwasmtime.so", b"\x7fELF fake")
            wheel.writestr(f"wasmtime-{wasmtime_version()}.dist-info/RECORD", "x")


def add_file(archive: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), mode
    archive.addfile(info, io.BytesIO(data))


def write_python_dist(path: Path) -> Path:
    launcher = f'#!/bin/sh\nexec "{sys.executable}" "$@"\n'.encode()
    with tarfile.open(path, "w:gz") as archive:
        add_file(archive, f"python/bin/{STDLIB}", launcher, 0o755)
        link = tarfile.TarInfo("python/bin/python3")
        link.type, link.linkname = tarfile.SYMTYPE, STDLIB
        archive.addfile(link)
        add_file(archive, "python/bin/pip3", b"#!/bin/sh\n", 0o755)
        add_file(archive, f"python/lib/{STDLIB}/os.py", b"SEP = '/'\n")
        add_file(archive, f"python/lib/{STDLIB}/json/__init__.py", b"def dumps(o): return ''\n")
        add_file(archive, f"python/lib/{STDLIB}/test/test_os.py", b"")
        add_file(archive, f"python/lib/{STDLIB}/site-packages/pip/__init__.py", b"")
        add_file(archive, "python/include/Python.h", b"")
    return path
