"""What `plan` shows for the resources stack: its outputs as placeholders named by their key."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from wasmdeploy.manifest.arns import arn_in

State = dict[str, Any]
STACK_TYPE = "aws:cloudformation/stack:Stack"


def _stack(name: str, region: str, inputs: State) -> tuple[str, State]:
    template = json.loads(inputs.get("templateBody") or "{}")
    outputs = {key: f"<{key} of {inputs.get('name')}>" for key in template.get("Outputs", {})}
    stack_id = arn_in(region, f"cloudformation:{region}:stack/{inputs.get('name')}")
    return stack_id, {"outputs": outputs}


def resources_computers() -> dict[str, Callable[[str, str, State], tuple[str, State]]]:
    return {STACK_TYPE: _stack}
