"""Peak RSS of the runtime serving the image function, beside a bare wasmtime interpreter.

A `runtime-layer/bootstrap` process serves `examples/image-pipeline`'s WASI
image function (PNG in, grayscale-inverted PNG out) through a Runtime API on
loopback, for a run of large PNGs given as the event payload; then its peak
resident set (VmHWM in /proc) is read. The same is done for the exports-ABI
build of the function, and, when moto is installed, for the function with
`input: object` / `output:` against a local S3 (boto3 loaded). The baseline,
measured in the same run, is a fresh interpreter that imported wasmtime.
Goal: <= 40 MB.

    python benchmarks/bench_runtime_memory.py [--invocations 20] [--size 1024x768]
"""

from __future__ import annotations

import argparse
import compileall
import io
import json
import logging
import random
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "runtime-layer"))

from wasmdeploy_runtime.engine import precompile  # noqa: E402

from tests.functional.runtime_api_server import RuntimeApiServer  # noqa: E402
from tests.functional.runtime_modules import write_task_root  # noqa: E402
from tests.functional.runtime_process import BootstrapProcess  # noqa: E402

IMAGE_DIR = REPO_ROOT / "examples" / "image-pipeline"
WASI_MODULE = IMAGE_DIR / "grayscale-invert.wasm"
EXPORTS_MODULE = IMAGE_DIR / "grayscale-invert-exports.wasm"
MB = 1024 * 1024


def peak_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc status")


def baseline_rss() -> int:
    script = (
        "import wasmtime\n"
        "for line in open('/proc/self/status'):\n"
        "    if line.startswith('VmHWM:'): print(int(line.split()[1]) * 1024)\n"
    )
    return int(
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        ).stdout
    )


def sample_png(width: int, height: int) -> bytes:
    from PIL import Image  # a dev dependency: only the benchmark process draws the image

    # A gradient with photographic noise in its low bits, so the PNG does not shrink to
    # nothing the way a flat drawing would.
    noise = random.Random(7).randbytes(width * height * 3)
    raw = bytearray(width * height * 3)
    for y in range(height):
        row = y * width * 3
        for x in range(width):
            at = row + 3 * x
            base = (x * 255 // width, y * 255 // height, (x ^ y) & 255)
            for channel in range(3):
                raw[at + channel] = (base[channel] & 0xF0) | (noise[at + channel] & 0x0F)
    image = Image.frombytes("RGB", (width, height), bytes(raw))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def serve_and_measure(
    root: Path,
    logs: Path,
    payloads: list[bytes],
    *,
    handler: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> int:
    api = RuntimeApiServer()
    process = BootstrapProcess(api.address, root, logs, handler=handler, extra_env=extra_env)
    try:
        for payload in payloads:
            answer = api.invoke(payload, timeout=60)
            if answer.error is not None:
                raise RuntimeError(answer.error.decode())
        return peak_rss(process.process.pid)
    finally:
        process.stop()
        api.close()


def task_root(base: Path, name: str, module: Path, config: dict[str, object]) -> Path:
    root = write_task_root(base / name, module.read_bytes(), module=module.name, config=config)
    (root / module.with_suffix(".cwasm").name).write_bytes(
        precompile(module.read_bytes(), fuel=False)
    )
    return root


def object_mode_rss(base: Path, image: bytes, invocations: int) -> int | None:
    try:
        import boto3
        from moto.server import ThreadedMotoServer
    except ImportError:
        return None
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        s3.create_bucket(Bucket="images")
        s3.put_object(Bucket="images", Key="uploads/photo.png", Body=image)
        config = {
            "sandbox": {"memoryLimit": "256MB"},
            "input": "object",
            "output": {"bucket": "images", "key": "processed/{stem}.png"},
        }
        root = task_root(base, "object", WASI_MODULE, config)
        record = {"s3": {"bucket": {"name": "images"}, "object": {"key": "uploads/photo.png"}}}
        event = json.dumps({"Records": [record]}).encode()
        env = {
            "AWS_ENDPOINT_URL_S3": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        return serve_and_measure(root, base / "object-logs", [event] * invocations, extra_env=env)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invocations", type=int, default=20)
    parser.add_argument("--size", default="1024x768")
    args = parser.parse_args()
    if not WASI_MODULE.is_file():
        raise SystemExit(f"{WASI_MODULE} is missing: build examples/image-pipeline first")
    compileall.compile_dir(str(REPO_ROOT / "runtime-layer" / "wasmdeploy_runtime"), quiet=1)
    width, height = (int(part) for part in args.size.split("x"))
    image = sample_png(width, height)
    payloads = [image] * args.invocations
    figures: dict[str, int | None] = {}
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        base = Path(tmp)
        config = {"sandbox": {"memoryLimit": "256MB"}}
        root = task_root(base, "wasi", WASI_MODULE, config)
        figures["image function, wasi ABI, PNG as the event"] = serve_and_measure(
            root, base / "wasi-logs", payloads
        )
        if EXPORTS_MODULE.is_file():
            exports_config = {"sandbox": {"memoryLimit": "256MB", "allowedImports": []}}
            root = task_root(base, "exports", EXPORTS_MODULE, exports_config)
            figures["image function, exports ABI, PNG as the event"] = serve_and_measure(
                root, base / "exports-logs", payloads, handler=f"{EXPORTS_MODULE.name}#handle"
            )
        figures["image function, input: object via S3 (boto3 loaded)"] = object_mode_rss(
            base, image, args.invocations
        )
    baseline = baseline_rss()
    print(
        f"peak RSS (VmHWM), {args.invocations} invocations on a {width}x{height} PNG "
        f"({len(image) // 1024} KB); goal <= 40 MB"
    )
    label = 'baseline: python -c "import wasmtime"'
    print(f"{label:56s} {baseline / MB:6.1f} MB")
    for name, value in figures.items():
        if value is None:
            print(f"{name:56s}   (moto not installed)")
        else:
            print(f"{name:56s} {value / MB:6.1f} MB   x{value / baseline:.2f}")


if __name__ == "__main__":
    main()
