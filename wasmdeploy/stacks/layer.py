"""The runtime layer: one LayerVersion per (architecture, kind) the service uses."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from wasmdeploy.build.zips import Artifact

PROVIDED_RUNTIMES = ["provided.al2023"]
PYTHON_RUNTIMES = ["python3.12", "python3.13"]


@dataclass(frozen=True)
class RuntimeLayerArgs:
    layer_name: str  # the published layer's name, e.g. "images-dev-wasmtime-provided-arm64"
    architecture: str  # x86_64 | arm64
    kind: str  # "provided" (custom runtime: Python + wasmtime + bootstrap) | "python"
    artifact: Artifact


def compatible_runtimes(kind: str) -> list[str]:
    return PROVIDED_RUNTIMES if kind == "provided" else PYTHON_RUNTIMES


class RuntimeLayer(pulumi.ComponentResource):
    """wasmtime and the wasmdeploy runtime, shared by the functions of one architecture and kind."""

    arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: RuntimeLayerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("wasmdeploy:aws:RuntimeLayer", name, None, opts)
        kind_label = "custom runtime" if args.kind == "provided" else "managed Python runtime"
        self.layer = aws.lambda_.LayerVersion(
            f"{name}-version",
            layer_name=args.layer_name,
            description=f"wasmdeploy runtime and wasmtime, {kind_label} ({args.architecture})",
            code=pulumi.FileArchive(str(args.artifact.path)),
            source_code_hash=args.artifact.sha256,
            compatible_architectures=[args.architecture],
            compatible_runtimes=compatible_runtimes(args.kind),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arn = self.layer.arn
        self.register_outputs({"arn": self.arn})
