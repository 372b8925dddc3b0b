"""The GitHub Actions workflow of a new service, from `wasmdeploy.ci`.

Written only when the new service is the root of its own future repository:
a workflow inside a subdirectory of an existing repository would never run,
and that repository's owner runs `wasmdeploy ci github` from its root instead.
"""

from __future__ import annotations

from pathlib import Path

from wasmdeploy.errors import UserError


def add_github_workflow(service_dir: Path, install: str | None = None) -> list[str]:
    """Write `.github/workflows/wasmdeploy.yml` in `service_dir`; return lines for the user.

    `install` is the pip requirement the workflow installs wasmdeploy with (default: this
    exact wasmdeploy, when a runner can reach where it came from)."""
    from wasmdeploy.ci.files import find_repository_root

    repository = find_repository_root(service_dir)
    if repository is not None:
        return [
            f"No workflow written: {service_dir} is inside the git repository {repository};",
            "  run `wasmdeploy ci github` there to add one.",
        ]
    from wasmdeploy.ci.github_setup import GithubRequest, generate_github_workflow

    try:
        generated = generate_github_workflow(
            GithubRequest(cwd=service_dir, install=install, command_line="wasmdeploy init")
        )
    except UserError as error:
        lines = [f"No workflow written: {error.message}"]
        if error.hint:
            lines.append(f"  To add it, {error.hint} (to init, or later to `ci github`).")
        return lines
    relative = generated.path.resolve().relative_to(service_dir.resolve())
    lines = [f"Wrote the GitHub Actions workflow {relative}. To finish its setup:"]
    lines += [f"  {number}. {note}" for number, note in enumerate(generated.notes, start=1)]
    return lines
