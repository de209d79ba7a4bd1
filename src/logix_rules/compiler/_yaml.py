"""Safe YAML loading that remembers where every value came from.

``load_marked`` returns plain Python data plus a table from document paths
(``("rules", 0, "when")``) to 1-based ``(line, column)`` so that every later
compiler stage can point at the exact spot of a problem.

Loading is bounded (``_limits``): collections nest at most ``MAX_YAML_DEPTH`` deep,
aliases and merge keys may add at most ``MAX_YAML_NODES`` nodes and ``MAX_YAML_CHARS``
characters to the document (billion laughs), an alias may not contain itself, and
mapping keys are plain scalars.  Every problem, including a character YAML does not
accept and a value its tag cannot build, is a located issue, never an exception.
"""

from __future__ import annotations

import datetime
from typing import Any

import yaml

from ..core._errors import ErrorCode, PackIssue
from ._limits import MAX_YAML_CHARS, MAX_YAML_DEPTH, MAX_YAML_NODES

__all__ = ["KEY_MARK", "Marks", "load_marked"]

#: The last element of a path whose mark is the position of the key, not its value.
KEY_MARK = "\x00key"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
# What the safe constructor may build from a scalar; anything else (!!binary) is refused.
_SCALAR_TYPES = (str, int, float, bool, type(None), datetime.date)

Path = tuple[str | int, ...]
Marks = dict[Path, tuple[int, int]]


class _Problem(Exception):
    """A located problem found while reading: becomes one ``PackIssue``."""

    def __init__(
        self, code: ErrorCode, msg: str, mark: yaml.Mark | None, hint: str, key: Any = None
    ) -> None:
        super().__init__(msg)
        self.code, self.msg, self.mark, self.hint, self.key = code, msg, mark, hint, key


def _too_complex(msg: str, node: yaml.Node, mark: yaml.Mark | None = None) -> _Problem:
    return _Problem(
        ErrorCode.YAML_TOO_COMPLEX,
        msg,
        mark or node.start_mark,
        "Write the pack out plainly; anchors and aliases are for sharing a few small values.",
    )


