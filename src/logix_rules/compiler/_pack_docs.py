"""Markdown tables describing a compiled pack: its rules, their remedies and its params.

The tables in ``docs/default-pack.md`` are generated from the compiled ``default``
pack (not from its YAML), so the page shows what the engine actually runs; a test
compares them.  Regenerate the page with::

    python -m logix_rules.compiler._pack_docs docs/default-pack.md
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..core._durations import format_duration
from ..core._errors import LogixError
from ._load import load_pack
from ._model import Pack, Param, RemedySpec, Rule, Step
from ._pack_docs_lifecycle import deadlines_table, supersessions_table

__all__ = [
    "SECTIONS",
    "params_table",
    "remedies_table",
    "replace_sections",
    "rules_table",
    "severities_table",
]

_DURATION_LITERAL = re.compile(r"duration\('([^']*)'\)")
_PARAM_REF = re.compile(r"params\.([a-z][a-z0-9_]*)")
_NO_WAIT = frozenset({"0s", "duration('0s')"})
_NONE = "—"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: pipes escaped, one line."""
    return " ".join(text.replace("|", "\\|").split())


def _code(text: str) -> str:
    return f"`{_cell(text)}`"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


def _duration_source(source: str) -> str:
    """``params.stall_after`` -> ``stall_after``; ``duration('24h')`` -> ``24h``.

    That is how a pack writes an ``after`` or a deadline, so it is how readers
    look it up in the params table.
    """
    source = source.strip()
    literal = _DURATION_LITERAL.fullmatch(source)
    if literal:
        return literal.group(1)
    param = _PARAM_REF.fullmatch(source)
    return param.group(1) if param else source


def _deadline_source(step: Step, name: str) -> str:
    """The expression a deadline was written as."""
    return dict(step.deadline_sources)[name]


def severities_table(pack: Pack) -> str:
    """One row per severity level with its follow-up windows, counted from the moment
    an incident reaches the level."""
    header = ("level", "label", "respond within", "resolve within", "escalate after", "to")
    rows = (
        (
            level.name,
            _cell(level.label) or _NONE,
            format_duration(level.respond),
            format_duration(level.resolve),
            format_duration(level.escalate_after),
            _code(level.target) if level.target else _NONE,
        )
        for level in sorted(pack.severities.values(), key=lambda level: level.rank)
    )
    return _table(header, rows)


def _time_clause(rule: Rule) -> str:
    if rule.anchor_source is None:
        return "when the condition holds"
    first = rule.steps[0].after_source or "0s"
    if first in _NO_WAIT:
        return f"at {_code(rule.anchor_source)}"
    return f"{_code(rule.anchor_source)} + {_code(_duration_source(first))}"


def _ladder(rule: Rule) -> str:
    rungs = [rule.steps[0].severity]
    for step in rule.steps[1:]:
        rung = f"{step.severity} after {_code(_duration_source(step.after_source or '0s'))}"
        if step.when_source:
            rung += f" if {_code(step.when_source)}"
        rungs.append(rung)
    return " → ".join(rungs)


def _remedy_codes(rule: Rule) -> str:
    codes: list[str] = []
    for step in rule.steps:
        code = step.remedy.code if step.remedy is not None else _NONE
        if not codes or codes[-1] != code:
            codes.append(code)
    return " → ".join(code if code == _NONE else _code(code) for code in codes)


def _deadlines(pack: Pack, rule: Rule) -> str:
    named: dict[str, str] = {}
    for step in rule.steps:
        for name, _ in step.deadlines:
            named.setdefault(name, _duration_source(_deadline_source(step, name)))
    if not named:
        return _NONE
    return ", ".join(f"{name} within {_code(source)}" for name, source in named.items())


def rules_table(pack: Pack) -> str:
    """One row per rule: what raises it, when, how severe, the remedy and deadlines."""
    header = ("id", "kind", "title", "condition", "time", "severity", "remedy", "deadlines")
    rows = (
        (
            _code(rule.id),
            _code(rule.kind),
            _cell(rule.title) or _NONE,
            _code(rule.when_source),
            _time_clause(rule),
            _ladder(rule),
            _remedy_codes(rule),
            _deadlines(pack, rule),
        )
        for rule in pack.rules
    )
    return _table(header, rows)


