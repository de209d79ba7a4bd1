"""Compiling a pack: ``loads_pack``, ``load_pack`` and the stages they run.

The compiler is an ordered list of named stages (``STAGES``), each a function over one
``_Build`` (``_build``); every stage adds to the same issue list so that a pack with
many mistakes is reported in one go:

1. ``parse``     YAML (safe) with line marks, following ``extends`` to the base packs
   (``_parse``).
2. ``validate``  the document schema: keys, types, identifiers, duplicates
   (``_validate``).
3. ``resolve``   merge base and child, parse params/durations, resolve severities
   (``_resolve``).
4. ``typecheck`` compile every expression against the namespace (names, fields, types)
   (``_typecheck``, ``_namespace``, ``_expr``).
5. ``compile``   generate one Python module per pack, registered in ``linecache``
   (``_codegen``), giving the ``Pack`` (``_model``).

The runtime trusts what the compiler proved and checks nothing again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..core._errors import ErrorCode, PackError, PackIssue
from ._build import _Build
from ._codegen import _codegen
from ._model import BUILTIN_PACKS, Pack
from ._pack_files import Unreadable, read_builtin, read_pack_file
from ._parse import _parse
from ._resolve import _resolve
from ._suggest import suggest
from ._typecheck import _typecheck
from ._validate import _validate

__all__ = ["STAGES", "load_pack", "loads_pack"]


STAGES: tuple[tuple[str, Callable[[_Build], None]], ...] = (
    ("parse", _parse),
    ("validate", _validate),
    ("resolve", _resolve),
    ("typecheck", _typecheck),
    ("compile", _codegen),
)
"""The compiler stages in order; each adds its issues to the build."""


def loads_pack(text: str, *, file: str = "<string>") -> Pack:
    """Compile a pack from YAML text.  Raises ``PackError`` listing every problem."""
    build = _Build(text=text, file=file)
    for name, stage in STAGES:
        stage(build)
        if name == "parse" and build.root is None:
            # Nothing later can run without a document: report what parsing found.
            raise PackError(
                build.issues or [PackIssue(ErrorCode.YAML_SYNTAX, "the pack is empty", file=file)]
            )
    if build.issues or build.pack is None:
        raise PackError(build.issues)
    return build.pack


_CACHE: dict[tuple[str, float], Pack] = {}


def load_pack(pack: str | Path) -> Pack:
    """Load a built-in pack by name (``"default"``) or a pack file by path.

    Raises ``PackError`` with every problem found, each with file:line:column.
    Built-in packs are compiled once per process.
    """
    ref = str(pack)
    if ref in BUILTIN_PACKS:
        cached = _CACHE.get((ref, 0.0))
        if cached is None:
            text, file = read_builtin(ref)
            cached = _CACHE[(ref, 0.0)] = loads_pack(text, file=file)
        return cached
    path = Path(ref)
    try:
        text = read_pack_file(path)
    except Unreadable as problem:
        if problem.code is not ErrorCode.FILE_NOT_FOUND:
            issue = PackIssue(
                problem.code,
                problem.msg,
                file=ref,
                line=problem.line,
                column=problem.column,
                hint=problem.hint,
            )
            raise PackError([issue]) from None
        hint = f"Built-in packs: {', '.join(BUILTIN_PACKS)}."
        raise PackError(
            [
                PackIssue(
                    ErrorCode.FILE_NOT_FOUND
                    if path.suffix in (".yaml", ".yml") or "/" in ref
                    else ErrorCode.UNKNOWN_PACK,
                    f"no pack file {ref!r}.{suggest(ref, BUILTIN_PACKS)}"
                    if problem.msg == "no such file"
                    else f"cannot read the pack file {ref!r}: {problem.msg}",
                    file=ref,
                    input=ref,
                    hint=hint,
                )
            ]
        ) from None
    return loads_pack(text, file=str(path))
