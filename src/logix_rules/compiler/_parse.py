"""Stage 1, ``parse``: the pack's YAML (safe) with line marks, following ``extends`` to
the base packs.

``extends`` reads only packs: a built-in pack by name, or a ``.yaml``/``.yml`` file
(relative to the pack naming it) of at most ``MAX_PACK_BYTES`` that is a mapping
starting ``format: 1``.  Anything else is a located error at the ``extends`` that
quotes the name written there and nothing of the file.  Files are compared by their
resolved path, so a cycle through ``../`` or a symlink is an ``extends_cycle``.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..core._errors import ErrorCode, PackIssue
from ._build import _Build, _Doc
from ._limits import MAX_EXTENDS_DEPTH, MAX_PACK_BYTES
from ._model import BUILTIN_PACKS, FORMAT_VERSION
from ._pack_files import PACK_SUFFIXES, Unreadable, read_builtin, read_pack_file, too_large
from ._suggest import suggest
from ._yaml import load_marked


def _identity(file: str) -> str:
    """What tells two pack files apart: the resolved path (built-ins by their name)."""
    if file.startswith("<"):
        return file
    try:
        return os.path.realpath(file)
    except (OSError, ValueError):
        return os.path.abspath(file) if "\x00" not in file else file


def _size_problem(text: str) -> Unreadable | None:
    # len(text) bounds the UTF-8 size from below; encode only when it might fit.
    if len(text) > MAX_PACK_BYTES:
        return too_large(f"{len(text):,} characters")
    size = len(text.encode("utf-8", "surrogatepass"))
    return too_large(f"{size:,} bytes") if size > MAX_PACK_BYTES else None


def _parse(build: _Build) -> None:
    text, file = build.text, build.file
    too_big = _size_problem(text)
    if too_big is not None:
        build.issues.append(PackIssue(too_big.code, too_big.msg, file=file, hint=too_big.hint))
        return
    chain: list[str] = []
    seen: list[str] = []
    try:
        base_dir = Path(file).parent if not file.startswith("<") else Path.cwd()
    except OSError:  # the working directory is gone
        base_dir = Path(".")
    child: _Doc | None = None
    while True:
        data, marks, issues = load_marked(text, file)
        build.issues.extend(issues)
        if issues:
            return
        if child is not None and not _is_pack_document(data):
            build.issue(
                child,
                ("extends",),
                ErrorCode.NOT_A_PACK,
                f"{file} is not a pack: a pack is a mapping that starts 'format: {FORMAT_VERSION}'",
                hint="'extends' names a built-in pack or another pack file.",
                value=child.data.get("extends"),
            )
            return
        doc = child = _Doc(data, marks, file, text.splitlines())
        build.docs.insert(0, doc)
        chain.append(file)
        seen.append(_identity(file))
        parent = data.get("extends") if isinstance(data, dict) else None
        if parent is None:
            break
        source = _base_pack(build, doc, parent, base_dir, chain, seen)
        if source is None:
            return
        text, file = source
        if not file.startswith("<"):
            base_dir = Path(file).parent
    build.root = build.docs[-1]


def _base_pack(
    build: _Build, doc: _Doc, parent: object, base_dir: Path, chain: list[str], seen: list[str]
) -> tuple[str, str] | None:
    """The text and file name of the pack ``doc`` extends, or None after an issue."""
    where = ("extends",)
    if not isinstance(parent, str):
        build.issue(doc, where, ErrorCode.WRONG_TYPE, "'extends' must be a pack name or a path")
        return None
    if len(chain) > MAX_EXTENDS_DEPTH:
        build.issue(
            doc,
            where,
            ErrorCode.NOT_A_PACK,
            f"packs extend each other more than {MAX_EXTENDS_DEPTH} levels deep",
            hint="Merge some of the packs in the chain.",
            value=parent,
        )
        return None
    builtins = ", ".join(BUILTIN_PACKS)
    if parent in BUILTIN_PACKS:
        text, file = read_builtin(parent)
    elif not parent.lower().endswith(PACK_SUFFIXES):
        build.issue(
            doc,
            where,
            ErrorCode.NOT_A_PACK,
            f"cannot extend {parent!r}: 'extends' names a built-in pack ({builtins}) "
            f"or a .yaml/.yml pack file.{suggest(parent, BUILTIN_PACKS)}",
            value=parent,
        )
        return None
    else:
        path = Path(parent)
        if not path.is_absolute():
            path = base_dir / path
        file = str(path)
        if _identity(file) not in seen:
            try:
                text = read_pack_file(path)
            except Unreadable as problem:
                if problem.code is ErrorCode.FILE_NOT_FOUND:
                    build.issue(
                        doc,
                        where,
                        ErrorCode.FILE_NOT_FOUND,
                        f"cannot find the pack {parent!r} to extend",
                        hint=f"Use a built-in pack ({builtins}) or a path relative to {base_dir}.",
                        value=parent,
                    )
                elif problem.line:  # located in the base file, e.g. a byte that is not UTF-8
                    build.issues.append(
                        PackIssue(
                            problem.code,
                            problem.msg,
                            file=file,
                            line=problem.line,
                            column=problem.column,
                            hint=problem.hint,
                        )
                    )
                else:
                    build.issue(
                        doc, where, problem.code, problem.msg, hint=problem.hint, value=parent
                    )
                return None
    if _identity(file) in seen:
        build.issue(
            doc,
            where,
            ErrorCode.EXTENDS_CYCLE,
            "packs extend each other in a cycle: " + " -> ".join([*chain, file]),
        )
        return None
    too_big = _size_problem(text)
    if too_big is not None:
        build.issue(doc, where, too_big.code, too_big.msg, hint=too_big.hint, value=parent)
        return None
    return text, file


def _is_pack_document(data: object) -> bool:
    """Whether a YAML document is a pack (a mapping starting ``format: 1``)."""
    return isinstance(data, dict) and data.get("format") == FORMAT_VERSION
