"""The service's CloudFormation resources (`resources:`), part of the model (see `model.py`).

Deployed as one CloudFormation stack beside the functions. `exports` maps each
intrinsic the functions use (an environment value, an IAM statement's Resource)
to the stack output CloudFormation fills with its value; `parameters` are the
values the program passes in (functions' and APIs' names, ARNs and ids).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ServiceResources:
    stack_name: str  # "{service}-{stage}-resources"
    template: dict[str, Any]  # the template deployed: the user's sections plus the exports' outputs
    exports: dict[str, Any] = field(default_factory=dict)  # output key -> intrinsic expression
    # parameter -> (function | restApi | httpApi, function name, attribute or None for Ref):
    # what wasmdeploy creates outside the stack that `resources` refer to
    parameters: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)

    @property
    def logical_ids(self) -> tuple[str, ...]:
        return tuple(self.template.get("Resources", {}))
