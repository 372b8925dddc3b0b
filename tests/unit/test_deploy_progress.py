"""Engine events become one row per resource, with its operation and whether it finished."""

from __future__ import annotations

from pulumi.automation import events
from rich.console import Console

from wasmdeploy.stacks.progress import DeployProgress

URN = "urn:pulumi:dev::images::wasmdeploy:aws:WasmFunction$aws:lambda/function:Function::f-function"


def step(
    op: events.OpType, urn: str = URN, type_: str = "aws:lambda/function:Function"
) -> events.StepEventMetadata:
    return events.StepEventMetadata(op=op, urn=urn, type=type_, provider="")


def engine_event(sequence: int, **kind: object) -> events.EngineEvent:
    return events.EngineEvent(sequence=sequence, timestamp=0, **kind)  # type: ignore[arg-type]


def test_resource_goes_from_running_to_done() -> None:
    progress = DeployProgress("Deploying")
    progress.on_event(
        engine_event(1, resource_pre_event=events.ResourcePreEvent(step(events.OpType.CREATE)))
    )
    assert progress.rows[URN].status == "running"
    progress.on_event(
        engine_event(2, res_outputs_event=events.ResOutputsEvent(step(events.OpType.CREATE)))
    )
    assert progress.rows[URN].status == "done"
    assert progress.rows[URN].name == "f-function"
    assert progress.counts() == {"create": 1}


def test_failed_step_is_marked_and_errors_are_kept() -> None:
    progress = DeployProgress("Deploying")
    progress.on_event(
        engine_event(1, resource_pre_event=events.ResourcePreEvent(step(events.OpType.UPDATE)))
    )
    progress.on_event(
        engine_event(
            2, res_op_failed_event=events.ResOpFailedEvent(step(events.OpType.UPDATE), 1, 0)
        )
    )
    progress.on_event(
        engine_event(
            3,
            diagnostic_event=events.DiagnosticEvent(
                message="AccessDenied: lambda:UpdateFunctionCode\n", color="never", severity="error"
            ),
        )
    )
    assert progress.rows[URN].status == "failed"
    assert progress.diagnostics == ["error: AccessDenied: lambda:UpdateFunctionCode"]


def test_stack_and_providers_are_not_listed_and_unchanged_are_counted_apart() -> None:
    progress = DeployProgress("Preview")
    stack = "urn:pulumi:dev::images::pulumi:pulumi:Stack::images-dev"
    provider = "urn:pulumi:dev::images::pulumi:providers:aws::aws-eu-west-1"
    progress.on_event(
        engine_event(
            1,
            resource_pre_event=events.ResourcePreEvent(
                step(events.OpType.SAME, stack, "pulumi:pulumi:Stack")
            ),
        )
    )
    progress.on_event(
        engine_event(
            2,
            resource_pre_event=events.ResourcePreEvent(
                step(events.OpType.CREATE, provider, "pulumi:providers:aws")
            ),
        )
    )
    progress.on_event(
        engine_event(3, resource_pre_event=events.ResourcePreEvent(step(events.OpType.SAME)))
    )
    assert list(progress.rows) == [URN]
    assert progress.counts() == {}
    console = Console(record=True, width=120)
    console.print(progress.render())
    assert "1 resource(s) unchanged" in console.export_text()


def test_render_shows_operation_type_and_name() -> None:
    progress = DeployProgress("Deploying images/dev")
    progress.on_event(
        engine_event(1, resource_pre_event=events.ResourcePreEvent(step(events.OpType.DELETE)))
    )
    console = Console(record=True, width=160)
    console.print(progress.render())
    text = console.export_text()
    assert "Deploying images/dev" in text
    assert "delete" in text and "aws:lambda/function:Function" in text and "f-function" in text
