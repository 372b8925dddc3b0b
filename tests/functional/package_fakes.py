"""Stand-ins for the layer's downloads, made on the spot so tests never use the network.

- `write_wheels`: small wasmtime wheels for both architectures, where the cache
  keeps downloaded wheels (or the real wasmtime installed here, for x86_64).
- `write_boto3_wheels`: boto3 and its dependencies where the cache keeps them for
  the custom-runtime layer: small stand-ins, or (`source`) wheels made by
  `zip_installed_boto3` from the boto3 installed here.
- `write_python_dist`: a tarball laid out like python-build-standalone's
  install_only whose `python3` launches this interpreter, so the layer's pycs
  are compiled for this interpreter's version.
"""

from __future__ import annotations

import io
import shutil
import sys
import tarfile
import zipfile
from importlib import metadata
from pathlib import Path

import wasmtime

from wasmdeploy.build.aws_sdk import pinned_versions
from wasmdeploy.build.wheels import wasmtime_version

TAG = f"cpython-{sys.version_info.major}{sys.version_info.minor}"
STDLIB = f"python{sys.version_info.major}.{sys.version_info.minor}"
WHEEL_MACHINES = {"x86_64": "x86_64", "arm64": "aarch64"}
BOTO3_DISTRIBUTIONS = (
    "boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3",
)  # fmt: skip


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


def boto3_cache_dir(cache: Path) -> Path:
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return cache / "wheels" / f"boto3-{pinned_versions()['boto3']}-py{python}"


def write_boto3_wheels(cache: Path, *, source: Path | None = None) -> Path:
    """Stand-in boto3 wheels for this interpreter's version, or copies of `source`'s."""
    directory = boto3_cache_dir(cache)
    directory.mkdir(parents=True, exist_ok=True)
    if source is not None:
        for made in sorted(source.glob("*.whl")):
            shutil.copyfile(made, directory / made.name)
        return directory
    version, botocore = pinned_versions()["boto3"], pinned_versions()["botocore"]
    with zipfile.ZipFile(directory / f"boto3-{version}-py3-none-any.whl", "w") as wheel:
        wheel.writestr("boto3/__init__.py", f"__version__ = {version!r}\n")
        wheel.writestr("boto3/data/s3/2006-03-01/resources-1.json", "{}")
        wheel.writestr("boto3/data/ec2/2016-11-15/resources-1.json", "{}")
        wheel.writestr(f"boto3-{version}.dist-info/RECORD", "x")
    with zipfile.ZipFile(directory / f"botocore-{botocore}-py3-none-any.whl", "w") as wheel:
        wheel.writestr("botocore/__init__.py", "")
        for name in ("endpoints.json", "partitions.json", "_retry.json"):
            wheel.writestr(f"botocore/data/{name}", "{}")
        for service in ("s3/2006-03-01", "sts/2011-06-15", "ec2/2016-11-15"):
            wheel.writestr(f"botocore/data/{service}/service-2.json.gz", b"gz")
    with zipfile.ZipFile(directory / "six-1.17.0-py2.py3-none-any.whl", "w") as wheel:
        wheel.writestr("six.py", "PY3 = True\n")
    with zipfile.ZipFile(directory / "jmespath-1.1.0-py3-none-any.whl", "w") as wheel:
        wheel.writestr("jmespath/__init__.py", "")
        wheel.writestr("jmespath-1.1.0.data/scripts/jp.py", "")
    return directory


def zip_installed_boto3(destination: Path) -> Path:
    """Wheel-shaped zips of the installed boto3 and its dependencies (stored, for speed)."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in BOTO3_DISTRIBUTIONS:
        distribution = metadata.distribution(name)
        normalized = distribution.metadata["Name"].replace("-", "_")
        path = destination / f"{normalized}-{distribution.version}-py3-none-any.whl"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as wheel:
            for file in sorted(distribution.files or [], key=str):
                if "__pycache__" in file.parts or file.suffix == ".pyc" or ".." in file.parts:
                    continue
                located = Path(str(distribution.locate_file(file)))
                if located.is_file():
                    wheel.write(located, file.as_posix())
    return destination


def add_file(archive: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), mode
    archive.addfile(info, io.BytesIO(data))


def write_python_dist(path: Path, *, no_site_packages: bool = False) -> Path:
    """`no_site_packages`: the launcher runs this interpreter with -S, so only what the
    layer carries (and the standard library) can be imported, as on Lambda."""
    flags = " -S" if no_site_packages else ""
    launcher = f'#!/bin/sh\nexec "{sys.executable}"{flags} "$@"\n'.encode()
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
