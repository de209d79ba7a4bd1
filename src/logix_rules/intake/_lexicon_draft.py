"""A lexicon being read: the located terms and words its YAML documents say, base first.

``_lexicon_read`` fills a ``Draft`` from the documents; ``_lexicon_compile`` turns it
into a ``Lexicon``.  Every problem is kept as a located ``PackIssue``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import attrs

from ..compiler._yaml import KEY_MARK, Marks
from ..core._errors import ErrorCode, PackIssue
from ._kinds import MissingField, ReportKind
from ._lexicon import Role

__all__ = [
    "MAX_EXTENDS_DEPTH",
    "MAX_LEXICON_CHARS",
    "MAX_TERMS",
    "MAX_TERM_CHARS",
    "Document",
    "Draft",
    "Path_",
    "RawTerm",
]

#: The largest lexicon file read (characters).
MAX_LEXICON_CHARS: Final = 2_000_000
#: The most terms one lexicon (with its bases) may hold.
MAX_TERMS: Final = 50_000
#: The longest term (characters).
MAX_TERM_CHARS: Final = 100
#: How many lexicons deep ``extends`` may go.
MAX_EXTENDS_DEPTH: Final = 8

Path_ = tuple[str | int, ...]


@attrs.frozen
class RawTerm:
    """A term as written, with where it was written."""

    text: str
    language: str
    role: Role
    kind: ReportKind | None
    weight: float
    at: Path_
    doc: Document


@attrs.define
class Document:
    file: str
    marks: Marks
    base_dir: Path | None


@attrs.define
class Draft:
    """What the documents read so far say, base first."""

    issues: list[PackIssue] = attrs.Factory(list)
    name: str = ""
    version: str = ""
    settings: dict[str, float | int] = attrs.Factory(dict)
    scripts: dict[str, str] = attrs.Factory(dict)
    words: dict[tuple[str, str], list[tuple[str, Path_, Document]]] = attrs.Factory(dict)
    terms: list[RawTerm] = attrs.Factory(list)
    requires: dict[ReportKind, tuple[MissingField, ...]] = attrs.Factory(dict)
    han_fold: dict[str, str] = attrs.Factory(dict)
    files: list[str] = attrs.Factory(list)

    def issue(
        self, doc: Document, at: Path_, msg: str, hint: str, value: Any = None, *, key: bool = False
    ) -> None:
        line, column = _mark(doc.marks, at, key=key)
        shown = value if isinstance(value, str | int | float | bool) else None
        if isinstance(shown, str) and len(shown) > 80:
            shown = shown[:77] + "..."
        self.issues.append(
            PackIssue(
                ErrorCode.BAD_LEXICON,
                msg,
                file=doc.file,
                line=line,
                column=column,
                loc=at,
                input=shown,
                hint=hint,
            )
        )


def _mark(marks: Marks, at: Path_, *, key: bool = False) -> tuple[int, int]:
    if key and (*at, KEY_MARK) in marks:
        return marks[(*at, KEY_MARK)]
    path = at
    while path:
        if path in marks:
            return marks[path]
        path = path[:-1]
    return marks.get((), (0, 0))
