"""Safe YAML loading that remembers where every value came from.

``load_marked`` returns plain Python data plus a table from document paths
(``("rules", 0, "when")``) to 1-based ``(line, column)`` so that every later
compiler stage can point at the exact spot of a problem.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..core._errors import ErrorCode, PackIssue

__all__ = ["KEY_MARK", "Marks", "load_marked"]

#: The last element of a path whose mark is the position of the key, not its value.
KEY_MARK = "\x00key"
_MERGE_TAG = "tag:yaml.org,2002:merge"

Path = tuple[str | int, ...]
Marks = dict[Path, tuple[int, int]]


class _Duplicate(Exception):
    def __init__(self, key: str, node: yaml.Node) -> None:
        self.key = key
        self.node = node


def _convert(node: yaml.Node, loader: yaml.SafeLoader, path: Path, marks: Marks) -> Any:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        explicit = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE_TAG)
        loader.flatten_mapping(node)  # resolves YAML merge keys (<<), merged pairs first
        merged = len(node.value) - explicit
        out: dict[Any, Any] = {}
        own: set[Any] = set()
        for index, (key_node, value_node) in enumerate(node.value):
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            if index >= merged:  # a key written here may override a merged one, once
                if key in own:
                    raise _Duplicate(key, key_node)
                own.add(key)
            marks[(*path, key, KEY_MARK)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            out[key] = _convert(value_node, loader, (*path, key), marks)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, loader, (*path, i), marks) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def load_marked(text: str, file: str) -> tuple[Any, Marks, list[PackIssue]]:
    """Parse ``text``; on a syntax error return ``None`` and the located issue."""
    marks: Marks = {}
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, marks, []
        return _convert(node, loader, (), marks), marks, []
    except _Duplicate as dup:
        mark = dup.node.start_mark
        issue = PackIssue(
            ErrorCode.YAML_SYNTAX,
            f"key {dup.key!r} appears twice in the same mapping",
            file=file,
            line=mark.line + 1,
            column=mark.column + 1,
            input=dup.key,
            hint="Keep one of them; YAML would silently use the last.",
        )
        return None, marks, [issue]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        issue = PackIssue(
            ErrorCode.YAML_SYNTAX,
            f"{exc.problem or exc.context or 'invalid YAML'}",
            file=file,
            line=(mark.line + 1) if mark else 0,
            column=(mark.column + 1) if mark else 0,
            hint="Fix the YAML syntax (indentation, quoting, colons).",
        )
        return None, marks, [issue]
    except yaml.YAMLError as exc:
        return None, marks, [PackIssue(ErrorCode.YAML_SYNTAX, str(exc), file=file)]
    finally:
        loader.dispose()
