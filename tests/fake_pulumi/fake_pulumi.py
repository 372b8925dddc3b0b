"""A recording stand-in for the `pulumi` CLI, answering as the real one does.

Installed by `tests.fake_pulumi.install` as an executable named `pulumi` in a
`.../pulumi/<version>/x64/` folder (where pulumi/actions puts the real one).
Beside it, `scenario.json` says how to answer (version, resources each
operation touches, outputs, exit codes and errors); every call is appended to
`calls.jsonl` (argv, cwd, environment, the project files in cwd); the stacks
live in `state.json`, as a self-managed backend would hold them.

What it answers, in the formats the Automation API parses: `version`;
`stack init|select|ls|output --json|history --json`; `config set`;
`preview|up|destroy|refresh` with engine events written to `--event-log`
(a file, or `tcp://` gRPC for CLIs after 3.205) and the CLI's exit codes and
stderr. It runs no program: the tests check the arguments, environment and
work directory it was given.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RECORDED_PREFIXES = ("PULUMI_", "AWS_", "WASMDEPLOY_")
OPERATIONS = ("preview", "up", "destroy", "refresh")
PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml", "Pulumi.json")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def load(name: str, default: Any) -> Any:
    path = HERE / name
    return json.loads(path.read_text()) if path.exists() else default


def record(argv: list[str]) -> None:
    cwd = Path.cwd()
    files = {p.name: p.read_text() for p in sorted(cwd.glob("Pulumi*.y*ml"))}
    entry = {
        "argv": argv,
        "cwd": str(cwd),
        "env": {k: v for k, v in os.environ.items() if k.startswith(RECORDED_PREFIXES)},
        "path": os.environ.get("PATH", ""),
        "files": files,
    }
    with (HERE / "calls.jsonl").open("a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")


def fail(message: str, code: int = 255) -> None:
    print(message, file=sys.stderr)
    raise SystemExit(code)


def option(argv: list[str], name: str) -> str | None:
    if name in argv:
        index = argv.index(name)
        return argv[index + 1] if index + 1 < len(argv) else None
    return None


def project_name() -> str:
    for name in PROJECT_FILES:
        path = Path.cwd() / name
        if path.exists():
            for line in path.read_text().splitlines():
                if line.startswith("name:"):
                    return line.split(":", 1)[1].strip().strip("'\"")
    fail("error: no Pulumi.yaml project file found (searching upwards from the work directory)")
    raise AssertionError


class Backend:
    """The stacks, keyed by backend URL, project and stack name."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = load("state.json", {})
        self.url = os.environ.get("PULUMI_BACKEND_URL") or "file://~"

    def stacks(self) -> dict[str, Any]:
        return self.data.setdefault(self.url, {}).setdefault(project_name(), {})

    def stack(self, name: str) -> dict[str, Any]:
        stacks = self.stacks()
        if name not in stacks:
            fail(f"error: no stack named '{name}' found")
        return stacks[name]

    def save(self) -> None:
        (HERE / "state.json").write_text(json.dumps(self.data, indent=1))


def needs_passphrase(stack: dict[str, Any]) -> None:
    if stack.get("secretsProvider") == "passphrase" and not (
        "PULUMI_CONFIG_PASSPHRASE" in os.environ or "PULUMI_CONFIG_PASSPHRASE_FILE" in os.environ
    ):
        fail(
            'error: constructing secrets manager of type "passphrase": passphrase must be set '
            "with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables"
        )


SALT = "encryptionsalt: v1:ZmFrZXNhbHQ=:v1:ZmFrZW5vbmNl:ZmFrZWNpcGhlcg=="


def write_stack_file(name: str, stack: dict[str, Any]) -> None:
    path = Path.cwd() / f"Pulumi.{name}.yaml"
    if path.exists() and not stack["config"]:  # `stack init` keeps a project's own settings
        text = path.read_text()
        if stack.get("secretsProvider") == "passphrase" and "encryptionsalt:" not in text:
            path.write_text(f"{SALT}\n{text}")
        return
    lines = []
    if stack.get("secretsProvider") == "passphrase":
        lines.append(SALT)
    if stack["config"]:
        lines.append("config:")
        lines += [f"  {key}: {json.dumps(value)}" for key, value in stack["config"].items()]
    path.write_text("\n".join(lines) + "\n")


def stack_command(argv: list[str], backend: Backend) -> None:
    sub = argv[1] if len(argv) > 1 else ""
    name = option(argv, "--stack")
    if sub == "init":
        name = argv[2]
        if name in backend.stacks():
            fail(f"error: stack '{name}' already exists")
        stack: dict[str, Any] = {"config": {}, "outputs": {}, "history": [], "resources": []}
        stack["secretsProvider"] = option(argv, "--secrets-provider") or "default"
        needs_passphrase(stack)
        backend.stacks()[name] = stack
        write_stack_file(name, stack)
        backend.save()
    elif sub == "select":
        backend.stack(name or "")
    elif sub == "output":
        print(json.dumps(backend.stack(name or "")["outputs"], indent=2))
    elif sub == "history":
        print(json.dumps(backend.stack(name or "")["history"][-1:], indent=2))
    elif sub == "ls":
        print(json.dumps([{"name": n, "current": False} for n in backend.stacks()]))
    else:
        fail(f"fake pulumi: unsupported `stack {sub}`", 2)


