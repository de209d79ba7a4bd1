"""How an ``Explanation`` is traced: why each rule of a pack holds, or not, for one
parcel at one instant (the result types are in ``_explanation``).

``explain_state(kernel, state, at)``, behind ``engine.explain(tracking_number, at=...)``
and ``explain_events``, rebuilds the parcel's state as of ``at`` from the events it
had by then (so the answer does not depend on when events arrived or when
``advance`` was called), then walks every rule:

* the condition, split into its sub-conditions (the operands of ``and``/``or``/
  ``not``, down to single comparisons), each with the values of its operands, so a
  failing rule names the part that failed: ``stage == 'customs'`` with ``stage``
  ``'line_haul'``;
* for a timed rule, the anchor, each rung's threshold and due time, and how far
  the parcel is from it: ``20h since last_scan < stall_after 24h, due at ...``.

The sub-conditions are compiled on demand from the rule's source against the
pack's own namespace (``compile_probe``), so they read the state exactly as the
generated rule code does.  ``logix test`` prints this trace for a failing point.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from logix_carriers import TrackingEvent

from ..compiler._expr_limits import parse_expression
from ..compiler._load import load_pack
from ..compiler._model import Pack, Rule
from ..compiler._probe import Probe, compile_probe
from ..core._durations import format_span, from_micros
from ..core._records import T, rec_key
from ._explanation import (
    FAILS,
    HOLDS,
    NO_ANCHOR,
    WAITING,
    Condition,
    Explanation,
    Operand,
    RuleTrace,
    Rung,
    format_instant,
    threshold_text,
)
from ._inputs import EventInput, ShipmentInput, aware_micros, parse_events, parse_shipment
from ._kernel import Kernel
from ._state import ShipmentState

__all__ = ["explain_events", "explain_state"]


def _show(value: Any, base: str) -> Any:
    """An operand's value as a person reads it (and as it appears in JSON)."""
    if value is None:
        return None
    if base == "datetime" and isinstance(value, int):
        return format_instant(from_micros(value))
    if base == "duration" and isinstance(value, int | float):
        return format_span(round(value))
    if isinstance(value, tuple):
        return list(value)
    return value


# -- condition trees -------------------------------------------------------------------------
@attrs.frozen
class _Node:
    kind: str  # "and" | "or" | "not" | "leaf"
    probe: Probe
    children: tuple[_Node, ...] = ()
    operands: tuple[Probe, ...] = ()


_TREES: dict[tuple[str, str, str], _Node] = {}
_PROBES: dict[tuple[str, str, str], Probe] = {}
_CACHE_LIMIT = 4096
_SCALERS = {"duration", "hours", "days", "minutes"}


def _probe(pack: Pack, source: str) -> Probe:
    key = (pack.name, pack.fingerprint, source)
    probe = _PROBES.get(key)
    if probe is None:
        if len(_PROBES) > _CACHE_LIMIT:
            _PROBES.clear()
        probe = _PROBES[key] = compile_probe(pack, source)
    return probe


