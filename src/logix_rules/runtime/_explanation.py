r"""What ``Engine.explain`` answers: an ``Explanation`` of every rule of a pack for one
parcel at one instant, each rule's ``RuleTrace`` with its sub-``Condition``\s and
``Operand`` values and, for a timed rule, its ``Rung``\s; and how all of it reads as
text (``render``) and as JSON (``to_dict``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from ._incidents import Incident

__all__ = [
    "FAILS",
    "HOLDS",
    "NO_ANCHOR",
    "WAITING",
    "Condition",
    "Explanation",
    "Operand",
    "RuleTrace",
    "Rung",
    "format_instant",
    "threshold_text",
]

#: ``RuleTrace.status`` values.
HOLDS = "holds"
FAILS = "fails"
WAITING = "waiting"  # the condition holds, the time clause is not due yet
NO_ANCHOR = "no_anchor"  # the condition holds, but the anchor has no value


def format_instant(moment: datetime | None) -> str:
    """``2026-03-02T10:00Z``: UTC, minutes unless the instant has seconds."""
    if moment is None:
        return "None"
    text = moment.isoformat().replace("+00:00", "Z")
    if moment.microsecond == 0 and moment.second == 0:
        return text[:16] + "Z"
    return text


def _text(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        # Datetimes and durations are shown bare; strings of the model quoted.
        if value[:2].isdigit() and ("T" in value or value[-1] in "smhdw"):
            return value
        return repr(value)
    if isinstance(value, list):
        return "(" + ", ".join(_text(v) for v in value) + ")"
    return str(value)


@attrs.frozen
class Operand:
    """One operand of a sub-condition and its value at the explained instant."""

    text: str
    value: Any

    def __str__(self) -> str:
        return f"{self.text} = {_text(self.value)}"


@attrs.frozen
class Condition:
    """A (sub-)condition of a rule, whether it holds, and its operands' values."""

    text: str
    holds: bool
    operands: tuple[Operand, ...] = ()

    def __str__(self) -> str:
        verdict = "holds" if self.holds else "is false"
        if not self.operands:
            return f"`{self.text}` {verdict}"
        if len(self.operands) == 1:
            (only,) = self.operands
            return f"`{self.text}` {verdict}: {only.text} was {_text(only.value)}"
        values = ", ".join(str(o) for o in self.operands)
        return f"`{self.text}` {verdict}: {values}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "holds": self.holds,
            "operands": {o.text: o.value for o in self.operands},
        }


@attrs.frozen
class Rung:
    """One rung of a timed rule: its threshold, due time and own condition."""

    index: int
    severity: str
    after: str | None  # the threshold as written (``stall_after``, ``24h``)
    after_value: str | None  # its value for this parcel, e.g. ``24h``
    due: datetime | None
    reached: bool
    condition: Condition | None = None  # the rung's own ``when``, if any
    failed: tuple[Condition, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "severity": self.severity,
            "after": self.after,
            "after_value": self.after_value,
            "due": format_instant(self.due) if self.due else None,
            "reached": self.reached,
            "condition": self.condition.to_dict() if self.condition else None,
            "failed": [c.to_dict() for c in self.failed],
        }


