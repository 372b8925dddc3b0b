"""Light commands never pay for pulumi: only running a stack command imports it."""

from __future__ import annotations

import subprocess
import sys

import pytest

LIGHT_MODULES = [
    "wasmdeploy.stacks",
    "wasmdeploy.stacks.remote",
    "wasmdeploy.stacks.logs",
    "wasmdeploy.cli.plan",
    "wasmdeploy.cli.deploy",
    "wasmdeploy.cli.logs",
]


@pytest.mark.parametrize("module", LIGHT_MODULES)
def test_module_imports_without_pulumi(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('pulumi', 'pulumi_aws'))\n"
        "print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_help_of_the_stack_commands_does_not_import_pulumi() -> None:
    code = (
        "import sys\n"
        "from wasmdeploy.cli.main import main\n"
        "try:\n"
        "    main(['plan', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('pulumi' in sys.modules, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "--json" in result.stdout
    assert result.stderr.strip().endswith("False")
