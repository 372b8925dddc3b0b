"""Live progress of a Pulumi operation, drawn with rich from the engine's events.

`DeployProgress.on_event` is given to the Automation API; it keeps one row per
resource (what is done to it, and whether it finished) and the diagnostics,
and `render()` draws them. The engine calls `on_event` from another thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from types import TracebackType

from pulumi.automation import events
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

SKIPPED_TYPES = ("pulumi:pulumi:Stack", "pulumi:providers:")
OP_STYLES = {
    "create": "green",
    "update": "yellow",
    "replace": "magenta",
    "create-replacement": "magenta",
    "delete": "red",
    "delete-replaced": "red",
    "same": "dim",
    "read": "cyan",
    "refresh": "cyan",
}
VISIBLE_ROWS = 30


@dataclass
class ResourceRow:
    type: str
    name: str
    op: str
    status: str = "running"  # running | done | failed


@dataclass
class DeployProgress:
    """What the engine has reported so far, for one operation."""

    title: str
    rows: dict[str, ResourceRow] = field(default_factory=dict)
    diagnostics: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def on_event(self, event: events.EngineEvent) -> None:
        with self._lock:
            if event.resource_pre_event is not None:
                self._step(event.resource_pre_event.metadata, "running")
            elif event.res_outputs_event is not None:
                self._step(event.res_outputs_event.metadata, "done")
            elif event.res_op_failed_event is not None:
                self._step(event.res_op_failed_event.metadata, "failed")
            elif event.diagnostic_event is not None:
                diagnostic = event.diagnostic_event
                if diagnostic.severity in ("error", "warning") and diagnostic.message.strip():
                    self.diagnostics.append(f"{diagnostic.severity}: {diagnostic.message.strip()}")

    def _step(self, metadata: events.StepEventMetadata, status: str) -> None:
        if metadata.type.startswith(SKIPPED_TYPES):
            return
        op = str(getattr(metadata.op, "value", metadata.op))
        row = self.rows.get(metadata.urn)
        if row is None:
            self.rows[metadata.urn] = ResourceRow(
                metadata.type, metadata.urn.split("::")[-1], op, status
            )
        else:
            row.status = status

    def counts(self) -> dict[str, int]:
        with self._lock:
            totals: dict[str, int] = {}
            for row in self.rows.values():
                if row.op != "same":
                    totals[row.op] = totals.get(row.op, 0) + 1
            return totals

    def render(self) -> RenderableType:
        with self._lock:
            rows = [row for row in self.rows.values() if row.op != "same"]
            table = Table(title=self.title, title_justify="left", expand=False)
            table.add_column("")
            table.add_column("Operation")
            table.add_column("Type", style="cyan")
            table.add_column("Name")
            for row in rows[-VISIBLE_ROWS:]:
                mark = {"running": "…", "done": "✓", "failed": "✗"}[row.status]
                style = OP_STYLES.get(row.op, "")
                table.add_row(mark, Text(row.op, style=style), row.type, row.name)
            hidden = len(rows) - VISIBLE_ROWS
            parts: list[RenderableType] = [table]
            if hidden > 0:
                parts.append(Text(f"... and {hidden} more", style="dim"))
            unchanged = len(self.rows) - len(rows)
            if unchanged:
                parts.append(Text(f"{unchanged} resource(s) unchanged", style="dim"))
            parts += [Text(line, style="yellow") for line in self.diagnostics[-5:]]
            return Group(*parts)


class LiveProgress:
    """Redraws a `DeployProgress` while an operation runs."""

    def __init__(self, progress: DeployProgress, console: Console) -> None:
        self.progress = progress
        self.console = console
        self.live = Live(get_renderable=progress.render, console=console, refresh_per_second=4)

    def __enter__(self) -> DeployProgress:
        self.live.__enter__()
        return self.progress

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.live.__exit__(kind, error, traceback)
        if not self.console.is_terminal:  # rich leaves the last line open off a terminal
            self.console.line()
