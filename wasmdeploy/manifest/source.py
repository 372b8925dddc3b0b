"""Parse the manifest's YAML into plain data, keeping the line and column of every node.

PyYAML's composer gives each node a start mark; this module walks the node tree
with the safe constructor for scalars and records, for every node path, where
its value (and its key) starts. Duplicate keys and recursive aliases, which
PyYAML accepts silently, are reported as problems.

An alias is read as a copy of its anchor's value, so aliases of aliases multiply
a document's size (the "billion laughs"): the walk counts the values it produces
and stops at `MAX_VALUES`, long before time or memory run out; and a first pass,
one visit per node, refuses most such documents before the walk begins. Merge keys
(`<<: *base`) are applied here too, with the mapping's own keys winning and
each key kept once, so merging cannot multiply a mapping either.
"""

from __future__ import annotations

from typing import Any

import yaml

from wasmdeploy.manifest.cfn_tags import as_intrinsic, intrinsic_function, untagged
from wasmdeploy.manifest.problems import Mark, NodePath, Problems

# libyaml's parser when PyYAML was built with it (several times faster), else the pure one;
# both give every node its start mark, and only their composer and constructors are used.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_VALUES = 100_000  # several times a large real manifest; tens of MB to walk, at most
_MERGE_TAG = "tag:yaml.org,2002:merge"
_VALUE_TAG = "tag:yaml.org,2002:value"


class _TooManyValues(Exception):
    pass


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


class _Walker:
    def __init__(self, loader: yaml.SafeLoader, problems: Problems) -> None:
        self.loader = loader
        self.problems = problems
        self.active: set[int] = set()
        self.count = 0

    def value(self, node: yaml.Node, path: NodePath) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise _TooManyValues
        self.problems.locations.values[path] = _mark(node)
        if id(node) in self.active:
            self.problems.error(path, "this alias refers to a node that contains it (a cycle)")
            return None
        function = intrinsic_function(node.tag)
        if function is not None:  # !Ref X, !GetAtt X.Arn...: CloudFormation's long form
            return as_intrinsic(function, self.value(untagged(node), path))
        if isinstance(node, yaml.MappingNode):
            self.active.add(id(node))
            try:
                return self.mapping(node, path)
            finally:
                self.active.discard(id(node))
        if isinstance(node, yaml.SequenceNode):
            self.active.add(id(node))
            try:
                return [self.value(item, (*path, i)) for i, item in enumerate(node.value)]
            finally:
                self.active.discard(id(node))
        return self.scalar(node, path)

    def scalar(self, node: yaml.Node, path: NodePath) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as error:
            self.problems.error(path, f"cannot read this value: {error.problem}")
        except (ValueError, OverflowError) as error:  # e.g. an impossible timestamp
            self.problems.error(path, f"cannot read this value: {error}")
        return None

    def mapping(self, node: yaml.MappingNode, path: NodePath) -> dict[str, Any]:
        own: dict[str, Any] = {}
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.locations.values[path] = _mark(key_node)
                self.problems.error(path, "a key must be a plain string, not a list or mapping")
                continue
            if key_node.tag == _MERGE_TAG:
                merges.append(value_node)
                continue
            key = "=" if key_node.tag == _VALUE_TAG else self.scalar(key_node, path)
            if not isinstance(key, str):
                key = str(key).lower() if isinstance(key, bool) else str(key)
            child: NodePath = (*path, key)
            if key in own:
                self.problems.locations.keys[child] = _mark(key_node)
                self.problems.error(
                    child,
                    f"duplicate key '{key}' (the later value would silently win)",
                    hint="Keep one of them.",
                    key=True,
                )
                continue
            own[key] = (key_node, value_node)
        result = self.merged(merges, path, set(own))
        for key, (key_node, value_node) in own.items():
            child = (*path, key)
            self.problems.locations.keys[child] = _mark(key_node)
            result[key] = self.value(value_node, child)
            if not isinstance(value_node, yaml.ScalarNode):
                # A block under its key starts on the next line: point at the key instead.
                self.problems.locations.values[child] = _mark(key_node)
        return result

    def merged(self, merges: list[yaml.Node], path: NodePath, own: set[str]) -> dict[str, Any]:
        """The keys `<<:` brings in that the mapping does not set itself; earlier sources win."""
        result: dict[str, Any] = {}
        mark = self.problems.locations.values.get(path)
        for merge in merges:
            sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
            for source in sources:
                if not isinstance(source, yaml.MappingNode):
                    self.problems.locations.values[path] = _mark(merge)
                    self.problems.error(
                        path,
                        "cannot merge this mapping: `<<:` takes a mapping or a list of mappings",
                        hint="Write `<<: *anchor` or `<<: [*one, *two]`.",
                    )
                    continue
                value = self.value(source, path)
                for key, item in (value or {}).items():
                    if key not in own and key not in result:
                        result[key] = item
        if mark is not None:
            self.problems.locations.values[path] = mark  # the mapping's own place, not a source's
        return result


