"""Stage 1, ``parse``: the pack's YAML (safe) with line marks, following ``extends`` to
the base packs."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from ..core._errors import ErrorCode
from ._build import _Build, _Doc
from ._model import BUILTIN_PACKS
from ._yaml import load_marked


def _read_source(ref: str, base_dir: Path | None) -> tuple[str, str] | None:
    if ref in BUILTIN_PACKS:
        resource = importlib.resources.files("logix_rules").joinpath("packs", f"{ref}.yaml")
        return resource.read_text("utf-8"), f"<builtin>/{ref}.yaml"
    path = Path(ref)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if not path.is_file():
        return None
    return path.read_text("utf-8"), str(path)


def _parse(build: _Build) -> None:
    text, file = build.text, build.file
    chain: list[str] = []
    base_dir = Path(file).parent if not file.startswith("<") else Path.cwd()
    while True:
        data, marks, issues = load_marked(text, file)
        build.issues.extend(issues)
        if issues:
            return
        doc = _Doc(data, marks, file, text.splitlines())
        build.docs.insert(0, doc)
        chain.append(file)
        parent = data.get("extends") if isinstance(data, dict) else None
        if parent is None:
            break
        if not isinstance(parent, str):
            build.issue(
                doc, ("extends",), ErrorCode.WRONG_TYPE, "'extends' must be a pack name or a path"
            )
            return
        source = _read_source(parent, base_dir)
        if source is None:
            build.issue(
                doc,
                ("extends",),
                ErrorCode.FILE_NOT_FOUND,
                f"cannot find the pack {parent!r} to extend",
                hint=f"Use a built-in pack ({', '.join(BUILTIN_PACKS)}) "
                f"or a path relative to {base_dir}.",
                value=parent,
            )
            return
        text, file = source
        if file in chain:
            build.issue(
                doc,
                ("extends",),
                ErrorCode.EXTENDS_CYCLE,
                "packs extend each other in a cycle: " + " -> ".join([*chain, file]),
            )
            return
        if not file.startswith("<"):
            base_dir = Path(file).parent
    build.root = build.docs[-1]
