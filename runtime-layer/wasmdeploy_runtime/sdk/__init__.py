"""Guest SDKs for the `wasmdeploy_kv` imports: a C header and a Zig module.

`python3 -m wasmdeploy_runtime.sdk zig` prints the Zig module's path and
`python3 -m wasmdeploy_runtime.sdk c` the header's directory (for `-I`), so a
build command can name them wherever the runtime is installed:

    zig build-exe --dep wasmdeploy_kv -Mroot=src/main.zig \\
        -Mwasmdeploy_kv=$(python3 -m wasmdeploy_runtime.sdk zig) ...
    clang --target=wasm32-wasi -I$(python3 -m wasmdeploy_runtime.sdk c) ...
"""

from __future__ import annotations

from pathlib import Path

SDK_DIR = Path(__file__).resolve().parent
C_HEADER = SDK_DIR / "wasmdeploy_kv.h"
ZIG_MODULE = SDK_DIR / "wasmdeploy_kv.zig"
