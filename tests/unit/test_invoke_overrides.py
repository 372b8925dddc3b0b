"""`invoke --env`, `--env-file` and `--context`: what one local run may override."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from stacks_factories import make_edge_function, make_function

from wasmdeploy.errors import UserError
from wasmdeploy.local.invoke_overrides import (
    client_context,
    parse_assignment,
    read_env_file,
    with_environment,
)


def test_assignment_keeps_everything_after_the_first_equals_sign() -> None:
    assert parse_assignment("URL=http://x/?a=b", "--env") == ("URL", "http://x/?a=b")
    assert parse_assignment("EMPTY=", "--env") == ("EMPTY", "")


@pytest.mark.parametrize("text", ["NOEQUALS", "1ABC=x", "A-B=x", "=x"])
def test_malformed_assignments_are_refused_with_an_example(text: str) -> None:
    with pytest.raises(UserError, match="is not KEY=VALUE") as raised:
        parse_assignment(text, "--env")
    assert "--env MODE=fast" in (raised.value.hint or "")


def test_lambdas_reserved_variables_cannot_be_set() -> None:
    with pytest.raises(UserError, match="AWS_REGION is reserved"):
        parse_assignment("AWS_REGION=mars-1", "--env")


def test_dotenv_files_take_comments_quotes_and_export(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "# settings\nexport MODE=fast\nGREETING=\"hello\\nworld\"\nRAW='a b # c'\n"
        "TRAILING=value # a comment\n\n"
    )
    assert read_env_file(env, "fn") == {
        "MODE": "fast",
        "GREETING": "hello\nworld",
        "RAW": "a b # c",
        "TRAILING": "value",
    }


def test_a_bad_dotenv_line_names_its_file_and_line(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("GOOD=1\nthis is not an assignment\n")
    with pytest.raises(UserError, match=r"\.env:2: 'this is not an assignment'"):
        read_env_file(env, "fn")


def test_sam_json_gives_the_function_entries_precedence(tmp_path: Path) -> None:
    env = tmp_path / "env.json"
    env.write_text(json.dumps({"Parameters": {"A": "all", "B": "all"}, "fn": {"B": 2}, "x": {}}))
    assert read_env_file(env, "fn") == {"A": "all", "B": "2"}


def test_env_overrides_apply_over_the_manifest_file_first_then_flags(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("MODE=file\nLEVEL=3\n")
    function = make_function(tmp_path, "fn", environment={"MODE": "manifest", "KEEP": "1"})
    changed = with_environment(function, env, ["MODE=flag"])
    assert changed.environment == {"MODE": "flag", "KEEP": "1", "LEVEL": "3"}
    assert function.environment["MODE"] == "manifest"  # the model itself is unchanged
    assert with_environment(function, None, []) is function


def test_edge_functions_take_no_environment(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="has no environment variables"):
        with_environment(make_edge_function(tmp_path, "rewrite"), None, ["A=1"])


def test_client_context_must_be_a_json_object() -> None:
    assert client_context('{"custom": {"a": 1}}') == '{"custom":{"a":1}}'
    assert client_context(None) is None
    with pytest.raises(UserError, match="must be a JSON object"):
        client_context("[1]")
    with pytest.raises(UserError, match="is not JSON"):
        client_context("{oops")