def config_command(argv: list[str], backend: Backend) -> None:
    if len(argv) < 3 or argv[1] != "set" or "--" not in argv:
        fail(f"fake pulumi: unsupported `{' '.join(argv)}`", 2)
    name = option(argv, "--stack") or ""
    stack = backend.stack(name)
    stack["config"][argv[2]] = argv[argv.index("--") + 1]
    write_stack_file(name, stack)
    backend.save()


def urn(stack: str, project: str, resource: dict[str, str]) -> str:
    return f"urn:pulumi:{stack}::{project}::{resource['type']}::{resource['name']}"


def engine_events(kind: str, stack: str, project: str, plan: dict[str, Any]) -> list[dict]:
    events: list[dict[str, Any]] = [{"preludeEvent": {"config": {}}}]
    counts: dict[str, int] = {}
    for resource in plan.get("resources", []):
        op = resource.get("op", {"destroy": "delete", "refresh": "refresh"}.get(kind, "create"))
        meta = {"op": op, "urn": urn(stack, project, resource), "type": resource["type"]}
        meta["provider"] = ""
        events.append({"resourcePreEvent": {"metadata": meta, "planning": kind == "preview"}})
        if resource.get("fails"):
            events.append({"resOpFailedEvent": {"metadata": meta, "status": 1, "steps": 1}})
            events.append({"diagnosticEvent": {"message": resource["fails"], "severity": "error"}})
        else:
            events.append({"resOutputsEvent": {"metadata": meta, "planning": kind == "preview"}})
        counts[op] = counts.get(op, 0) + 1
    events.append({"summaryEvent": {"durationSeconds": 1, "resourceChanges": counts}})
    events.append({"cancelEvent": {}})
    now = int(time.time())
    return [{"sequence": n, "timestamp": now, **event} for n, event in enumerate(events, 1)]


def send_events(target: str, events: list[dict[str, Any]]) -> None:
    if target.startswith("tcp://"):
        import grpc
        from pulumi.runtime.proto import events_pb2, events_pb2_grpc

        with grpc.insecure_channel(target[len("tcp://") :]) as channel:
            requests = (events_pb2.EventRequest(event=json.dumps(e)) for e in events)
            events_pb2_grpc.EventsStub(channel).StreamEvents(requests, timeout=30)
        return
    with open(target, "a", encoding="utf-8") as log:
        for event in events:
            log.write(json.dumps(event) + "\n")


def operation(kind: str, argv: list[str], backend: Backend, scenario: dict[str, Any]) -> None:
    name = option(argv, "--stack") or ""
    stack = backend.stack(name)
    needs_passphrase(stack)
    if kind != "preview" and "--yes" not in argv:
        fail("error: --yes must be passed in to proceed when running in non-interactive mode")
    plan = scenario.get(kind, {})
    target = option(argv, "--event-log")
    if target:
        send_events(target, engine_events(kind, name, project_name(), plan))
    print(plan.get("stdout", f"{kind} of {name}: done"))
    if plan.get("exit", 0):
        fail(plan.get("stderr", f"error: {kind} failed"), plan["exit"])
    if kind == "preview":
        return
    if kind == "up":
        stack["outputs"] = scenario.get("outputs", {})
    elif kind == "destroy":
        stack["outputs"] = {}
    now = datetime.now(tz=UTC).strftime(TIME_FORMAT)
    stack["history"].append(
        {
            "kind": "update" if kind == "up" else kind,
            "startTime": now,
            "endTime": now,
            "message": "",
            "environment": {"exec.kind": option(argv, "--exec-kind") or "cli"},
            "config": {k: {"value": v, "secret": False} for k, v in stack["config"].items()},
            "result": "succeeded",
            "version": len(stack["history"]) + 1,
            "resourceChanges": {},
        }
    )
    backend.save()


def main(argv: list[str]) -> None:
    record(argv)
    args = [a for a in argv if a != "--non-interactive"]
    scenario = load("scenario.json", {})
    if not args:
        fail("fake pulumi: no command", 2)
    if args[0] == "version":
        print(scenario.get("version", "v3.210.0"))
        return
    if args[0] == "whoami":
        print("fake-user")
        return
    backend = Backend()
    if args[0] == "stack":
        stack_command(args, backend)
    elif args[0] == "config":
        config_command(args, backend)
    elif args[0] in OPERATIONS:
        operation(args[0], args, backend, scenario)
    else:
        fail(f"fake pulumi: unsupported command `{' '.join(args)}`", 2)


if __name__ == "__main__":
    main(sys.argv[1:])
