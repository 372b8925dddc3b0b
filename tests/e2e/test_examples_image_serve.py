"""The image pipeline's whole local flow: `wasmdeploy serve` runs a local S3;
PNGs put under uploads/ trigger the function, which writes processed/<stem>.png.

PNGs of every colour type and several sizes (odd widths too) are made here and
compared pixel by pixel with BT.601 gray, inverted, computed here."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from PIL import Image
from png_samples import inverted_luma, random_png

from tests.ports import free_port
from tests.processes import stop

IMAGE_PIPELINE = Path(__file__).resolve().parents[2] / "examples" / "image-pipeline"
BUCKET = "image-pipeline-dev-images"
# Guards against a hung server, not performance checks: the test fails, never times.
STARTUP_LIMIT_S = 60
OUTPUT_LIMIT_S = 90
# The module-scoped server starts before conftest's per-test fake credentials.
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def expected_samples(source: Image.Image) -> tuple[str, bytes]:
    rgba = source.convert("RGBA").tobytes()
    gray = bytes(inverted_luma(*rgba[i : i + 3]) for i in range(0, len(rgba), 4))
    if source.mode in ("LA", "RGBA"):
        interleaved = bytearray(2 * len(gray))
        interleaved[0::2] = gray
        interleaved[1::2] = rgba[3::4]
        return "LA", bytes(interleaved)
    return "L", gray


CASES = {
    "gray-17x9": ("L", (17, 9)),
    "gray-alpha-5x31": ("LA", (5, 31)),
    "rgb-64x48": ("RGB", (64, 48)),
    "rgb-333x2": ("RGB", (333, 2)),
    "rgba-101x77": ("RGBA", (101, 77)),
    "rgba-1x1": ("RGBA", (1, 1)),
    "palette-33x33": ("P", (33, 33)),
}


@pytest.fixture(scope="module")
def local_s3(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[object, subprocess.Popen[bytes], Path]]:
    api_port, s3_port = free_port(), free_port()
    log_path = tmp_path_factory.mktemp("serve") / "serve.log"
    log = log_path.open("wb")
    ports = ["--port", str(api_port), "--s3-port", str(s3_port), "--fresh"]  # not the last run's
    server = subprocess.Popen(
        [sys.executable, "-m", "wasmdeploy", "serve", *ports],
        cwd=IMAGE_PIPELINE,
        env={**os.environ, **FAKE_AWS},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    s3 = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{s3_port}",
        region_name="us-east-1",
        aws_access_key_id=FAKE_AWS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_AWS["AWS_SECRET_ACCESS_KEY"],
        config=Config(retries={"max_attempts": 1}),
    )
    try:
        # serve says "Press Ctrl+C to stop." once its buckets and triggers are in place.
        deadline = time.monotonic() + STARTUP_LIMIT_S
        while "Press Ctrl+C" not in log_path.read_text(errors="replace"):
            if server.poll() is not None:
                pytest.fail(f"wasmdeploy serve exited: {log_path.read_text(errors='replace')}")
            if time.monotonic() > deadline:
                pytest.fail(f"wasmdeploy serve never got ready: {log_path.read_text()}")
            time.sleep(0.2)
        s3.head_bucket(Bucket=BUCKET)
        yield s3, server, log_path
    finally:
        stop(server, signal.SIGINT, group=True, grace=20)
        log.close()


def wait_for_object(s3: object, key: str, log_path: Path) -> bytes:
    deadline = time.monotonic() + OUTPUT_LIMIT_S
    while True:
        try:
            return bytes(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())  # type: ignore[attr-defined]
        except ClientError:
            if time.monotonic() > deadline:
                pytest.fail(f"{key} never appeared; serve's log:\n{log_path.read_text()}")
            time.sleep(0.2)


def test_uploaded_pngs_of_every_colour_type_come_back_gray_and_inverted(
    local_s3: tuple[object, subprocess.Popen[bytes], Path],
) -> None:
    s3, _, log_path = local_s3
    sources = {}
    for name, (mode, size) in CASES.items():
        png, sources[name] = random_png(mode, size, salt="serve")
        s3.put_object(Bucket=BUCKET, Key=f"uploads/{name}.png", Body=png)  # type: ignore[attr-defined]
    for name, source in sources.items():
        output = Image.open(io.BytesIO(wait_for_object(s3, f"processed/{name}.png", log_path)))
        output.load()
        mode, samples = expected_samples(source)
        assert (output.mode, output.size) == (mode, source.size), name
        assert output.tobytes() == samples, name


def test_objects_outside_the_trigger_rules_are_left_alone(
    local_s3: tuple[object, subprocess.Popen[bytes], Path],
) -> None:
    s3, _, log_path = local_s3
    png, _ = random_png("RGB", (4, 4), salt="serve")
    s3.put_object(Bucket=BUCKET, Key="elsewhere/skip.png", Body=png)  # type: ignore[attr-defined]
    s3.put_object(Bucket=BUCKET, Key="uploads/skip.jpg", Body=png)  # type: ignore[attr-defined]
    # A marker upload that does match: once its output exists, the two above were seen too.
    s3.put_object(Bucket=BUCKET, Key="uploads/marker.png", Body=png)  # type: ignore[attr-defined]
    wait_for_object(s3, "processed/marker.png", log_path)
    listing = s3.list_objects_v2(Bucket=BUCKET, Prefix="processed/")  # type: ignore[attr-defined]
    keys = {item["Key"] for item in listing.get("Contents", [])}
    assert "processed/skip.png" not in keys


def test_a_non_png_upload_is_a_logged_function_error_and_the_server_lives_on(
    local_s3: tuple[object, subprocess.Popen[bytes], Path],
) -> None:
    s3, server, log_path = local_s3
    s3.put_object(Bucket=BUCKET, Key="uploads/not-really.png", Body=b"plain text")  # type: ignore[attr-defined]
    png, source = random_png("RGBA", (9, 3), salt="serve")
    s3.put_object(Bucket=BUCKET, Key="uploads/after-error.png", Body=png)  # type: ignore[attr-defined]
    output = Image.open(io.BytesIO(wait_for_object(s3, "processed/after-error.png", log_path)))
    assert output.tobytes() == expected_samples(source)[1]
    assert server.poll() is None
    log = log_path.read_text(errors="replace")
    assert "input is not a PNG file" in log
    listing = s3.list_objects_v2(Bucket=BUCKET, Prefix="processed/not-really")  # type: ignore[attr-defined]
    assert listing.get("KeyCount", 0) == 0
