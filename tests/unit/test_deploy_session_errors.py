"""Failures of the pulumi CLI reach the user as one clean error, not a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto
from pulumi.automation._cmd import CommandResult
from stacks_factories import make_function, make_service

from wasmdeploy.errors import UserError
from wasmdeploy.stacks.automation import StackSession, command_error_text
from wasmdeploy.stacks.role_guard import RoleGuard

ROOT = Path("/srv/service")


class FailingStack:
    """Stands in for `auto.Stack`: every operation fails the way the CLI reports it."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def up(self, **_: Any) -> Any:
        raise self.error

    def outputs(self) -> Any:
        raise self.error


def session(error: Exception) -> StackSession:
    service = make_service(ROOT, [make_function(ROOT, "f")])
    return StackSession(service, FailingStack(error), "file:///tmp/state")  # type: ignore[arg-type]


def test_failed_up_shows_the_end_of_the_clis_stderr() -> None:
    stderr = (
        "\n".join(f"line {n}" for n in range(40)) + "\nerror: AccessDenied on lambda:CreateFunction"
    )
    failing = session(auto.CommandError(CommandResult("progress...", stderr, 255)))
    with pytest.raises(UserError) as raised:
        failing.up(lambda _event: None)
    message = raised.value.message
    assert message.startswith("pulumi up failed for images/dev:")
    assert message.endswith("error: AccessDenied on lambda:CreateFunction")
    assert "line 5\n" not in message  # only the tail
    assert "progress..." not in message


def test_concurrent_update_says_to_wait_or_cancel() -> None:
    failing = session(auto.ConcurrentUpdateError(CommandResult("", "conflict", 255)))
    with pytest.raises(UserError) as raised:
        failing.outputs()
    assert "Another update of stack dev is running" in raised.value.message
    assert raised.value.hint and "pulumi cancel" in raised.value.hint


def test_error_text_falls_back_to_stdout_when_stderr_is_empty() -> None:
    error = auto.CommandError(CommandResult("error: program failed: boom", "", 1))
    assert command_error_text(error) == "error: program failed: boom"


def test_a_denied_create_role_without_a_boundary_says_to_set_it() -> None:
    denied = (
        "error: creating IAM Role (f-role): AccessDenied: not authorized to perform: iam:CreateRole"
    )
    failing = session(auto.CommandError(CommandResult("", denied, 255)))
    failing.guard = RoleGuard("/wasmdeploy/images/dev/")
    with pytest.raises(UserError) as raised:
        failing.up(lambda _event: None)
    assert raised.value.hint and "WASMDEPLOY_PERMISSIONS_BOUNDARY" in raised.value.hint
    failing.guard = RoleGuard("/wasmdeploy/images/dev/", "wasmdeploy/images/permissions-boundary")
    with pytest.raises(UserError) as raised:
        failing.up(lambda _event: None)
    assert raised.value.hint == "Fix the cause above and run the command again."
