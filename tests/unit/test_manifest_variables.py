"""Variable resolution: sources, fallbacks, nesting, embedding, errors at the right node."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wasmdeploy.manifest import variables
from wasmdeploy.manifest.problems import Problems
from wasmdeploy.manifest.source import MAX_VALUES
from wasmdeploy.manifest.variables import MAX_TEXT, VariableContext, resolve_variables


def resolve(
    data: dict[str, Any],
    options: dict[str, str | None] | None = None,
    environ: dict[str, str] | None = None,
) -> tuple[Any, Problems]:
    problems = Problems("wasmdeploy.yml")
    context = VariableContext(
        options=options or {}, environ=environ or {}, defaults={"stage": "dev", "region": "r"}
    )
    return resolve_variables(data, context, problems), problems


def test_opt_env_and_self_resolve_inside_strings() -> None:
    data = {
        "service": "svc",
        "provider": {"stage": "${opt:stage}"},
        "custom": {"bucket": "${self:service}-${self:provider.stage}-${env:SUFFIX}"},
    }
    resolved, problems = resolve(data, {"stage": "prod"}, {"SUFFIX": "x"})
    assert not problems.errors
    assert resolved["custom"]["bucket"] == "svc-prod-x"


def test_env_default_is_used_only_when_the_variable_is_unset() -> None:
    data = {"a": "${env:MODE, 'gray'}", "b": "${env:MODE, 'gray'}"}
    unset, _ = resolve(data)
    set_, _ = resolve(data, environ={"MODE": "color"})
    assert unset["a"] == "gray"
    assert set_["b"] == "color"


def test_numeric_fallback_keeps_its_type() -> None:
    resolved, problems = resolve({"memorySize": "${env:MEM, 512}"})
    assert not problems.errors
    assert resolved["memorySize"] == 512


def test_whole_value_self_reference_inserts_a_mapping() -> None:
    data = {"custom": {"limits": {"maxTime": "5s"}}, "sandbox": "${self:custom.limits}"}
    resolved, _ = resolve(data)
    assert resolved["sandbox"] == {"maxTime": "5s"}


def test_nested_variable_picks_the_environment_name() -> None:
    resolved, problems = resolve(
        {"url": "${env:${opt:stage}_URL}"}, {"stage": "prod"}, {"prod_URL": "https://p"}
    )
    assert not problems.errors
    assert resolved["url"] == "https://p"


def test_fallback_can_be_another_variable() -> None:
    data = {"provider": {"stage": "${opt:stage, ${self:custom.stage}}"}, "custom": {"stage": "qa"}}
    resolved, _ = resolve(data)
    assert resolved["provider"]["stage"] == "qa"


def test_self_reference_through_a_list_index() -> None:
    data = {
        "items": [{"name": "first"}],
        "pick": "${self:items[0].name}",
        "dot": "${self:items.0.name}",
    }
    resolved, _ = resolve(data)
    assert resolved["pick"] == resolved["dot"] == "first"


def test_sls_stage_is_the_effective_stage() -> None:
    resolved, _ = resolve({"name": "svc-${sls:stage}"})
    assert resolved["name"] == "svc-dev"


def test_unset_option_is_an_error_at_its_node_with_a_hint() -> None:
    _, problems = resolve({"provider": {"stage": "${opt:stage}"}})
    [error] = problems.errors
    assert error.path == "provider.stage"
    assert "--stage" in error.message
    assert error.hint and "${opt:stage, 'dev'}" in error.hint


def test_missing_self_path_is_reported() -> None:
    _, problems = resolve({"a": "${self:custom.nope}"})
    assert [e.path for e in problems.errors] == ["a"]
    assert "custom.nope" in problems.errors[0].message


def test_cycle_is_reported_at_each_member_once() -> None:
    _, problems = resolve({"a": "${self:b}", "b": "${self:a}", "c": "fine"})
    assert sorted(e.path for e in problems.errors) == ["a", "b"]
    assert all("cycle" in e.message for e in problems.errors)


def test_self_reference_to_itself_is_a_cycle() -> None:
    _, problems = resolve({"a": {"b": "${self:a}"}})
    assert problems.errors and "cycle" in problems.errors[0].message


def test_unknown_source_and_unterminated_variable_are_errors() -> None:
    _, problems = resolve({"a": "${ssm:/x}", "b": "${env:X", "c": "${justtext}"})
    assert sorted(e.path for e in problems.errors) == ["a", "b", "c"]


def test_mapping_cannot_be_embedded_in_a_string() -> None:
    _, problems = resolve({"m": {"k": 1}, "s": "x-${self:m}"})
    assert [e.path for e in problems.errors] == ["s"]


def test_text_from_the_environment_is_not_resolved_again() -> None:
    resolved, problems = resolve({"a": "${env:RAW}"}, environ={"RAW": "${env:OTHER}"})
    assert not problems.errors
    assert resolved["a"] == "${env:OTHER}"


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("${}:,'\" .[]0aenvoptselfSTAGE")), max_size=40))
def test_any_string_resolves_or_reports_but_never_raises(text: str) -> None:
    data = {"custom": {"x": "1"}, "value": text, "other": "${self:value}"}
    resolved, problems = resolve(data, {"stage": "dev"}, {"STAGE": "s"})
    assert isinstance(resolved, dict)
    for error in problems.errors:
        assert error.path in ("value", "other")


def doubling(levels: int, template: str) -> dict[str, Any]:
    """custom.v0 = 'ha'; each custom.vN is `template` filled with a reference to v(N-1)."""
    custom: dict[str, Any] = {"v0": "ha"}
    for level in range(1, levels):
        custom[f"v{level}"] = template.format(ref=f"${{self:custom.v{level - 1}}}")
    return {"service": "svc", "custom": custom}


def test_strings_that_double_each_other_stop_with_one_error() -> None:
    resolved, problems = resolve(doubling(40, "{ref}{ref}"))
    assert resolved is None
    [error] = problems.errors
    assert f"{MAX_TEXT:,} characters" in error.message
    assert error.path.startswith("custom.v")


@pytest.mark.parametrize(
    ("first", "make"),
    [
        (["ha"], lambda ref: [ref, ref]),
        ({"x": 1}, lambda ref: {"a": ref, "b": ref}),
        ({"x": 1}, lambda ref: {"list": [ref, {"again": ref}]}),
    ],
    ids=["lists", "mappings", "mixed"],
)
def test_structures_that_double_each_other_stop_with_one_error(first: Any, make: Any) -> None:
    custom = {"v0": first} | {f"v{n}": make(f"${{self:custom.v{n - 1}}}") for n in range(1, 40)}
    resolved, problems = resolve({"service": "svc", "custom": custom})
    assert resolved is None
    [error] = problems.errors
    assert f"more than {MAX_VALUES:,} values" in error.message


def test_fallbacks_are_bounded_like_values() -> None:
    data = doubling(40, "${{env:NOPE, '{ref}{ref}'}}")
    resolved, problems = resolve(data)
    assert resolved is None and len(problems.errors) == 1


def test_the_number_of_variables_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(variables, "MAX_SUBSTITUTIONS", 10)
    data = {"custom": {f"k{n}": "${opt:stage}" for n in range(11)}}
    resolved, problems = resolve(data, {"stage": "prod"})
    assert resolved is None
    assert "more than 10 variables" in problems.errors[0].message
    ten = {"custom": {f"k{n}": "${opt:stage}" for n in range(10)}}
    fine, problems = resolve(ten, {"stage": "p"})
    assert not problems.errors and fine["custom"]["k9"] == "p"


def test_a_value_inserted_a_few_times_is_fine() -> None:
    resolved, problems = resolve(doubling(12, "{ref}{ref}"))
    assert not problems.errors
    assert resolved["custom"]["v11"] == "ha" * 2**11