def _least_size(node: yaml.Node, sizes: dict[int, int], active: set[int]) -> int:
    """At least how many values the walk will make of `node`: an alias counts at each place it
    stands, a merge only its largest source. One visit per node (`sizes` remembers them)."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    if id(node) in active or isinstance(node, yaml.ScalarNode):
        return 1  # a scalar, or a cycle (the walk reports it)
    active.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        total = 1 + sum(_least_size(item, sizes, active) for item in node.value)
    else:
        total, merged = 1, 0
        for key, value in node.value:
            size = _least_size(value, sizes, active)
            if key.tag != _MERGE_TAG:
                total += size
            elif isinstance(value, yaml.SequenceNode):
                merged = max([merged, *(_least_size(v, sizes, active) - 1 for v in value.value)])
            else:
                merged = max(merged, size - 1)
        total += merged
    active.discard(id(node))
    sizes[id(node)] = total
    return total


def parse_yaml(text: str, problems: Problems) -> Any:
    """The document's data, or None after reporting a syntax error into `problems`."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as error:
        _report_reader_error(text, error, problems)
        return None
    try:
        root = loader.get_single_node()
        if root is None:
            problems.error((), "the manifest is empty", hint="Start with `service: my-service`.")
            return None
        if _least_size(root, {}, set()) > MAX_VALUES:
            raise _TooManyValues
        return _Walker(loader, problems).value(root, ())
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if mark is not None:
            problems.locations.values[("(yaml)",)] = Mark(mark.line + 1, mark.column + 1)
        reason = error.problem or error.context or "invalid YAML"
        problems.error(("(yaml)",), f"YAML syntax error: {reason}")
        return None
    except yaml.reader.ReaderError as error:
        _report_reader_error(text, error, problems)
        return None
    except yaml.YAMLError as error:
        problems.error((), f"YAML error: {error}")
        return None
    except RecursionError:
        problems.error((), "the YAML is nested too deeply to read")
        return None
    except _TooManyValues:
        problems.error(
            (),
            f"the manifest expands to more than {MAX_VALUES:,} values "
            "(a YAML alias, *name, counts as a copy of its anchor's value)",
            hint="Write repeated parts once: aliases of lists of aliases multiply a document.",
        )
        return None
    finally:
        loader.dispose()


def _report_reader_error(text: str, error: yaml.reader.ReaderError, problems: Problems) -> None:
    before = text[: error.position]
    line = before.count("\n") + 1
    column = error.position - (before.rfind("\n") + 1) + 1
    problems.locations.values[("(yaml)",)] = Mark(line, column)
    problems.error(
        ("(yaml)",),
        f"YAML cannot contain the control character {error.character:#06x}",
        hint="Remove it (it is often pasted in by accident).",
    )