def _literal(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Tuple | ast.List):
        return all(_literal(e) for e in node.elts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _literal(node.operand)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in _SCALERS and all(_literal(a) for a in node.args)
    return False


def _operand_nodes(node: ast.expr) -> list[ast.expr]:
    """The non-literal operands of a comparison worth showing, outermost first."""
    out: list[ast.expr] = []
    if _literal(node):
        return out
    out.append(node)
    if isinstance(node, ast.BinOp):
        out.extend(_operand_nodes(node.left))
        out.extend(_operand_nodes(node.right))
    elif isinstance(node, ast.UnaryOp):
        out.extend(_operand_nodes(node.operand))
    return out


def _tree(pack: Pack, source: str) -> _Node:
    key = (pack.name, pack.fingerprint, source)
    node = _TREES.get(key)
    if node is None:
        if len(_TREES) > _CACHE_LIMIT:
            _TREES.clear()
        text = source.strip()
        body = parse_expression(text).body
        node = _TREES[key] = _build(pack, text, body)
    return node


def _segment(text: str, node: ast.expr) -> str:
    # One line: a part of a multi-line condition may not parse on its own otherwise.
    return " ".join((ast.get_source_segment(text, node) or ast.unparse(node)).split())


def _build(pack: Pack, text: str, node: ast.expr) -> _Node:
    probe = _probe(pack, _segment(text, node))
    if isinstance(node, ast.BoolOp):
        kind = "and" if isinstance(node.op, ast.And) else "or"
        return _Node(kind, probe, tuple(_build(pack, text, v) for v in node.values))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return _Node("not", probe, (_build(pack, text, node.operand),))
    operands: list[ast.expr] = []
    if isinstance(node, ast.Compare):
        for side in (node.left, *node.comparators):
            operands.extend(_operand_nodes(side))
    seen: dict[str, Probe] = {}
    for sub in operands:
        sub_text = _segment(text, sub)
        if sub_text not in seen:
            seen[sub_text] = _probe(pack, sub_text)
    return _Node("leaf", probe, operands=tuple(seen.values()))


class _Eval:
    """Evaluates condition trees on one state at one instant."""

    def __init__(self, state: ShipmentState, t: int) -> None:
        self.args = (state, state.facts, state.params, t)

    def value(self, probe: Probe) -> Any:
        return probe.fn(*self.args)

    def condition(self, node: _Node) -> Condition:
        holds = bool(self.value(node.probe))
        if node.kind == "leaf":
            operands = tuple(
                Operand(p.source, _show(self.value(p), p.type.base)) for p in node.operands
            )
            return Condition(node.probe.source, holds, operands)
        if node.kind == "not":
            return Condition(node.probe.source, holds, self.negated(node).operands)
        return Condition(node.probe.source, holds)

    def negated(self, node: _Node) -> Condition:
        """The operand of a ``not``, with its own value shown when it is a bare name."""
        inner = self.condition(node.children[0])
        if not inner.operands and node.children[0].kind == "leaf":
            return attrs.evolve(inner, operands=(Operand(inner.text, inner.holds),))
        return inner

    def parts(self, node: _Node) -> tuple[Condition, ...]:
        if node.kind in ("and", "or"):
            return tuple(self.condition(child) for child in node.children)
        return (self.condition(node),)

    def failed(self, node: _Node) -> list[Condition]:
        """The innermost sub-conditions that make ``node`` false (empty if it holds)."""
        if bool(self.value(node.probe)):
            return []
        if node.kind in ("and", "or"):
            # For 'and' the false operands are the culprits; for 'or' all of them are.
            out: list[Condition] = []
            for child in node.children:
                out.extend(self.failed(child))
            return out
        if node.kind == "not":
            return [Condition(node.probe.source, False, self.negated(node).operands)]
        return [self.condition(node)]


def _trace_rule(pack: Pack, rule: Rule, ev: _Eval, t: int) -> RuleTrace:
    state, facts, params, _ = ev.args
    tree = _tree(pack, rule.when_source)
    condition = ev.condition(tree)
    holds_now = bool(rule.when(state, facts, params, t))
    parts = ev.parts(tree)
    failed = tuple(ev.failed(tree)) if not holds_now else ()
    common: dict[str, Any] = {
        "rule": rule.id,
        "kind": rule.kind,
        "title": rule.title,
        "condition": attrs.evolve(condition, holds=holds_now),
        "parts": parts,
        "failed": failed,
    }
    if rule.anchor is None:
        step = rule.steps[0]
        if holds_now:
            return RuleTrace(
                status=HOLDS,
                severity=step.severity,
                rung=0,
                summary=f"holds: {step.severity}",
                **common,
            )
        return RuleTrace(status=FAILS, summary=_why_not(failed, condition), **common)

    anchor = rule.anchor(state, facts, params, t)
    anchor_src = rule.anchor_source
    rungs: list[Rung] = []
    active = -1
    next_due: int | None = None
    for step in rule.steps:
        after = step.after(state, facts, params, t) if step.after is not None else 0
        due = None if anchor is None or after is None else anchor + after
        reached = due is not None and due <= t
        step_condition = None
        step_failed: tuple[Condition, ...] = ()
        if step.when is not None and step.when_source is not None:
            step_tree = _tree(pack, step.when_source)
            step_condition = ev.condition(step_tree)
            if not step_condition.holds:
                step_failed = tuple(ev.failed(step_tree))
        if reached and (step_condition is None or step_condition.holds):
            active = step.index
        if due is not None and due > t and (next_due is None or due < next_due):
            next_due = due
        rungs.append(
            Rung(
                index=step.index,
                severity=step.severity,
                after=step.after_source,
                after_value=None if after is None else format_span(after),
                due=None if due is None else from_micros(due),
                reached=reached,
                condition=step_condition,
                failed=step_failed,
            )
        )
    timed: dict[str, Any] = {
        "anchor": anchor_src,
        "anchor_at": None if anchor is None else from_micros(anchor),
        "rungs": tuple(rungs),
        "next_due": None if next_due is None else from_micros(next_due),
    }
    if not holds_now:
        return RuleTrace(status=FAILS, summary=_why_not(failed, condition), **common, **timed)
    if anchor is None:
        return RuleTrace(
            status=NO_ANCHOR,
            summary=f"condition holds, but its anchor `{anchor_src}` has no value",
            **common,
            **timed,
        )
    if active < 0:
        first = rungs[0]
        elapsed = t - anchor
        threshold = threshold_text(first.after)
        value = first.after_value or "0s"
        if first.due is None:
            summary = f"condition holds, but the threshold `{first.after}` has no value"
        elif elapsed < 0:
            summary = (
                f"not due yet: {anchor_src} is {format_span(-elapsed)} ahead, "
                f"due at {format_instant(first.due)}"
            )
        else:
            shown = threshold if threshold == value else f"{threshold} {value}"
            summary = (
                f"not due yet: {format_span(elapsed)} since {anchor_src} < {shown}, "
                f"due at {format_instant(first.due)}"
            )
        return RuleTrace(status=WAITING, summary=summary, **common, **timed)
    rung = rungs[active]
    shown = threshold_text(rung.after)
    if shown != rung.after_value:
        shown = f"{shown} {rung.after_value}"
    summary = (
        f"holds: {rung.severity} since {format_instant(rung.due)} "
        f"({format_span(t - anchor)} since {anchor_src} >= {shown})"
    )
    skipped = [r for r in rungs[active + 1 :] if r.reached and r.failed]
    for r in skipped:
        summary += f"; rung {r.index} ({r.severity}) is due but " + _why_not(r.failed, None)
    upcoming = next((r for r in rungs[active + 1 :] if not r.reached and r.due), None)
    if upcoming is not None and upcoming.due is not None:
        summary += f"; next rung {upcoming.severity} at {format_instant(upcoming.due)}"
    return RuleTrace(
        status=HOLDS, severity=rung.severity, rung=active, summary=summary, **common, **timed
    )


def _why_not(failed: Iterable[Condition], whole: Condition | None) -> str:
    # Raw: the trace keeps the values; it is masked when shown (RuleTrace.masked).
    reasons = [c.render(mask=False) for c in failed]
    if not reasons and whole is not None:
        reasons = [whole.render(mask=False)]
    return "; ".join(reasons)


# -- entry points ----------------------------------------------------------------------------
def explain_state(kernel: Kernel, state: ShipmentState, at: int) -> Explanation:
    """The explanation of ``state``'s parcel at ``at`` (microseconds).

    The state is rebuilt from the events it holds up to ``at``, so the engine's
    own state is not touched and events after ``at`` do not count.
    """
    pack = kernel.pack
    fresh = kernel.new_state(state.tracking_number, state.carrier, state.shipment)
    fresh.followups = {key: attrs.evolve(value) for key, value in state.followups.items()}
    count = 0
    for rec in state.history:
        if rec[T] <= at:
            kernel.step(fresh, rec)
            count += 1
    kernel.fire(fresh, at)
    ev = _Eval(fresh, at)
    traces = tuple(_trace_rule(pack, rule, ev, at) for rule in pack.rules)
    incidents = tuple(
        sorted(
            kernel.incidents(fresh),
            key=lambda i: (pack.severities[i.severity].rank, i.opened_at, i.kind),
        )
    )
    return Explanation(
        tracking_number=state.tracking_number,
        at=from_micros(at),
        pack=pack.name,
        events=count,
        incidents=incidents,
        rules=traces,
    )


def explain_events(
    pack: Pack | str,
    events: Iterable[EventInput],
    *,
    tracking_number: str,
    at: datetime,
    shipment: ShipmentInput | None = None,
    assume_tz: str | None = None,
) -> Explanation:
    """Batch twin of ``Engine.explain``: the explanation for one parcel of ``events``.

    The parcel's state is built as a fresh ``Engine`` would build it from
    ``shipment`` and ``events`` (its clock never advanced), then explained.
    """
    kernel = Kernel(load_pack(pack) if isinstance(pack, str) else pack)
    states: dict[str, ShipmentState] = {}
    if shipment is not None:
        facts = parse_shipment(shipment, assume_tz=assume_tz)
        states[facts.tracking_number] = kernel.new_state(
            facts.tracking_number, facts.carrier, facts
        )
    mine = parse_events(
        (
            e
            for e in events
            if (e.tracking_number if isinstance(e, TrackingEvent) else _number(e))
            == tracking_number
        ),
        assume_tz=assume_tz,
    )
    groups, carriers = kernel.group(mine)
    for tn, recs in groups.items():
        state = states.get(tn)
        if state is None:
            state = states[tn] = kernel.new_state(tn, carriers[tn])
        kernel.step_many(state, sorted(recs, key=rec_key))
    state = states.get(tracking_number)
    if state is None:
        raise KeyError(f"no shipment {tracking_number!r} in this engine")
    return explain_state(kernel, state, aware_micros(at, "at"))


def _number(item: Any) -> Any:
    return item.get("tracking_number") if isinstance(item, Mapping) else None