def _rung_label(rule: Rule, step: Step) -> str:
    if rule.anchor_source is None:
        return _NONE
    after = _duration_source(step.after_source or "0s")
    return f"at {_code(rule.anchor_source)}" if after == "0s" else f"+ {_code(after)}"


def _items(remedy: RemedySpec) -> str:
    if not remedy.items:
        return _NONE
    parts = []
    if remedy.fast_track_source is not None:
        parts.append(f"fast track when {_code(remedy.fast_track_source)}")
    for item in remedy.items:
        text = _code(item.code)
        if item.amount_source is not None:
            text += f" = {_code(item.amount_source)}"
        terms = [f"{item.bearer} pays"]
        if item.borne_by:
            terms.append(f"booked on {_cell(item.borne_by)}")
        if item.when_source is not None:
            terms.append(f"when {_code(item.when_source)}")
        if item.causes is not None:
            terms.append("cause " + " or ".join(item.causes))
        parts.append(f"{text} ({'; '.join(terms)})")
    return "<br>".join(parts)


def remedies_table(pack: Pack) -> str:
    """One row per remedy a rule (or a rung of its ladder) suggests, with its amounts."""
    header = ("rule", "rung", "remedy", "what to do", "amounts")
    rows = []
    for rule in pack.rules:
        previous: RemedySpec | None = None
        for step in rule.steps:
            remedy = step.remedy
            if remedy is None or remedy == previous:
                continue
            previous = remedy
            rows.append(
                (
                    _code(rule.id),
                    _rung_label(rule, step),
                    _code(remedy.code),
                    _cell(remedy.text) or _NONE,
                    _items(remedy),
                )
            )
    return _table(header, rows)


def _param_values(param: Param) -> str:
    if not param.by:
        return _NONE
    keyed = ", ".join(f"{key}: {param.display(value)}" for key, value in param.values.items())
    selectors = ", then ".join(param.by)
    return f"by {selectors}" + (f": {keyed}" if keyed else "")


def params_table(pack: Pack) -> str:
    """One row per param: type, default and per-key values as the pack displays them."""
    header = ("name", "type", "default", "per-key values", "doc")
    rows = (
        (
            _code(param.name),
            param.type,
            param.display(param.default),
            _param_values(param),
            _cell(param.doc) or _NONE,
        )
        for param in pack.params.values()
    )
    return _table(header, rows)


SECTIONS = {
    "severities": severities_table,
    "rules": rules_table,
    "remedies": remedies_table,
    "params": params_table,
    "supersessions": supersessions_table,
    "deadlines": deadlines_table,
}
"""Marker name -> generator: ``<!-- rules -->`` ... ``<!-- /rules -->`` in a page."""


def replace_sections(text: str, pack: Pack) -> str:
    """``text`` with every marked section regenerated from ``pack``.

    Raises ``ValueError`` naming a marker that is missing or unclosed, so a page
    cannot silently lose a table.
    """
    for name, generate in SECTIONS.items():
        opening, closing = f"<!-- {name} -->\n", f"\n<!-- /{name} -->"
        start = text.find(opening)
        end = text.find(closing, start + len(opening)) if start >= 0 else -1
        if start < 0 or end < 0:
            raise ValueError(
                f"the page lacks the marker pair {opening.strip()} ... {closing.strip()}"
            )
        text = text[: start + len(opening)] + generate(pack) + text[end:]
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m logix_rules.compiler._pack_docs",
        description="Regenerate the rule and param tables of a pack's documentation page.",
    )
    parser.add_argument("page", type=Path, help="the Markdown page, e.g. docs/default-pack.md")
    parser.add_argument("--pack", default="default", help="a built-in pack name or a pack file")
    args = parser.parse_args(argv)
    try:
        text = args.page.read_text("utf-8")
        fresh = replace_sections(text, load_pack(args.pack))
    except (OSError, ValueError, LogixError) as exc:
        print(f"error: {args.page}: {exc}", file=sys.stderr)
        return 2
    if fresh != text:
        args.page.write_text(fresh, "utf-8")
        print(f"{args.page}: tables regenerated")
    else:
        print(f"{args.page}: tables are current")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
