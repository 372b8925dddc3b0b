"""What `invoke` may change for one local run: environment variables and the client context.

As `serverless invoke local --env KEY=VALUE` and SAM's `--env-vars`: `--env`
(repeatable) and `--env-file` override the manifest's environment for this run
only. An env file is either dotenv lines (`KEY=VALUE`, `#` comments, optional
quotes, `export ` prefixes) or SAM's JSON (`{"Parameters": {...}, "FUNCTION":
{...}}`: the function's own entries win over `Parameters`). `--context` is the
client context Lambda hands the function (`Lambda-Runtime-Client-Context`).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable
from pathlib import Path

from wasmdeploy.errors import UserError
from wasmdeploy.manifest.model import Function

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Lambda reserves these; a function cannot set them (its runtime's own variables).
RESERVED = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)


def parse_assignment(text: str, where: str) -> tuple[str, str]:
    """`KEY=VALUE` (the value may be empty or hold `=`)."""
    name, separator, value = text.partition("=")
    name = name.strip()
    if not separator or not _NAME.match(name):
        raise UserError(
            f"{where}: {text!r} is not KEY=VALUE",
            hint="Names are letters, digits and _, not starting with a digit: --env MODE=fast",
        )
    if name in RESERVED:
        raise UserError(f"{where}: {name} is reserved by Lambda and cannot be set")
    return name, value


def read_env_file(path: Path, function_name: str) -> dict[str, str]:
    """The variables an env file sets for `function_name` (dotenv lines or SAM's JSON)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"cannot read --env-file {path}: {error}") from None
    if text.lstrip().startswith("{"):
        return _sam_json(text, path, function_name)
    variables: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        stripped = stripped.removeprefix("export ").lstrip()
        name, value = parse_assignment(stripped, f"{path}:{number}")
        variables[name] = _unquote(value.strip())
    return variables


def with_environment(
    function: Function, env_file: Path | None, assignments: Iterable[str]
) -> Function:
    """The function with its environment overridden: the file first, then each --env."""
    overrides: dict[str, str] = {}
    if env_file is not None:
        overrides.update(read_env_file(env_file, function.name))
    for assignment in assignments:
        name, value = parse_assignment(assignment, "--env")
        overrides[name] = value
    if not overrides:
        return function
    if function.is_edge:
        raise UserError(
            f"function {function.name!r} is a Lambda@Edge function, which has no environment "
            "variables",
            hint="Edge functions take their settings from the manifest, baked into the zip.",
        )
    return dataclasses.replace(function, environment={**function.environment, **overrides})


def client_context(text: str | None) -> str | None:
    """`--context` as Lambda passes it: the JSON object, as given."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError as error:
        raise UserError(f"--context is not JSON: {error}") from None
    if not isinstance(value, dict):
        raise UserError('--context must be a JSON object, e.g. \'{"custom": {"a": 1}}\'')
    return json.dumps(value, separators=(",", ":"))


def _sam_json(text: str, path: Path, function_name: str) -> dict[str, str]:
    try:
        document = json.loads(text)
    except ValueError as error:
        raise UserError(f"--env-file {path} is not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise UserError(f"--env-file {path}: expected an object of objects, as SAM's --env-vars")
    variables: dict[str, str] = {}
    for section in ("Parameters", function_name):
        entries = document.get(section, {})
        if not isinstance(entries, dict):
            raise UserError(f"--env-file {path}: {section} must be an object of NAME: value")
        for name, value in entries.items():
            parse_assignment(f"{name}=", f"--env-file {path}")
            variables[name] = value if isinstance(value, str) else json.dumps(value)
    return variables


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        return inner.replace("\\n", "\n") if value[0] == '"' else inner
    return value.split(" #", 1)[0].rstrip()
