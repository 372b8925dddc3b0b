"""Serverless's variable sources beyond opt/env/self: file, param, strToBool, aws, ssm, cf, sls.

- `${file(path)}` the whole file (JSON, YAML, else its text) and `${file(path):a.b}` a value
  in it, relative to the manifest's directory; variables inside the file are resolved too;
- `${param:name}`: `params.<stage>.name`, else `params.default.name` (Serverless v3), or the
  same under `stages.<stage>.params` (v4);
- `${strToBool(value)}`: true/false/1/0 as a boolean;
- `${aws:region}` / `${aws:partition}` offline; `${aws:accountId}`, `${ssm:...}` and
  `${cf:stack.Output}` need AWS: resolved through `AwsLookup` when deploying, otherwise
  kept as written and listed in `deferred`, so validate and plan work offline;
- `${sls:stage}` / `${sls:region}` from the CLI, else the resolved provider value;
  `${sls:instanceId}` a random id per run.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from wasmdeploy.manifest.arns import partition_for_region
from wasmdeploy.manifest.problems import Problems
from wasmdeploy.manifest.source import parse_yaml
from wasmdeploy.manifest.variables import MISSING, NOT_MINE, VariableError

if TYPE_CHECKING:
    from wasmdeploy.manifest.variables import _Resolver

MAX_FILE_BYTES = 1024 * 1024
_FILE = re.compile(r"^file\((?P<path>[^)]+)\)(?::(?P<ref>.*))?$")
_STR_TO_BOOL = re.compile(r"^strToBool\((?P<value>.*)\)$")
_CFN_SUB_NAME = re.compile(r"^(?:AWS::[A-Za-z]+|!.*|[A-Za-z0-9_]+(?:\.[A-Za-z0-9_.]+)?)$")
UNSUPPORTED_SOURCES = {
    "construct": "the serverless-lift plugin's constructs",
    "output": "Serverless Dashboard outputs",
    "s3": "objects read from S3 while deploying",
    "terraform": "Terraform state",
    "vault": "HashiCorp Vault",
    "doppler": "Doppler secrets",
    "secrets": "the serverless-secrets-plugin",
}
_AWS_SOURCE = re.compile(r"^(?P<source>ssm|cf)(?:\((?P<region>[^)]*)\))?:(?P<ref>.+)$")


class AwsLookup(Protocol):
    """What the deploy-time sources ask AWS (boto3 in `variable_sources_aws`)."""

    def account_id(self) -> str: ...

    def ssm_parameter(self, name: str, region: str) -> str | None: ...

    def stack_output(self, stack: str, output: str, region: str) -> str | None: ...


def _walk_path(value: Any, ref: str) -> Any:
    for part in (p for p in ref.split(".") if p):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
    return value


@dataclass
class ServerlessSources:
    root: Path  # the manifest's directory
    region: str  # the effective region (CLI > provider literal > default)
    cli_stage: str | None = None
    cli_region: str | None = None
    aws: AwsLookup | None = None  # None: validate/plan, offline
    deferred: list[str] = field(default_factory=list)  # variables left for deploy time
    instance_id: str = field(default_factory=lambda: secrets.token_hex(4))
    _files: dict[Path, Any] = field(default_factory=dict)
    _reading: set[tuple[Path, str]] = field(default_factory=set)  # (file, path) being resolved

    @property
    def files_read(self) -> list[Path]:
        """Every file a `${file(...)}` named (also those that did not exist)."""
        return list(self._files)

    def lookup(self, reference: str, resolver: _Resolver) -> Any:
        """The value of `reference`, MISSING, or NOT_MINE when another source handles it."""
        text = reference.strip()
        if _CFN_SUB_NAME.match(text) and _inside_sub(resolver):
            return "${" + text + "}"  # Fn::Sub's own ${Logical.Attr} or ${AWS::Region}
        if match := _FILE.match(text):
            return self._file(match["path"].strip(), match["ref"], resolver)
        if match := _STR_TO_BOOL.match(text):
            return _str_to_bool(match["value"].strip().strip("'\""))
        source, _, ref = text.partition(":")
        ref = ref.strip()
        if source == "param":
            return self._param(ref, resolver)
        if source == "sls":
            return self._sls(ref, resolver)
        if source == "aws":
            return self._aws(ref, text)
        if source == "self" and ref in ("provider.stage", "provider.region"):
            return self._provider_default(ref.partition(".")[2], resolver)
        if source in UNSUPPORTED_SOURCES:
            raise VariableError(
                f"'${{{text}}}': {source} variables are a Serverless Framework feature "
                f"wasmdeploy does not support ({UNSUPPORTED_SOURCES[source]})",
                "Write the value, or pass it with ${env:NAME} or ${ssm:/path}.",
            )
        if match := _AWS_SOURCE.match(text):
            return self._deploy_time(match["source"], match["ref"], match["region"], text)
        return NOT_MINE

    def _file(self, name: str, ref: str | None, resolver: _Resolver) -> Any:
        """The file's value at `ref` (all of it without), its variables resolved."""
        path = (self.root / name).resolve()
        if path not in self._files:
            self._files[path] = self._read(path, name)
        content = self._files[path]
        if content is not MISSING and ref is not None and ref.strip():
            content = _walk_path(content, ref.strip())
        if content is MISSING:
            return MISSING
        where = (path, (ref or "").strip())
        if where in self._reading:
            raise VariableError(
                f"file({name}) takes a value from itself through its variables",
                "Break the loop: write one of the values out.",
            )
        self._reading.add(where)
        try:
            return _resolve_inside(content, resolver)
        finally:
            self._reading.discard(where)

    def _read(self, path: Path, name: str) -> Any:
        if not path.is_file():
            return MISSING
        if path.suffix in (".js", ".cjs", ".mjs", ".ts"):
            raise VariableError(
                f"file({name}) is a script: wasmdeploy does not run JavaScript to make values",
                "Write the values to a .yml or .json file and reference that instead.",
            )
        if path.stat().st_size > MAX_FILE_BYTES:
            raise VariableError(f"file({name}) is larger than {MAX_FILE_BYTES:,} bytes")
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".json":
            try:
                content = json.loads(text)
            except ValueError as error:
                raise VariableError(f"file({name}) is not valid JSON: {error}") from None
        elif path.suffix in (".yml", ".yaml"):
            inner = Problems(name)
            content = parse_yaml(text, inner)
            if inner.errors:
                first = inner.errors[0]
                raise VariableError(f"file({name}) line {first.line}: {first.message}")
        else:
            return text
        return content

    def _param(self, name: str, resolver: _Resolver) -> Any:
        stage = self._sls("stage", resolver)
        for path in (
            ("params", stage, name),
            ("stages", stage, "params", name),
            ("params", "default", name),
            ("stages", "default", "params", name),
        ):
            value = resolver.resolved_at(path)
            if value is not MISSING and value is not None:
                return value
        return MISSING

    def _sls(self, name: str, resolver: _Resolver) -> Any:
        if name == "instanceId":
            return self.instance_id
        if name not in ("stage", "region"):
            return NOT_MINE
        cli = self.cli_stage if name == "stage" else self.cli_region
        if cli:
            return cli
        written = resolver.resolved_at(("provider", name))
        if isinstance(written, str) and written and "${" not in written:
            return written
        return NOT_MINE  # the defaults

    def _provider_default(self, name: str, resolver: _Resolver) -> Any:
        """`${self:provider.stage}` with no provider.stage: the effective one, as in Serverless."""
        if resolver.raw(("provider", name)) is not MISSING:
            return NOT_MINE
        return resolver.context.defaults.get(name, NOT_MINE)

    def _aws(self, name: str, text: str) -> Any:
        if name == "region":
            return self.region
        if name == "partition":
            return partition_for_region(self.region)
        if name == "accountId":
            if self.aws is not None:
                return self.aws.account_id()
            return self._defer(text)
        raise VariableError(
            f"'${{{text}}}' is not an aws variable",
            "The aws variables are ${aws:accountId}, ${aws:region} and ${aws:partition}.",
        )

    def _deploy_time(self, source: str, ref: str, region: str | None, text: str) -> Any:
        if self.aws is None:
            return self._defer(text)
        where = (region or "").strip() or self.region
        if source == "ssm":
            value = self.aws.ssm_parameter(ref.strip().removesuffix("~true"), where)
        else:
            stack, _, output = ref.strip().partition(".")
            value = self.aws.stack_output(stack, output, where)
        return MISSING if value is None else value

    def _defer(self, text: str) -> str:
        placeholder = "${" + text + "}"
        if placeholder not in self.deferred:
            self.deferred.append(placeholder)
        return placeholder

    def unresolved_message(self, reference: str) -> tuple[str, str] | None:
        text = reference.strip()
        if match := _FILE.match(text):
            path = match["path"].strip()
            if (self.root / path).is_dir():
                return (f"'${{{text}}}': {path} is a folder, not a file", "Name a file.")
            if not (self.root / path).is_file():
                return (
                    f"'${{{text}}}': the file {path} does not exist",
                    "Paths are relative to the manifest's directory; or give a default: "
                    f"${{file({path}), 'value'}}.",
                )
            return (f"'${{{text}}}': {path} has no value at '{match['ref']}'", "Check the path.")
        source = text.partition(":")[0]
        if source == "param":
            return (
                f"'${{{text}}}' is not set: no params.<stage> or params.default entry",
                "Add it under params (v3) or stages.<stage>.params (v4).",
            )
        if _AWS_SOURCE.match(text):
            return (f"'${{{text}}}' was not found in AWS", "Check the name and the region.")
        return None


