"""YAML parsing keeps a line and column for every node and reports what PyYAML lets through."""

from __future__ import annotations

from wasmdeploy.manifest.problems import Problems
from wasmdeploy.manifest.source import parse_yaml

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
