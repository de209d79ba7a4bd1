"""An incident's life beyond its rules (docs/engine.md, "Follow-up"): which kinds a
holding kind supersedes, where kind-specific deadlines count from, whether a
follow-up action met a deadline, and the revisit after a resolution.

The kernel calls these while it evaluates; they read the pack and the state, and
change only what they are handed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from ..compiler._model import Pack, Rule
from ._state import Followup, OpenIncident, ShipmentState

__all__ = ["deadlines_of", "met", "revisit_due", "superseded"]


def superseded(
    supersedes: Mapping[str, tuple[str, ...]], holding: Collection[str]
) -> dict[str, str]:
    """Each kind a holding kind supersedes -> the holding kind that replaces it.

    In a chain (lost supersedes transit_delay, which supersedes tracking_stall, all
    holding) the replacement is the topmost: the one no holding kind supersedes.
    """
    direct: dict[str, list[str]] = {}
    for kind in holding:
        for other in supersedes.get(kind, ()):
            direct.setdefault(other, []).append(kind)
    if not direct:
        return {}

    # A loop, not a recursive closure: one would hold itself in a cell, a reference
    # cycle left for the collector on every call (see _gc_settle's safe points).
    def top(kind: str) -> str:
        while True:
            by = sorted(direct[kind])
            for candidate in by:
                if candidate not in direct:
                    return candidate
            kind = by[0]  # the pack's supersessions have no cycle (the compiler checks)

    return {kind: top(kind) for kind in direct}


def deadlines_of(
    s: ShipmentState,
    inc: OpenIncident,
    lead: tuple[Rule, int],
    hits: list[tuple[Rule, int]],
    t: int,
) -> tuple[dict[str, int], dict[str, int] | None]:
    """The kind-specific deadlines (name -> due) and the starts that are not
    ``opened_at``, as of ``t``.

    A deadline counts from ``opened_at``, or from its own ``from:`` instant (after the
    last failed attempt, say).  The leading rule's rung sets the deadlines it names;
    the other rules that hold add the ones it does not (the earliest of each).
    """
    f, p = s.facts, s.params
    deadlines: dict[str, int] = {}
    starts: dict[str, int] = {}
    led: set[str] = set()
    lead_rule = lead[0]
    if len(hits) == 1 and hits[0][0] is lead_rule:  # most incidents: one rule holds
        named: tuple[tuple[Rule, int], ...] = (lead,)
    else:
        named = (lead, *[hit for hit in hits if hit[0] is not lead_rule])
    for rule, step_index in named:
        step = rule.steps[step_index]
        if not step.deadlines:  # most rungs name none
            continue
        anchors = dict(step.deadline_from) if step.deadline_from else None
        for name, fn in step.deadlines:
            window = fn(s, f, p, t)
            if window is None or name in led:
                continue
            start = inc.opened_at
            if anchors is not None and name in anchors:
                anchored = anchors[name](s, f, p, t)
                if anchored is not None:
                    start = anchored
            due = start + window
            if rule is lead_rule:
                led.add(name)
            elif name in deadlines and deadlines[name] <= due:
                continue
            deadlines[name] = due
            starts[name] = start
    if not starts:
        return deadlines, None
    own = {name: at for name, at in starts.items() if at != inc.opened_at}
    return deadlines, own or None


def met(follow: Followup | None, action: str, start: int, due: int) -> bool:
    """Whether ``action`` was recorded between ``start`` and ``due`` (both included)."""
    if follow is None:
        return False
    return any(what == action and start <= at <= due for what, _, at, _, _ in follow.log)


def revisit_due(pack: Pack, s: ShipmentState, resolved_at: int, t: int) -> int | None:
    """When the revisit of an incident resolved at ``resolved_at`` falls due (None:
    the pack has no revisit, or its duration does not apply to this shipment)."""
    revisit = pack.revisit
    if revisit is None:
        return None
    after = revisit.after(s, s.facts, s.params, t)
    return None if after is None else resolved_at + after
