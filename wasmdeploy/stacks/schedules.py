"""EventBridge Scheduler schedules, for `schedule` events with `method: scheduler`.

Scheduler (unlike a rule) reads cron expressions in a time zone, and calls its target
with a role of its own: that role may invoke exactly this function. Lambda is
invoked asynchronously, so the function's retries and onFailure apply as for a rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from wasmdeploy.stacks.function import WasmFunction
from wasmdeploy.stacks.policies import POLICY_VERSION

SCHEDULER_PRINCIPAL = "scheduler.amazonaws.com"


def scheduler_assume_role_policy() -> dict[str, Any]:
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": SCHEDULER_PRINCIPAL},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def invoke_policy(function_arn: str) -> str:
    statement = {
        "Sid": "InvokeTheFunction",
        "Effect": "Allow",
        "Action": "lambda:InvokeFunction",
        "Resource": [function_arn, f"{function_arn}:*"],
    }
    return json.dumps({"Version": POLICY_VERSION, "Statement": [statement]}, sort_keys=True)


@dataclass(frozen=True)
class ScheduleSpec:
    schedule_name: str
    expression: str
    timezone: str | None = None
    description: str | None = None
    enabled: bool = True
    input: Any = None


@dataclass(frozen=True)
class FunctionScheduleArgs:
    function: WasmFunction
    schedule: ScheduleSpec


class FunctionSchedule(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: FunctionScheduleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("wasmdeploy:aws:FunctionSchedule", name, None, opts)
        spec = args.schedule
        child = pulumi.ResourceOptions(parent=self)
        self.role = aws.iam.Role(
            f"{name}-role",
            description=f"Lets EventBridge Scheduler run {spec.schedule_name}",
            assume_role_policy=json.dumps(scheduler_assume_role_policy(), sort_keys=True),
            opts=child,
        )
        self.role_policy = aws.iam.RolePolicy(
            f"{name}-policy",
            role=self.role.id,
            policy=args.function.arn.apply(invoke_policy),
            opts=child,
        )
        payload = spec.input
        self.schedule = aws.scheduler.Schedule(
            f"{name}-schedule",
            name=spec.schedule_name,
            schedule_expression=spec.expression,
            schedule_expression_timezone=spec.timezone,
            description=spec.description,
            state="ENABLED" if spec.enabled else "DISABLED",
            flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
            target=aws.scheduler.ScheduleTargetArgs(
                arn=args.function.arn,
                role_arn=self.role.arn,
                input=(
                    None
                    if payload is None
                    else payload
                    if isinstance(payload, str)
                    else json.dumps(payload, sort_keys=True)
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.role_policy]),
        )
        self.register_outputs({"scheduleArn": self.schedule.arn})
