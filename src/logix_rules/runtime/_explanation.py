r"""What ``Engine.explain`` answers: an ``Explanation`` of every rule of a pack for one
parcel at one instant, each rule's ``RuleTrace`` with its sub-``Condition``\s and
``Operand`` values and, for a timed rule, its ``Rung``\s; and how all of it reads as
text (``render``) and as JSON (``to_dict``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from logix_carriers import mask_field, mask_text, personal_names

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
        return self.render()

    def render(self, *, mask: bool = True) -> str:
        """``text = value``, the value masked unless ``mask=False``."""
        return f"{self.text} = {_text((self.masked() if mask else self).value)}"

    def masked(self, *, names: Iterable[str] = (), keep: Iterable[str] = ()) -> Operand:
        """A copy whose value is masked as what its operand names (POLICY §4)."""
        return Operand(self.text, mask_field(self.text, self.value, names=names, keep=keep))


@attrs.frozen
class Condition:
    """A (sub-)condition of a rule, whether it holds, and its operands' values."""

    text: str
    holds: bool
    operands: tuple[Operand, ...] = ()

    def __str__(self) -> str:
        return self.render()

    def render(self, *, mask: bool = True) -> str:
        """The verdict with the operands' values, masked unless ``mask=False``."""
        verdict = "holds" if self.holds else "is false"
        operands = (self.masked() if mask else self).operands
        if not operands:
            return f"`{self.text}` {verdict}"
        if len(operands) == 1:
            (only,) = operands
            return f"`{self.text}` {verdict}: {only.text} was {_text(only.value)}"
        values = ", ".join(o.render(mask=False) for o in operands)
        return f"`{self.text}` {verdict}: {values}"

    def masked(self, *, names: Iterable[str] = (), keep: Iterable[str] = ()) -> Condition:
        """A copy with its operands' values masked (POLICY §4)."""
        names, keep = tuple(names), tuple(keep)
        return attrs.evolve(
            self, operands=tuple(o.masked(names=names, keep=keep) for o in self.operands)
        )

    def to_dict(self, *, mask: bool = True) -> dict[str, Any]:
        """A JSON-ready dict; operand values masked unless ``mask=False``."""
        shown = self.masked() if mask else self
        return {
            "text": shown.text,
            "holds": shown.holds,
            "operands": {o.text: o.value for o in shown.operands},
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

    def masked(self, *, names: Iterable[str] = (), keep: Iterable[str] = ()) -> Rung:
        """A copy with its conditions' operand values masked (POLICY §4)."""
        names, keep = tuple(names), tuple(keep)
        condition = self.condition
        return attrs.evolve(
            self,
            condition=None if condition is None else condition.masked(names=names, keep=keep),
            failed=tuple(c.masked(names=names, keep=keep) for c in self.failed),
        )

    def to_dict(self, *, mask: bool = True) -> dict[str, Any]:
        """A JSON-ready dict; operand values masked unless ``mask=False``."""
        if mask:
            return self.masked().to_dict(mask=False)
        return {
            "index": self.index,
            "severity": self.severity,
            "after": self.after,
            "after_value": self.after_value,
            "due": format_instant(self.due) if self.due else None,
            "reached": self.reached,
            "condition": self.condition.to_dict(mask=False) if self.condition else None,
            "failed": [c.to_dict(mask=False) for c in self.failed],
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
        return f"{self.rule}: {self.masked().summary}"

    def conditions(self) -> tuple[Condition, ...]:
        """Every condition of the trace: the rule's, its parts and its rungs'."""
        rungs = [c for r in self.rungs for c in (r.condition, *r.failed) if c is not None]
        return (self.condition, *self.parts, *self.failed, *rungs)

    def masked(self, *, names: Iterable[str] = (), keep: Iterable[str] = ()) -> RuleTrace:
        """A copy with personal data masked in operand values and the summary (POLICY
        §4); names among the operands are masked wherever they occur."""
        values = {o.text: o.value for c in self.conditions() for o in c.operands}
        names, keep = (*names, *personal_names(values)), tuple(keep)
        return attrs.evolve(
            self,
            condition=self.condition.masked(names=names, keep=keep),
            parts=tuple(c.masked(names=names, keep=keep) for c in self.parts),
            failed=tuple(c.masked(names=names, keep=keep) for c in self.failed),
            rungs=tuple(r.masked(names=names, keep=keep) for r in self.rungs),
            summary=mask_text(self.summary, names=names, keep=keep),
        )

    def render_detail(self, *, indent: str = "", mask: bool = True) -> str:
        """Every sub-condition with its values, then the anchor and each rung;
        personal data masked unless ``mask=False``."""
        if mask:
            return self.masked().render_detail(indent=indent, mask=False)
        lines = [f"{self.rule} ({self.kind}): {self.status}: {self.summary}"]
        lines.append(f"  condition `{self.condition.text}`: {_verdict(self.condition.holds)}")
        if len(self.parts) > 1 or self.parts[0].text != self.condition.text:
            for part in self.parts:
                values = ", ".join(o.render(mask=False) for o in part.operands)
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
                lines.extend(f"    {c.render(mask=False)}" for c in rung.failed)
        return "\n".join(indent + line for line in lines)

    def to_dict(self, *, mask: bool = True) -> dict[str, Any]:
        """A JSON-ready dict; personal data masked unless ``mask=False``."""
        if mask:
            return self.masked().to_dict(mask=False)
        return {
            "rule": self.rule,
            "kind": self.kind,
            "status": self.status,
            "holds": self.holds,
            "severity": self.severity,
            "rung": self.rung,
            "summary": self.summary,
            "condition": self.condition.to_dict(mask=False),
            "parts": [c.to_dict(mask=False) for c in self.parts],
            "failed": [c.to_dict(mask=False) for c in self.failed],
            "anchor": self.anchor,
            "anchor_at": format_instant(self.anchor_at) if self.anchor_at else None,
            "rungs": [r.to_dict(mask=False) for r in self.rungs],
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

    def masked(self, *, names: Iterable[str] = ()) -> Explanation:
        """A copy with personal data masked in every rule's operand values and
        summary and in the incidents (POLICY §4); the tracking number stays.
        ``names`` (the recipient's, say) are masked wherever they occur."""
        values = {o.text: o.value for t in self.rules for c in t.conditions() for o in c.operands}
        names, keep = (*names, *personal_names(values)), (self.tracking_number,)
        return attrs.evolve(
            self,
            incidents=tuple(i.masked(names=names) for i in self.incidents),
            rules=tuple(t.masked(names=names, keep=keep) for t in self.rules),
        )

    def render(
        self, *, indent: str = "", kinds: Iterable[str] | None = None, mask: bool = True
    ) -> str:
        """The trace as aligned text, one line per rule (what ``logix explain`` prints).

        With ``kinds``, only the rules of those kinds and the rules that hold are
        listed; the others are counted on a last line.  Personal data is masked
        unless ``mask=False``.
        """
        if mask:
            return self.masked().render(indent=indent, kinds=kinds, mask=False)
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

    def to_dict(self, *, mask: bool = True) -> dict[str, Any]:
        """A JSON-ready dict; personal data masked unless ``mask=False``."""
        if mask:
            return self.masked().to_dict(mask=False)
        return {
            "tracking_number": self.tracking_number,
            "at": format_instant(self.at),
            "pack": self.pack,
            "events": self.events,
            "incidents": [i.to_dict(mask=False) for i in self.incidents],
            "rules": [t.to_dict(mask=False) for t in self.rules],
        }


_PARAM = re.compile(r"params\.([a-z][a-z0-9_]*)")
_DURATION = re.compile(r"duration\(\s*(['\"])([^'\"]*)\1\s*\)")
_NAME_OR_LITERAL = re.compile(r"[\w.]+")


def threshold_text(source: str | None) -> str:
    """A rung's threshold as the summary names it: ``stall_after``, ``36h``, or a whole
    expression in brackets, so the value printed after it reads as its value."""
    if source is None:
        return "0s"
    text = source.strip()
    param = _PARAM.fullmatch(text)
    if param:
        return param.group(1)
    literal = _DURATION.fullmatch(text)
    if literal:
        return literal.group(2)
    return text if _NAME_OR_LITERAL.fullmatch(text) else f"[{text}]"


def _verdict(holds: bool) -> str:
    return "holds" if holds else "false"