class _Loader(yaml.SafeLoader):
    """The safe loader, composing at most ``MAX_YAML_DEPTH`` levels (PyYAML's composer
    recurses, so a deeper document would otherwise end in ``RecursionError``)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.depth = 0
        self.composed = 0
        # Where each alias is written: (id of its parent, index or id of its key node).
        self.aliases: dict[tuple[int, int], yaml.Mark] = {}

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                raise _Problem(
                    ErrorCode.YAML_TOO_COMPLEX,
                    f"collections nest more than {MAX_YAML_DEPTH} levels deep",
                    self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                    "A pack needs a handful of levels; flatten the structure.",
                )
            if self.check_event(yaml.AliasEvent):
                if parent is not None:
                    where = index if isinstance(index, int) else id(index)
                    self.aliases[(id(parent), where)] = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            else:
                self.composed += 1
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Converter:
    """Turns the composed node graph into plain data and marks, within the budgets."""

    def __init__(self, loader: _Loader, text: str) -> None:
        self.loader = loader
        self.marks: Marks = {}
        # Aliases may add this much to what the text itself holds.
        self.nodes_left = loader.composed + MAX_YAML_NODES
        self.chars_left = len(text) + MAX_YAML_CHARS
        self.active: set[int] = set()  # the collections being converted: an alias loop
        self.merged: dict[int, int] = {}

    def spend(self, node: yaml.Node, chars: int, via: yaml.Mark | None = None) -> None:
        self.nodes_left -= 1
        self.chars_left -= chars
        if self.nodes_left < 0 or self.chars_left < 0:
            raise _too_complex(
                f"aliases expand the document past {MAX_YAML_NODES:,} extra values or "
                f"{MAX_YAML_CHARS:,} extra characters",
                node,
                via,
            )

    def via(self, parent: yaml.Node, index: int | yaml.Node) -> yaml.Mark | None:
        """Where the alias is written that puts a child under ``parent``, if it is one."""
        return self.loader.aliases.get((id(parent), index if isinstance(index, int) else id(index)))

    def convert(self, node: yaml.Node, path: Path, via: yaml.Mark | None = None) -> Any:
        self.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, via)
        if len(self.active) >= MAX_YAML_DEPTH:
            raise _too_complex(
                f"aliases nest collections more than {MAX_YAML_DEPTH} deep", node, via
            )
        if id(node) in self.active:
            raise _too_complex("an alias refers to a collection that contains it", node, via)
        if node.tag not in _COLLECTION_TAGS:  # !!set, !!omap, !!python/...: never built
            raise _Problem(
                ErrorCode.YAML_SYNTAX,
                f"the tag {node.tag!r} cannot appear in a pack",
                node.start_mark,
                "Write plain mappings and lists.",
            )
        self.spend(node, 0, via)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, path)
            return [
                self.convert(item, (*path, i), self.via(node, i))
                for i, item in enumerate(node.value)
            ]
        finally:
            self.active.discard(id(node))

    def scalar(self, node: yaml.ScalarNode, via: yaml.Mark | None = None) -> Any:
        self.spend(node, len(node.value), via)
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.YAMLError:
            raise
        except Exception as exc:
            # PyYAML's constructors fail in their own ways on odd scalars: '!!int abc',
            # an empty '!!int', a date in year 0, an integer of 5,000 digits...
            why = str(exc).splitlines()[0][:100] if isinstance(exc, ValueError) else ""
            raise _Problem(
                ErrorCode.YAML_SYNTAX,
                f"this value is not a valid {node.tag.rsplit(':', 1)[-1]}"
                + (f" ({why})" if why else ""),
                node.start_mark,
                "Quote it to keep it as text.",
            ) from None
        if not isinstance(value, _SCALAR_TYPES):
            raise _Problem(
                ErrorCode.YAML_SYNTAX,
                f"a {type(value).__name__} value ({node.tag}) cannot appear in a pack",
                node.start_mark,
                "Write text, numbers, true/false or null.",
            )
        return value

    def mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        explicit = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE_TAG)
        if explicit != len(node.value):
            # Count the pairs merge keys bring before PyYAML copies them (it recurses
            # and copies without a bound).
            if self.merged_size(node, set()) > self.nodes_left:
                raise _too_complex(
                    f"merge keys (<<) expand the document past {MAX_YAML_NODES:,} values", node
                )
            self.loader.flatten_mapping(node)  # resolves YAML merge keys (<<), merged pairs first
        merged = len(node.value) - explicit
        out: dict[str, Any] = {}
        own: set[str] = set()
        for index, (key_node, value_node) in enumerate(node.value):
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Problem(
                    ErrorCode.YAML_SYNTAX,
                    "a mapping key must be plain text, not a list or a mapping",
                    key_node.start_mark,
                    "Pack keys are names such as 'when' or 'P1'.",
                )
            key = self.scalar(key_node)
            if not isinstance(key, str):
                key = str(key)
            if index >= merged:  # a key written here may override a merged one, once
                if key in own:
                    raise _Problem(
                        ErrorCode.YAML_SYNTAX,
                        f"key {key!r} appears twice in the same mapping",
                        key_node.start_mark,
                        "Keep one of them; YAML would silently use the last.",
                        key=key,
                    )
                own.add(key)
            self.marks[(*path, key, KEY_MARK)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            out[key] = self.convert(value_node, (*path, key), self.via(node, key_node))
        return out

    def merged_size(self, node: yaml.MappingNode, active: set[int]) -> int:
        """How many pairs ``node`` has once its merge keys are resolved."""
        if id(node) in self.merged:
            return self.merged[id(node)]
        if id(node) in active:
            raise _too_complex("a merge key (<<) refers to a mapping that contains it", node)
        if len(active) >= MAX_YAML_DEPTH:
            raise _too_complex(f"merge keys (<<) nest more than {MAX_YAML_DEPTH} deep", node)
        active.add(id(node))
        total = 0
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE_TAG:
                total += 1
                continue
            sources = (
                value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            )
            for source in sources:
                if isinstance(source, yaml.MappingNode):
                    total += self.merged_size(source, active)
            if total > MAX_YAML_NODES:
                break
        active.discard(id(node))
        self.merged[id(node)] = total
        return total


def load_marked(text: str, file: str) -> tuple[Any, Marks, list[PackIssue]]:
    """Parse ``text``; on a problem return ``None`` and the located issue."""
    loader: _Loader | None = None
    try:
        loader = _Loader(text)  # reads the text: a character YAML refuses raises here
        node = loader.get_single_node()
        if node is None:
            return None, {}, []
        converter = _Converter(loader, text)
        return converter.convert(node, ()), converter.marks, []
    except _Problem as problem:
        mark = problem.mark
        issue = PackIssue(
            problem.code,
            problem.msg,
            file=file,
            line=(mark.line + 1) if mark else 0,
            column=(mark.column + 1) if mark else 0,
            input=problem.key,
            hint=problem.hint,
        )
        return None, {}, [issue]
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
        return None, {}, [issue]
    except yaml.reader.ReaderError as exc:
        line, column = _position(text, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        issue = PackIssue(
            ErrorCode.YAML_SYNTAX,
            f"the character #x{code:04x} is not allowed in YAML",
            file=file,
            line=line,
            column=column,
            hint="Remove it; in a double-quoted string write it as an escape such as \\x00.",
        )
        return None, {}, [issue]
    except yaml.YAMLError as exc:
        return None, {}, [PackIssue(ErrorCode.YAML_SYNTAX, str(exc), file=file)]
    except Exception as exc:
        # PyYAML's own failures on odd text, e.g. ValueError for an escape such as
        # "\U99999999" that names no character: located where the reader stopped.
        mark = loader.get_mark() if loader is not None else None
        why = (str(exc).splitlines() or [""])[0][:100]
        issue = PackIssue(
            ErrorCode.YAML_SYNTAX,
            f"invalid YAML ({type(exc).__name__}: {why})",
            file=file,
            line=(mark.line + 1) if mark else 0,
            column=(mark.column + 1) if mark else 0,
            hint="Fix the YAML syntax (escapes, indentation, quoting).",
        )
        return None, {}, [issue]
    finally:
        if loader is not None:
            loader.dispose()


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