@attrs.frozen
class RuleTrace:
    """Whether one rule holds at the explained instant, and why (not).

    ``status`` is ``holds``, ``fails`` (the condition is false: ``failed`` names the
    sub-conditions that made it so), ``waiting`` (the condition holds but the time
    clause is not due yet: ``next_due`` says when) or ``no_anchor``.
    """

    rule: str
    kind: str
    title: str
    status: str
    condition: Condition
    parts: tuple[Condition, ...]
    failed: tuple[Condition, ...]
    severity: str | None = None
    rung: int | None = None
    anchor: str | None = None
    anchor_at: datetime | None = None
    rungs: tuple[Rung, ...] = ()
    next_due: datetime | None = None
    summary: str = ""

    @property
    def holds(self) -> bool:
        return self.status == HOLDS

    def __str__(self) -> str:
        return f"{self.rule}: {self.summary}"

    def render_detail(self, *, indent: str = "") -> str:
        """Every sub-condition with its values, then the anchor and each rung."""
        lines = [f"{self.rule} ({self.kind}): {self.status}: {self.summary}"]
        lines.append(f"  condition `{self.condition.text}`: {_verdict(self.condition.holds)}")
        if len(self.parts) > 1 or self.parts[0].text != self.condition.text:
            for part in self.parts:
                values = ", ".join(str(o) for o in part.operands)
                lines.append(
                    f"    {_verdict(part.holds):<5} {part.text}"
                    + (f"  ({values})" if values else "")
                )
        if self.anchor is not None:
            lines.append(f"  anchor {self.anchor} = {format_instant(self.anchor_at)}")
            for rung in self.rungs:
                after = rung.after or "0s"
                due = format_instant(rung.due) if rung.due else "unknown"
                state = "reached" if rung.reached else "not reached"
                text = (
                    f"  rung {rung.index} ({rung.severity}): after {threshold_text(after)}"
                    f" = {rung.after_value}, due {due}, {state}"
                )
                if rung.condition is not None:
                    text += f"; when `{rung.condition.text}` {_verdict(rung.condition.holds)}"
                lines.append(text)
                lines.extend(f"    {c}" for c in rung.failed)
        return "\n".join(indent + line for line in lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "kind": self.kind,
            "status": self.status,
            "holds": self.holds,
            "severity": self.severity,
            "rung": self.rung,
            "summary": self.summary,
            "condition": self.condition.to_dict(),
            "parts": [c.to_dict() for c in self.parts],
            "failed": [c.to_dict() for c in self.failed],
            "anchor": self.anchor,
            "anchor_at": format_instant(self.anchor_at) if self.anchor_at else None,
            "rungs": [r.to_dict() for r in self.rungs],
            "next_due": format_instant(self.next_due) if self.next_due else None,
        }


@attrs.frozen
class Explanation:
    """The trace of every rule of a pack for one parcel at one instant.

    ``incidents`` are the incidents open at ``at`` (as ``evaluate`` would report
    them); ``rules`` has one ``RuleTrace`` per rule, in pack order.
    """

    tracking_number: str
    at: datetime
    pack: str
    events: int
    incidents: tuple[Incident, ...]
    rules: tuple[RuleTrace, ...]

    def rule(self, rule_id: str) -> RuleTrace:
        for trace in self.rules:
            if trace.rule == rule_id:
                return trace
        raise KeyError(f"no rule {rule_id!r} in pack {self.pack!r}")

    @property
    def holding(self) -> tuple[RuleTrace, ...]:
        return tuple(t for t in self.rules if t.holds)

    def header(self) -> list[str]:
        """The parcel, the instant and the incidents open then."""
        lines = [
            f"{self.tracking_number} at {format_instant(self.at)}, pack {self.pack!r} "
            f"({self.events} event{'s' if self.events != 1 else ''} by then)"
        ]
        if self.incidents:
            lines.append("open incidents:")
            for inc in self.incidents:
                lines.append(
                    f"  {inc.severity} {inc.kind} opened {format_instant(inc.opened_at)} "
                    f"(rules {', '.join(inc.rules)})"
                )
        else:
            lines.append("open incidents: none")
        return lines

    def render(self, *, indent: str = "", kinds: Iterable[str] | None = None) -> str:
        """The trace as aligned text, one line per rule (what ``logix explain`` prints).

        With ``kinds``, only the rules of those kinds and the rules that hold are
        listed; the others are counted on a last line.
        """
        lines = self.header()
        lines.append("rules:")
        wanted = None if kinds is None else set(kinds)
        shown = [t for t in self.rules if wanted is None or t.kind in wanted or t.holds]
        width = max((len(t.rule) for t in shown), default=0)
        for trace in shown:
            lines.append(f"  {trace.status:<9} {trace.rule:<{width}}  {trace.summary}")
        hidden = len(self.rules) - len(shown)
        if hidden:
            lines.append(
                f"  ({hidden} rule{'s' if hidden != 1 else ''} of other kinds do not hold)"
            )
        return "\n".join(indent + line for line in lines)

    def __str__(self) -> str:
        return self.render()

    def to_dict(self) -> dict[str, Any]:
        return {
            "tracking_number": self.tracking_number,
            "at": format_instant(self.at),
            "pack": self.pack,
            "events": self.events,
            "incidents": [i.to_dict() for i in self.incidents],
            "rules": [t.to_dict() for t in self.rules],
        }


def threshold_text(source: str | None) -> str:
    if source is None:
        return "0s"
    text = source.strip()
    if text.startswith("params."):
        return text[len("params.") :]
    if text.startswith("duration(") and text.endswith(")"):
        return text[len("duration(") : -1].strip("'\"")
    return text


def _verdict(holds: bool) -> str:
    return "holds" if holds else "false"
