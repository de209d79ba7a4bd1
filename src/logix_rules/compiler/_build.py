"""The build every compiler stage works on (``_Build``), the YAML documents it reads
(``_Doc``), and the checks the stages share (identifiers, the keys of a mapping).

Every stage adds to the build's one issue list, each issue located at file:line:column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..core._errors import ErrorCode, PackIssue
from ._expr_types import ExprContext
from ._model import Pack, Param, Severity
from ._scalar_positions import value_position
from ._suggest import suggest
from ._yaml import KEY_MARK, Marks

# Identifiers reach generated code (function names, p.NAME): fullmatch, never ^...$
# (whose $ also matches before a trailing newline).
_IDENT = re.compile(r"[a-z][a-z0-9_]*")


@dataclass
class _Doc:
    data: Any
    marks: Marks
    file: str
    source_lines: list[str]


@dataclass
class Lifecycle:
    """What the pack says of incidents' lives, checked by ``_lifecycle``: which kinds
    supersede which, the action that meets each deadline, and the revisit
    (its ``after`` expression and its action)."""

    supersedes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    actions: dict[str, str] = field(default_factory=dict)
    revisit: tuple[Any, str] | None = None


@dataclass
class _Build:
    root: _Doc | None = None
    docs: list[_Doc] = field(default_factory=list)  # base first, the pack itself last
    issues: list[PackIssue] = field(default_factory=list)
    params: dict[str, Param] = field(default_factory=dict)
    param_docs: dict[str, tuple[_Doc, tuple[str | int, ...]]] = field(default_factory=dict)
    severities: dict[str, Severity] = field(default_factory=dict)
    rule_docs: list[tuple[_Doc, tuple[str | int, ...], dict[str, Any]]] = field(
        default_factory=list
    )
    broken_rules: set[int] = field(default_factory=set)
    ctx: ExprContext | None = None
    typed_rules: list[dict[str, Any]] = field(default_factory=list)
    lifecycle: Lifecycle = field(default_factory=lambda: Lifecycle())
    pack: Pack | None = None
    name: str = ""
    description: str = ""
    text: str = ""
    file: str = "<pack>"

    def issue(
        self,
        doc: _Doc | None,
        path: tuple[str | int, ...],
        code: ErrorCode,
        msg: str,
        *,
        hint: str = "",
        rule_id: str | None = None,
        value: Any = None,
        offset: tuple[int, int] | None = None,
    ) -> None:
        line = column = 0
        file = doc.file if doc else "<pack>"
        if doc is not None:
            key_mark = doc.marks.get((*path, KEY_MARK)) if code is ErrorCode.UNKNOWN_KEY else None
            probe = path if key_mark is None else (*path, KEY_MARK)
            while probe not in doc.marks and probe:
                probe = probe[:-1]
            line, column = doc.marks.get(probe, (0, 0))
            if offset is not None and probe == path and line:
                line, column = _expression_position(doc, path, line, column, offset)
        self.issues.append(
            PackIssue(
                code,
                msg,
                file=file,
                line=line,
                column=column,
                loc=path,
                rule_id=rule_id,
                input=value,
                hint=hint,
            )
        )


def _expression_position(
    doc: _Doc, path: tuple[str | int, ...], line: int, column: int, offset: tuple[int, int]
) -> tuple[int, int]:
    """Map ``offset`` (line 1, the index of a character in the scalar's value) to the
    file, through quotes, escapes, indentation and folded lines; the scalar's own
    position when that cannot be done."""
    value: Any = doc.data
    for key in path:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return line, column
    if not isinstance(value, str):
        return line, column
    return value_position(doc.source_lines, line, column, value, offset[1]) or (line, column)


def _check_keys(
    build: _Build,
    doc: _Doc,
    path: tuple[str | int, ...],
    data: Any,
    allowed: tuple[str, ...],
    what: str,
    rule_id: str | None = None,
) -> bool:
    if not isinstance(data, dict):
        empty = data is None and not path
        build.issue(
            doc,
            path,
            ErrorCode.MISSING_KEY if empty else ErrorCode.WRONG_TYPE,
            "the pack is empty"
            if empty
            else f"{what} must be a mapping, got {type(data).__name__}",
            rule_id=rule_id,
            value=data,
            hint="A pack starts with 'format: 1' and a 'name'." if empty else "",
        )
        return False
    for key in data:
        if key not in allowed:
            build.issue(
                doc,
                (*path, key),
                ErrorCode.UNKNOWN_KEY,
                f"unknown key {key!r} in {what}.{suggest(key, allowed)}",
                hint="Allowed keys: " + ", ".join(allowed) + ".",
                rule_id=rule_id,
                value=key,
            )
    # Unknown keys are reported but do not stop later stages from checking the rest.
    return True
