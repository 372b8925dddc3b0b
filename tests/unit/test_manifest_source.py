"""YAML parsing keeps a line and column for every node and reports what PyYAML lets through."""

from __future__ import annotations

from wasmdeploy.manifest.problems import Problems
from wasmdeploy.manifest.source import MAX_VALUES, parse_yaml

TEXT = """\
service: svc
functions:
  resize:
    handler: mod
    events:
      - s3:
          bucket: images
"""


def parse(text: str) -> tuple[object, Problems]:
    problems = Problems("wasmdeploy.yml")
    return parse_yaml(text, problems), problems


def test_every_value_has_its_line_and_column() -> None:
    data, problems = parse(TEXT)
    assert data == {
        "service": "svc",
        "functions": {"resize": {"handler": "mod", "events": [{"s3": {"bucket": "images"}}]}},
    }
    marks = problems.locations
    bucket = marks.of(("functions", "resize", "events", 0, "s3", "bucket"))
    assert (bucket.line, bucket.column) == (7, 19)
    handler = marks.of(("functions", "resize", "handler"))
    assert (handler.line, handler.column) == (4, 14)


def test_a_block_value_points_at_its_key() -> None:
    _, problems = parse(TEXT)
    events = problems.locations.of(("functions", "resize", "events"))
    assert (events.line, events.column) == (5, 5)


def test_a_missing_node_falls_back_to_its_nearest_ancestor() -> None:
    _, problems = parse(TEXT)
    mark = problems.locations.of(("functions", "resize", "timeout"))
    assert mark.line == 3


def test_duplicate_keys_are_errors() -> None:
    data, problems = parse("service: a\nservice: b\n")
    assert data == {"service": "a"}
    [error] = problems.errors
    assert (error.path, error.line) == ("service", 2)
    assert "duplicate key" in error.message


def test_syntax_error_is_reported_at_its_line() -> None:
    data, problems = parse("service: a\nfunctions:\n  f: {handler: x\n")
    assert data is None
    [error] = problems.errors
    assert error.message.startswith("YAML syntax error")


def test_recursive_alias_is_refused_not_followed_forever() -> None:
    _, problems = parse("a: &x\n  b: *x\n")
    assert problems.errors and "cycle" in problems.errors[0].message


def test_merge_keys_work() -> None:
    data, problems = parse("base: &b {memorySize: 256}\nf:\n  <<: *b\n  timeout: 3\n")
    assert not problems.errors
    assert data == {"base": {"memorySize": 256}, "f": {"memorySize": 256, "timeout": 3}}


def test_control_characters_and_empty_documents_are_reported() -> None:
    assert parse("service: \x07\n")[1].errors
    data, problems = parse("# only a comment\n")
    assert data is None and "empty" in problems.errors[0].message


def laughs(levels: int, width: int = 10) -> str:
    """The billion laughs: each anchor is a list of `width` aliases of the one before."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_chain_that_multiplies_stops_with_one_clear_error() -> None:
    data, problems = parse(laughs(10))
    assert data is None
    [error] = problems.errors
    assert "alias" in error.message and f"{MAX_VALUES:,}" in error.message


def test_aliases_of_mappings_and_merge_keys_are_bounded_too() -> None:
    mappings = ["m0: &m0 {a: 1, b: 2}"]
    merges = ["k0: &k0 {x0: 1}"]
    for level in range(1, 40):
        mappings.append(f"m{level}: &m{level} {{a: *m{level - 1}, b: *m{level - 1}}}")
        merges.append(f"k{level}: &k{level} {{<<: [*k{level - 1}, *k{level - 1}], x{level}: 1}}")
    for text in ("\n".join(mappings), "\n".join(merges) + "\nuse: [" + "*k39, " * 30 + "]"):
        data, problems = parse(text)
        assert data is None and len(problems.errors) == 1
        assert "alias" in problems.errors[0].message


def test_a_few_aliases_of_a_large_block_are_fine() -> None:
    data, problems = parse(laughs(4))
    assert not problems.errors
    assert isinstance(data, dict) and len(data["a3"]) == 10 and data["a3"][0][0][0][0] == "lol"


def test_merge_keys_let_the_mappings_own_keys_win_and_earlier_sources_win() -> None:
    text = "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  x: 3\n"
    data, problems = parse(text)
    assert not problems.errors
    assert data["c"] == {"x": 3, "y": 1, "z": 2}
    assert problems.locations.of(("c", "x")).line == 5
    assert problems.locations.of(("c", "z")).line == 2


def test_merging_a_scalar_is_an_error() -> None:
    _, problems = parse("a:\n  <<: 3\n  b: 1\n")
    assert "merge" in problems.errors[0].message


def test_a_document_of_too_many_plain_values_is_refused_too() -> None:
    data, problems = parse("items: [" + ", ".join(["1"] * (MAX_VALUES + 1)) + "]\n")
    assert data is None
    assert f"more than {MAX_VALUES:,} values" in problems.errors[0].message
