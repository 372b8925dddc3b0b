"""Ahead-of-time compilation of modules into `.cwasm` files the runtime loads.

wasmtime-py cannot cross-compile (an engine for another target aborts the
process), so a `.cwasm` is only made when the build machine runs Linux on the
function's architecture; otherwise the runtime compiles the `.wasm` at init.
The runtime's engine module configures the engine, so the artifact matches the
engine that will load it. Results are cached by content hash.
"""

from __future__ import annotations

import hashlib
import os
import platform
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from wasmdeploy.manifest.model import Sandbox

_MACHINE_ARCHITECTURES = {
    "x86_64": "x86_64",
    "amd64": "x86_64",
    "aarch64": "arm64",
    "arm64": "arm64",
}


def host_architecture() -> str | None:
    """The Lambda architecture name of this machine, None when Lambda has no such one."""
    return _MACHINE_ARCHITECTURES.get(platform.machine().lower())


def can_precompile_for(architecture: str) -> bool:
    return sys.platform.startswith("linux") and host_architecture() == architecture


def cache_root() -> Path:
    """`$WASMDEPLOY_CACHE_DIR`, else `$XDG_CACHE_HOME/wasmdeploy`, else ~/.cache/wasmdeploy."""
    explicit = os.environ.get("WASMDEPLOY_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "wasmdeploy"


CompileFunction = Callable[..., bytes]  # (wasm: bytes, *, fuel: bool) -> .cwasm bytes


def _engine_module() -> ModuleType:
    # Imported when needed: it imports wasmtime, which commands like `validate` avoid.
    from wasmdeploy_runtime import engine

    return engine


def _engine_fingerprint() -> bytes:
    """What decides whether an old `.cwasm` still loads: wasmtime's version and the
    engine module's source (its settings), plus the platform."""
    import wasmtime

    engine = _engine_module()
    source = Path(engine.__file__).read_bytes() if engine.__file__ else b""
    version = getattr(wasmtime, "__version__", "")
    return f"{version}|{sys.platform}|{platform.machine()}|".encode() + source


class Precompiler:
    """Compiles modules with the runtime's engine settings, caching `.cwasm` bytes on disk."""

    def __init__(
        self, cache_dir: Path | None = None, compiler: CompileFunction | None = None
    ) -> None:
        """`compiler` replaces the runtime engine's `precompile` (tests use plain wasmtime)."""
        self.cache_dir = cache_dir if cache_dir is not None else cache_root() / "cwasm"
        self._compile: CompileFunction = compiler or _engine_module().precompile
        self._fingerprint: bytes | None = None

    def precompile(self, wasm: bytes, sandbox: Sandbox, architecture: str) -> bytes | None:
        """The `.cwasm` bytes, or None when this machine cannot make them for `architecture`."""
        if not can_precompile_for(architecture):
            return None
        # Fuel metering changes the compiled code; the stack limit does not.
        fuel = sandbox.fuel is not None
        path = self.cache_dir / f"{self._cache_key(wasm, fuel)}.cwasm"
        if path.is_file():
            return path.read_bytes()
        compiled = bytes(self._compile(wasm, fuel=fuel))
        self._store(path, compiled)
        return compiled

    def _cache_key(self, wasm: bytes, fuel: bool) -> str:
        if self._fingerprint is None:
            self._fingerprint = _engine_fingerprint()
        digest = hashlib.sha256(self._fingerprint)
        digest.update(b"fuel" if fuel else b"nofuel")
        digest.update(wasm)
        return digest.hexdigest()

    @staticmethod
    def _store(path: Path, data: bytes) -> None:
        # Write then rename, so a concurrent build never reads half a file.
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.partial")
            partial.write_bytes(data)
            partial.replace(path)
        except OSError:
            pass  # an unwritable cache only costs a recompile next time
