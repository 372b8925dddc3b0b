"""Workflows as YAML: key order kept, multi-line scripts as literal blocks."""

from __future__ import annotations

from typing import Any

import yaml


class WorkflowDumper(yaml.SafeDumper):
    """Block style throughout; never wraps long lines (GitHub expressions stay whole)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as GitHub's own examples do.
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: object) -> bool:
        # Anchors and aliases (&id001) are valid YAML but confuse people reading a workflow.
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


WorkflowDumper.add_representer(str, _represent_str)


def dump_workflow(workflow: dict[str, Any], header: str | None = None) -> str:
    """The YAML text of a workflow (or an action), with an optional comment header."""
    text = yaml.dump(
        workflow,
        Dumper=WorkflowDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=1_000_000,
    )
    if header:
        comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
        text = comment + "\n" + text
    return text
