"""The runtime imports only the standard library and wasmtime (boto3 only for S3 I/O).

A child interpreter records the modules loaded before the runtime, serves one
invocation through the real Runtime API loop, and reports every top-level
module that appeared since; each must be stdlib, wasmtime or the runtime.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

from tests.functional.runtime_api_server import RuntimeApiServer
from tests.functional.runtime_modules import ECHO, write_task_root
from tests.functional.runtime_process import REPO_ROOT

CHILD = """
import json, sys
before = set(sys.modules)
from pathlib import Path
from wasmdeploy_runtime.loop import initialise, serve
from wasmdeploy_runtime.runtime_api import RuntimeApiClient
import wasmdeploy_runtime.managed
client = RuntimeApiClient(sys.argv[1])
function = initialise(client, {"LAMBDA_TASK_ROOT": sys.argv[2]})
serve(client, function, max_invocations=1)
if sys.argv[3] == "touch-s3":
    from wasmdeploy_runtime.s3_objects import ObjectStore
    ObjectStore()._s3()
new = {name.split(".")[0] for name in set(sys.modules) - before}
print(json.dumps(sorted(new - set(sys.stdlib_module_names))))
"""


def modules_loaded_by_runtime(tmp_path: Path, mode: str) -> list[str]:
    api = RuntimeApiServer()
    root = write_task_root(tmp_path / "task", ECHO)
    try:
        answer: list[bytes | None] = []
        invoker = threading.Thread(target=lambda: answer.append(api.invoke(b"x").response))
        invoker.start()
        child = subprocess.run(
            [sys.executable, "-c", CHILD, api.address, str(root), mode],
            capture_output=True,
            text=True,
            timeout=120,
            env={"PYTHONPATH": str(REPO_ROOT / "runtime-layer"), "PATH": "/usr/bin:/bin"},
        )
        invoker.join(60)
    finally:
        api.close()
    assert child.returncode == 0, child.stderr
    assert answer == [b"x"]
    return list(json.loads(child.stdout.splitlines()[-1]))


def test_runtime_serving_an_invocation_imports_only_stdlib_and_wasmtime(tmp_path: Path) -> None:
    assert set(modules_loaded_by_runtime(tmp_path, "plain")) <= {"wasmtime", "wasmdeploy_runtime"}


def test_s3_object_io_is_what_brings_boto3_in(tmp_path: Path) -> None:
    assert "boto3" in modules_loaded_by_runtime(tmp_path, "touch-s3")
