"""`wasmdeploy deploy function`: one deployed function's code and settings, updated in place.

Through Lambda's API directly (UpdateFunctionCode, UpdateFunctionConfiguration,
and PublishVersion for edge functions), in seconds instead of a stack update.
It refuses when the change needs the full stack: the function is not deployed,
or its triggers or permissions differ from those the last `up` tagged it with
(`function_shape`). The Pulumi state learns of the update on the next `up`,
which finds the code it would have uploaded already in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wasmdeploy.build.package import lambda_handler
from wasmdeploy.build.zips import Artifact
from wasmdeploy.errors import UserError
from wasmdeploy.manifest.model import Function, Service
from wasmdeploy.stacks.function_shape import SHAPE_TAGS, shape_digests
from wasmdeploy.stacks.remote import CREDENTIALS_HINT, function_region, lambda_client

WAIT = {"Delay": 1, "MaxAttempts": 120}


@dataclass
class FunctionUpdate:
    function_name: str  # the deployed name
    region: str
    code_sha256: str
    changed: list[str] = field(default_factory=list)  # configuration keys that changed
    version: str | None = None  # the published version, for edge functions


def update_function(
    service: Service, function: Function, artifact: Artifact, *, client: Any | None = None
) -> FunctionUpdate:
    """Upload `artifact` as the function's code and apply its configuration."""
    from botocore.exceptions import BotoCoreError, ClientError

    region = function_region(service, function)
    lambda_ = client or lambda_client(region)
    try:
        deployed = _deployed(lambda_, service, function, region)
        _check_shape(function, deployed.get("Tags", {}), service.stage)
        configuration = _configuration(function)
        current = _current_configuration(deployed["Configuration"])
        changed = [key for key, value in configuration.items() if current.get(key) != value]
        reply = lambda_.update_function_code(
            FunctionName=function.deployed_name,
            ZipFile=artifact.path.read_bytes(),
            Architectures=[function.architecture],
        )
        lambda_.get_waiter("function_updated_v2").wait(
            FunctionName=function.deployed_name, WaiterConfig=WAIT
        )
        if changed:
            lambda_.update_function_configuration(
                FunctionName=function.deployed_name, **configuration
            )
            lambda_.get_waiter("function_updated_v2").wait(
                FunctionName=function.deployed_name, WaiterConfig=WAIT
            )
        version = None
        if function.is_edge:
            published = lambda_.publish_version(
                FunctionName=function.deployed_name, CodeSha256=reply["CodeSha256"]
            )
            version = str(published["Version"])
    except ClientError as error:
        raise UserError(
            f"updating {function.deployed_name} in {region} failed: {error}",
            hint="Check the AWS credentials' rights, or run a full `wasmdeploy up`.",
        ) from error
    except BotoCoreError as error:
        raise UserError(f"updating {function.deployed_name} in {region} failed: {error}") from error
    return FunctionUpdate(
        function_name=function.deployed_name,
        region=region,
        code_sha256=str(reply["CodeSha256"]),
        changed=changed,
        version=version,
    )


def _deployed(lambda_: Any, service: Service, function: Function, region: str) -> Any:
    from botocore.exceptions import ClientError, NoCredentialsError

    try:
        return lambda_.get_function(FunctionName=function.deployed_name)
    except NoCredentialsError as error:
        raise UserError(
            "no AWS credentials found for updating the deployed function",
            hint=CREDENTIALS_HINT,
        ) from error
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            raise UserError(
                f"{function.deployed_name} is not deployed in {region}",
                hint=f"A new function needs the full stack: wasmdeploy up --stage {service.stage}",
            ) from error
        raise


def _check_shape(function: Function, tags: dict[str, str], stage: str) -> None:
    """Refuse when the triggers or permissions differ from the last `up`'s."""
    wanted = shape_digests(function)
    differs = [group for group, tag in SHAPE_TAGS.items() if tags.get(tag) != wanted[group]]
    if not differs:
        return
    if all(SHAPE_TAGS[group] not in tags for group in differs):
        reason = "it was deployed by another tool or an older wasmdeploy"
    else:
        reason = f"its {' and '.join(differs)} changed since the last `up`"
    raise UserError(
        f"{function.name}: this change needs the full stack ({reason}); "
        "deploy function only updates code and configuration",
        hint=f"Run: wasmdeploy up --stage {stage}",
    )


def _current_configuration(current: dict[str, Any]) -> dict[str, Any]:
    """GetFunction's configuration in the shape UpdateFunctionConfiguration takes."""
    view = {key: current.get(key) for key in ("Handler", "Runtime", "MemorySize", "Timeout")}
    view["Description"] = current.get("Description") or ""
    view["Environment"] = {"Variables": (current.get("Environment") or {}).get("Variables", {})}
    return view


def _configuration(function: Function) -> dict[str, Any]:
    """The settings UpdateFunctionConfiguration takes, as the stack sets them."""
    settings: dict[str, Any] = {
        "Handler": lambda_handler(function),
        "Runtime": function.runtime,
        "MemorySize": function.memory_size,
        "Timeout": function.timeout,
        "Description": function.description or "",
    }
    if not function.is_edge:  # Lambda@Edge has no environment variables
        settings["Environment"] = {"Variables": dict(sorted(function.environment.items()))}
    return settings
