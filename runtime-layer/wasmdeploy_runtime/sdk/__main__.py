"""`python3 -m wasmdeploy_runtime.sdk zig|c`: where the guest SDK files are."""

from __future__ import annotations

import sys

from wasmdeploy_runtime.sdk import SDK_DIR, ZIG_MODULE

PATHS = {"zig": ZIG_MODULE, "c": SDK_DIR}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in PATHS:
        sys.stderr.write("usage: python3 -m wasmdeploy_runtime.sdk zig|c\n")
        return 2
    sys.stdout.write(f"{PATHS[argv[0]]}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
