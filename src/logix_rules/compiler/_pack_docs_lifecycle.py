"""Markdown tables of what a pack says of incidents' lives (see ``_pack_docs``): which
kinds supersede which, and every follow-up deadline with the action that meets it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ._model import Pack

__all__ = ["deadlines_table", "supersessions_table"]

_NONE = "—"


def _code(text: str) -> str:
    return "`" + " ".join(text.replace("|", "\\|").split()) + "`"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


def _shown(source: str) -> str:
    """How a pack writes a duration: ``params.claim_within`` -> ``claim_within``."""
    source = source.strip()
    if source.startswith("params.") and source[7:].isidentifier():
        return source[7:]
    if source.startswith("duration('") and source.endswith("')"):
        return source[10:-2]
    return source


def supersessions_table(pack: Pack) -> str:
    """One row per superseding kind: the kinds it closes on the same parcel."""
    rows = [
        (_code(kind), ", ".join(_code(other) for other in kinds))
        for kind, kinds in pack.supersedes.items()
    ]
    return _table(("kind", "supersedes"), rows or [(_NONE, _NONE)])


def deadlines_table(pack: Pack) -> str:
    """One row per kind-specific deadline (and the revisit): its window, where it
    counts from, the action that meets it and the rules that set it."""
    found: dict[str, dict[str, list[str]]] = {}
    for rule in pack.rules:
        for step in rule.steps:
            starts = dict(step.deadline_from_sources)
            for name, source in step.deadline_sources:
                row = found.setdefault(name, {"within": [], "from": [], "rules": []})
                for key, value in (
                    ("within", _code(_shown(source))),
                    ("from", _code(starts[name]) if name in starts else "`opened_at`"),
                    ("rules", _code(rule.id)),
                ):
                    if value not in row[key]:
                        row[key].append(value)
    rows = [
        (
            _code(name),
            " or ".join(row["within"]),
            " or ".join(row["from"]),
            _code(pack.deadline_actions.get(name, name)),
            ", ".join(row["rules"]),
        )
        for name, row in found.items()
    ]
    if pack.revisit is not None:
        rows.append(
            (
                "revisit (`revisit_due`)",
                _code(_shown(pack.revisit.after_source)),
                "the resolution",
                _code(pack.revisit.action),
                "every incident",
            )
        )
    return _table(("deadline", "within", "counted from", "met by", "set by"), rows)
