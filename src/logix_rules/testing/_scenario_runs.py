"""Running scenario cases against a pack and reporting what differs, point by point."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import attrs

from ..compiler._load import load_pack
from ..compiler._model import Pack
from ..compiler._suggest import suggest
from ..core._durations import to_micros
from ..runtime._engine import evaluate
from ..runtime._explain import explain_events
from ..runtime._explanation import Explanation
from ..runtime._incidents import Incident
from ._scenario_files import load_scenarios
from ._scenario_model import Case, ExpectedEscalation, ExpectedIncident, Point, ScenarioFile

__all__ = ["CaseResult", "PointResult", "run_case", "run_scenarios"]


@attrs.frozen
class PointResult:
    """The outcome of one evaluation point; ``problems`` is empty when it passed."""

    point: Point
    actual: tuple[Incident, ...]
    problems: tuple[str, ...] = ()
    explanation: Explanation | None = None

    @property
    def passed(self) -> bool:
        return not self.problems


@attrs.frozen
class CaseResult:
    """The outcome of one case: one ``PointResult`` per point, or an ``error``."""

    case: Case
    points: tuple[PointResult, ...] = ()
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(p.passed for p in self.points)

    @property
    def failures(self) -> tuple[PointResult, ...]:
        return tuple(p for p in self.points if not p.passed)

    def report(self) -> str:
        """What a failing case looks like in ``logix test`` and pytest."""
        case = self.case
        lines = [f"{case.file}:{case.line}: {case.name}"]
        if self.error is not None:
            lines.append(f"  error: {self.error}")
        for result in self.failures:
            point = result.point
            lines.append(f"  at {case.relative(point.at)} (line {point.line}):")
            lines.append("    expected: " + _describe_expected(case, point))
            lines.append("    actual:   " + _describe_actual(case, result.actual))
            lines.extend(f"    {problem}" for problem in result.problems)
            if result.explanation is not None:
                kinds = {e.kind for e in point.expect} | {i.kind for i in result.actual}
                lines.append("    rule trace:")
                lines.append(result.explanation.render(indent="      ", kinds=kinds))
        return "\n".join(lines)


def _describe_expected(case: Case, point: Point) -> str:
    if not point.expect:
        return "no open incident" + ("" if point.exact else " required")
    parts = []
    for exp in point.expect:
        text = exp.kind + (f" {exp.severity}" if exp.severity else "")
        if exp.opened_at is not None:
            text += f" opened {case.relative(exp.opened_at)}"
        parts.append(text)
    return ", ".join(parts) + ("" if point.exact else " (others allowed)")


def _describe_actual(case: Case, incidents: Sequence[Incident]) -> str:
    if not incidents:
        return "no open incident"
    return ", ".join(
        f"{i.kind} {i.severity} opened {case.relative(i.opened_at)}" for i in incidents
    )


def _compare(case: Case, pack: Pack, point: Point, actual: Sequence[Incident]) -> list[str]:
    problems: list[str] = []
    by_kind = {inc.kind: inc for inc in actual}
    for exp in point.expect:
        if exp.kind not in pack.kinds:
            problems.append(
                f"! pack {pack.name!r} raises no kind {exp.kind!r}.{suggest(exp.kind, pack.kinds)}"
            )
            continue
        if exp.severity is not None and exp.severity not in pack.severities:
            problems.append(
                f"! pack {pack.name!r} has no severity {exp.severity!r}"
                f" (levels: {', '.join(pack.severities)})"
            )
            continue
        inc = by_kind.get(exp.kind)
        if inc is None:
            problems.append(f"- missing {exp.kind}" + (f" {exp.severity}" if exp.severity else ""))
            continue
        problems.extend(f"~ {exp.kind}: {d}" for d in _field_differences(case, exp, inc))
    if point.exact:
        expected_kinds = {e.kind for e in point.expect}
        for inc in actual:
            if inc.kind not in expected_kinds:
                problems.append(
                    f"+ unexpected {inc.kind} {inc.severity} opened "
                    f"{case.relative(inc.opened_at)} (rules {', '.join(inc.rules)})"
                )
    return problems


def _field_differences(case: Case, exp: ExpectedIncident, inc: Incident) -> list[str]:
    out = []
    if exp.severity is not None and exp.severity != inc.severity:
        out.append(f"severity expected {exp.severity}, got {inc.severity}")
    code = inc.remedy.code if inc.remedy is not None else None
    if exp.remedy is not None and exp.remedy != code:
        out.append(f"remedy expected {exp.remedy}, got {code}")
    if exp.amounts is not None:
        items = {item.code: item.amount for item in (inc.remedy.items if inc.remedy else ())}
        for item_code, amount in exp.amounts.items():
            if item_code not in items:
                out.append(
                    f"remedy item {item_code} expected {amount}, but the remedy has "
                    + (", ".join(items) or "no items")
                )
            elif items[item_code] is None or items[item_code] != amount:
                out.append(f"amount of {item_code} expected {amount}, got {items[item_code]}")
    if exp.opened_at is not None and to_micros(exp.opened_at) != to_micros(inc.opened_at):
        out.append(
            f"opened_at expected {case.relative(exp.opened_at)}, got {case.relative(inc.opened_at)}"
        )
    if exp.deadlines is not None:
        for name, moment in exp.deadlines.items():
            got = inc.deadlines.get(name)
            if got is None:
                out.append(
                    f"deadline {name} expected {case.relative(moment)}, but the incident has "
                    + (", ".join(inc.deadlines) or "no deadlines")
                )
            elif to_micros(got) != to_micros(moment):
                out.append(
                    f"deadline {name} expected {case.relative(moment)}, got {case.relative(got)}"
                )
    if exp.rules is not None and set(exp.rules) != set(inc.rules):
        out.append(f"rules expected {', '.join(exp.rules)}, got {', '.join(inc.rules)}")
    if exp.escalations is not None:
        out.extend(_escalation_differences(case, exp.escalations, inc))
    return out


def _escalation_differences(
    case: Case, expected: tuple[ExpectedEscalation, ...], inc: Incident
) -> list[str]:
    got = inc.escalations
    whats = [e.what for e in got]
    if [e.what for e in expected] != whats:
        shown = ", ".join(whats) or "none"
        return [
            f"escalations expected {', '.join(e.what for e in expected) or 'none'}, got {shown}"
        ]
    out = []
    for exp, actual in zip(expected, got, strict=True):
        if exp.at is not None and to_micros(exp.at) != to_micros(actual.at):
            out.append(
                f"escalation {exp.what} expected at {case.relative(exp.at)}, "
                f"got {case.relative(actual.at)}"
            )
        if exp.has_target and exp.target != actual.target:
            out.append(f"escalation {exp.what} expected to {exp.target}, got {actual.target}")
    return out


def run_case(case: Case, pack: Pack, *, trace: bool = True) -> CaseResult:
    """Evaluate ``pack`` at every point of ``case`` and compare with what it expects.

    With ``trace`` (the default), a failing point carries the ``explain`` trace of
    the parcel at that instant.
    """
    results = []
    for point in case.points:
        actual = tuple(evaluate(pack, case.events, at=point.at, shipment=case.shipment))
        mine = tuple(i for i in actual if i.tracking_number == case.tracking_number)
        problems = _compare(case, pack, point, mine)
        explanation = None
        if problems and trace:
            explanation = explain_events(
                pack,
                case.events,
                tracking_number=case.tracking_number,
                at=point.at,
                shipment=case.shipment,
            )
        results.append(PointResult(point, mine, tuple(problems), explanation))
    return CaseResult(case, tuple(results))


def run_scenarios(
    source: str | Path | ScenarioFile, *, pack: Pack | str | Path | None = None
) -> list[CaseResult]:
    """Run every case of a scenario file against ``pack`` (default: the file's pack).

    Raises ``ScenarioError`` for a file that cannot be read and ``PackError`` for a
    pack that does not compile.
    """
    scenarios = source if isinstance(source, ScenarioFile) else load_scenarios(source)
    if pack is None:
        compiled = scenarios.load_pack()
    elif isinstance(pack, Pack):
        compiled = pack
    else:
        compiled = load_pack(pack)
    return [run_case(case, compiled) for case in scenarios.cases]