def _inside_sub(resolver: _Resolver) -> bool:
    """True while resolving a value under an `Fn::Sub`."""
    return any("Fn::Sub" in path for path in resolver.in_progress)


def _str_to_bool(value: str) -> bool:
    lowered = value.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise VariableError(
        f"strToBool({value}): '{value}' is not true, false, 1 or 0",
        "strToBool turns the strings true/false/1/0 into a boolean.",
    )


def _resolve_inside(value: Any, resolver: _Resolver) -> Any:
    """Variables in a file's values resolve against the manifest, as in Serverless."""
    if isinstance(value, dict) and "Fn::Sub" in value:
        resolver.in_progress.append(("Fn::Sub",))  # so Fn::Sub's own ${...} stay as written
        try:
            return {key: _resolve_inside(item, resolver) for key, item in value.items()}
        finally:
            resolver.in_progress.pop()
    if isinstance(value, dict):
        return {key: _resolve_inside(item, resolver) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve_inside(item, resolver) for item in value]
    if isinstance(value, str) and "${" in value:
        return resolver.string(value)
    return value


def report_deferred(sources: ServerlessSources, problems: Problems) -> None:
    """One warning naming the variables that only deploying can resolve."""
    if sources.deferred:
        problems.warning(
            (),
            "resolved when deploying (they need AWS): " + ", ".join(sources.deferred),
            hint="validate and plan keep them as written; `wasmdeploy up` reads them from AWS.",
        )
