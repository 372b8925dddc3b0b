"""Load a manifest: find it, parse it, resolve variables, validate, check, resolve to the model.

Every stage reports into one `Problems` collector, so a run lists all the
mistakes at once. `load_service` returns the `Service` (or raises
`ManifestInvalid` with every error); `load_manifest` also returns the warnings
and the resolved raw data, for `validate` and `print`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wasmdeploy.errors import UserError
from wasmdeploy.manifest import settings
from wasmdeploy.manifest.api_keys import check_api_keys
from wasmdeploy.manifest.check_authorizers import check_authorizers
from wasmdeploy.manifest.check_serverless import ServerlessSummary, check_serverless_keys
from wasmdeploy.manifest.checks import CheckContext, run_checks
from wasmdeploy.manifest.dotenv_files import dotenv_candidates, with_dotenv
from wasmdeploy.manifest.model import DEFAULT_REGION, DEFAULT_STAGE, Service
from wasmdeploy.manifest.problems import ManifestInvalid, Problem, Problems, relative_file
from wasmdeploy.manifest.resolve import resolve_service
from wasmdeploy.manifest.resources import check_resources
from wasmdeploy.manifest.schema import check_schema
from wasmdeploy.manifest.serverless_forms import normalize_serverless_forms
from wasmdeploy.manifest.source import parse_yaml
from wasmdeploy.manifest.variable_sources import AwsLookup, ServerlessSources, report_deferred
from wasmdeploy.manifest.variables import VariableContext, resolve_variables

MANIFEST_NAMES = ("wasmdeploy.yml", "wasmdeploy.yaml", "serverless.yml", "serverless.yaml")


class ManifestNotFound(UserError):
    """No manifest where one was expected: a usage error (exit 2, like click's own)."""

    exit_code = 2


@dataclass
class LoadResult:
    """What loading produced: the model when there were no errors, and every problem."""

    path: Path
    data: Any = None  # the manifest after variable resolution
    service: Service | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    serverless: ServerlessSummary = field(default_factory=ServerlessSummary)
    # The files the result depends on: the manifest, `${file()}` sources, `.env` files.
    inputs: list[Path] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


def find_manifest(path: Path | None, cwd: Path | None = None) -> Path:
    """`path` if given (it must exist), else wasmdeploy.yml, else serverless.yml, in `cwd`."""
    if path is not None:
        if not path.is_file():
            raise ManifestNotFound(
                f"manifest {path} not found",
                hint="Pass an existing file with -f, or run `wasmdeploy init` to create one.",
            )
        return path
    directory = cwd or Path.cwd()
    for name in MANIFEST_NAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    raise ManifestNotFound(
        f"no wasmdeploy.yml or serverless.yml in {directory}",
        hint="Run this in the service's directory, pass -f FILE, or run `wasmdeploy init`.",
    )


def load_manifest(
    path: Path | None,
    *,
    stage: str | None = None,
    region: str | None = None,
    environ: Mapping[str, str] | None = None,
    inspect_modules: bool = True,
    aws: AwsLookup | None = None,
) -> LoadResult:
    """Load and check the manifest, collecting every problem instead of raising on them."""
    manifest = find_manifest(path)
    problems = Problems(relative_file(manifest))
    result = LoadResult(path=manifest.resolve())
    result.inputs.append(result.path)
    try:
        text = manifest.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.error((), "the manifest is not UTF-8 text")
        text = None
    except OSError as error:
        raise UserError(f"cannot read {manifest}: {error.strerror}") from None
    if text is not None:
        raw = parse_yaml(text, problems)
        if raw is not None and not isinstance(raw, dict):
            problems.error((), "the manifest must be a mapping (service:, provider:, functions:)")
        elif raw is not None:
            _load_document(raw, result, problems, stage, region, environ, inspect_modules, aws)
    result.errors = problems.sorted_errors()
    result.warnings = problems.sorted_warnings()
    return result


def _load_document(
    raw: dict[str, Any],
    result: LoadResult,
    problems: Problems,
    stage: str | None,
    region: str | None,
    environ: Mapping[str, str] | None,
    inspect_modules: bool,
    aws: AwsLookup | None = None,
) -> None:
    defaults = _sls_defaults(raw, stage, region)
    root = result.path.parent
    sources = ServerlessSources(root, defaults["region"], stage, region, aws=aws)
    context = VariableContext(
        options={"stage": stage, "region": region},
        environ=with_dotenv(
            os.environ if environ is None else environ,
            raw.get("useDotenv"),
            root,
            defaults["stage"],
        ),
        defaults=defaults,
        sources=sources,
    )
    data = resolve_variables(raw, context, problems)
    result.data = data
    result.inputs += [
        *sources.files_read,
        *dotenv_candidates(raw.get("useDotenv"), root, defaults["stage"]),
    ]
    report_deferred(sources, problems)
    if not isinstance(data, dict):
        return
    data = result.data = normalize_serverless_forms(data, problems)
    check_schema(data, problems)
    result.serverless = check_serverless_keys(data, problems)
    check_resources(data, problems)
    check_authorizers(data, problems)
    check_api_keys(data, problems)
    run_checks(
        data,
        problems,
        CheckContext(
            root=result.path.parent,
            stage=settings.stage(data, stage),
            region=settings.region(data, region),
            region_from_cli=region is not None,
            inspect_modules=inspect_modules,
        ),
    )
    if not problems.errors:
        service = resolve_service(data, result.path, stage=stage, region=region)
        result.service = dataclasses.replace(service, deferred=tuple(sources.deferred))


def _sls_defaults(raw: dict[str, Any], stage: str | None, region: str | None) -> dict[str, str]:
    """`${sls:stage}` / `${sls:region}`: CLI option, else a literal provider value, else default."""
    provider = settings.provider_of(raw)

    def effective(key: str, cli: str | None, default: str) -> str:
        value = provider.get(key)
        literal = value if isinstance(value, str) and "${" not in value else None
        return cli or literal or default

    return {
        "stage": effective("stage", stage, DEFAULT_STAGE),
        "region": effective("region", region, DEFAULT_REGION),
    }


def load_service_with_warnings(
    path: Path | None,
    *,
    stage: str | None = None,
    region: str | None = None,
    aws: AwsLookup | None = None,
) -> tuple[Service, list[Problem]]:
    """The model and the warnings; raises ManifestInvalid with every error.

    With `aws`, the variables that need AWS (aws:accountId, ssm, cf) are read from it.
    """
    result = load_manifest(path, stage=stage, region=region, aws=aws)
    if result.errors or result.service is None:
        raise ManifestInvalid(result.errors, result.warnings)
    return result.service, result.warnings


def load_service(
    path: Path | None,
    *,
    stage: str | None = None,
    region: str | None = None,
    aws: AwsLookup | None = None,
) -> Service:
    """The resolved `Service` of the manifest at `path` (None: find it in the cwd).

    Raises `ManifestInvalid` (a UserError) listing every problem with its line.
    """
    service, _ = load_service_with_warnings(path, stage=stage, region=region, aws=aws)
    return service
