"""Issue 13 §1, supersession: one problem, one incident.

A silent parcel is a stall, then a transit delay, then a presumed loss; each later
stage closes the earlier ones with a ``superseded`` change that names its successor.
Boundaries are checked one minute before, at and one minute after.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from policy_timeline import AROUND, PACK, h, incidents, scan, shipment

from logix_rules import ChangeType, Engine, ErrorCode, PackError, evaluate, loads_pack
from logix_rules.cli._main import main

SILENT = [scan("in_transit", 0)]  # a domestic parcel, silent from hour 0
TRANSIT_DUE = 72.0  # transit_allowance, domestic: 3 days in line haul
LOST_DUE = 168.0  # lost_after, domestic: 7 days of silence


def test_the_default_pack_declares_its_supersessions() -> None:
    assert dict(PACK.supersedes) == {
        "lost": ("tracking_stall", "transit_delay"),
        "transit_delay": ("tracking_stall",),
        "delivery_delay": ("delivery_at_risk",),
    }


@pytest.mark.parametrize("offset", AROUND)
def test_a_transit_delay_supersedes_the_stall(offset: timedelta) -> None:
    found = incidents(SILENT, h(TRANSIT_DUE) + offset, shipment())
    expected = {"tracking_stall"} if offset < timedelta(0) else {"transit_delay"}
    assert set(found) == expected


@pytest.mark.parametrize("offset", AROUND)
def test_a_presumed_loss_supersedes_the_transit_delay(offset: timedelta) -> None:
    found = incidents(SILENT, h(LOST_DUE) + offset, shipment())
    expected = {"transit_delay"} if offset < timedelta(0) else {"lost"}
    assert set(found) == expected


def _changes(until: float) -> list[Any]:
    engine = Engine(PACK)
    engine.upsert_shipment(shipment())
    engine.ingest(SILENT)
    return engine.advance(to=h(until))


@pytest.mark.parametrize("offset", AROUND)
def test_the_superseded_change_names_the_incident_that_replaced_it(offset: timedelta) -> None:
    at = h(TRANSIT_DUE) + offset
    changes = _changes((at - h(0)).total_seconds() / 3600)
    superseded = [c for c in changes if c.type is ChangeType.SUPERSEDED]
    if offset < timedelta(0):
        assert superseded == []
        return
    (change,) = superseded
    (opened,) = [
        c for c in changes if c.type is ChangeType.OPENED and c.incident.kind == "transit_delay"
    ]
    assert change.at == h(TRANSIT_DUE)
    assert change.incident.kind == "tracking_stall"
    assert change.incident.superseded_by == opened.incident.id
    assert change.incident.state.value == "cleared"
    assert change.to_dict()["type"] == "superseded"
    assert change.to_dict()["incident"]["superseded_by"] == opened.incident.id


def test_a_silent_parcel_is_one_incident_at_every_moment() -> None:
    changes = _changes(LOST_DUE + 48)
    live: set[str] = set()
    kinds: dict[str, str] = {}
    for change in changes:
        inc = change.incident
        kinds[inc.id] = inc.kind
        if change.type is ChangeType.OPENED:
            live.add(inc.id)
        elif change.type in (ChangeType.CLEARED, ChangeType.SUPERSEDED, ChangeType.RESOLVED):
            live.discard(inc.id)
        assert len({kinds[i] for i in live}) <= 1, f"two stages open at {change.at}"
    steps = [(c.incident.kind, c.incident.superseded_by is not None) for c in changes]
    assert [kind for kind, closed in steps if closed] == ["tracking_stall", "transit_delay"]
    assert {kinds[i] for i in live} == {"lost"}


def test_a_late_event_that_brings_a_later_stage_reports_superseded() -> None:
    engine = Engine(PACK)
    engine.upsert_shipment(shipment())
    engine.ingest(SILENT)
    (stall,) = [c.incident for c in engine.advance(to=h(30)) if c.type is ChangeType.OPENED]
    assert stall.kind == "tracking_stall"
    # The carrier's "lost" scan of 24:15 arrives after the stall's 24:30 escalation
    # fired: the replay finds a loss.
    late = scan("exception", 24.25, reason="lost")
    changes = engine.ingest([late])
    assert [(c.type, c.incident.kind) for c in changes][:2] == [
        (ChangeType.SUPERSEDED, "tracking_stall"),
        (ChangeType.OPENED, "lost"),
    ]
    assert changes[0].incident.superseded_by == changes[1].incident.id
    batch = evaluate(PACK, [*SILENT, late], at=h(30), shipment=shipment())
    assert [i.to_dict() for i in engine.open_incidents()] == [i.to_dict() for i in batch]


def test_a_resolved_stage_is_superseded_silently() -> None:
    engine = Engine(PACK)
    engine.upsert_shipment(shipment())
    engine.ingest(SILENT)
    (stall,) = [c.incident for c in engine.advance(to=h(25)) if c.type is ChangeType.OPENED]
    engine.resolve(stall.id, by="ana", at=h(26))
    changes = engine.advance(to=h(TRANSIT_DUE) + timedelta(minutes=1))
    assert ChangeType.SUPERSEDED not in [c.type for c in changes]
    assert [i.kind for i in engine.open_incidents()] == ["transit_delay"]


def test_logix_demo_shows_no_parcel_both_lost_and_stalled(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)["incidents"]
    kinds: dict[str, set[str]] = {}
    for incident in shown:
        kinds.setdefault(incident["tracking_number"], set()).add(incident["kind"])
    assert any("lost" in k for k in kinds.values())
    both = [tn for tn, k in kinds.items() if {"lost", "tracking_stall"} <= k]
    assert both == []


def test_the_demo_never_holds_a_loss_and_a_stall_open_together() -> None:
    from logix_rules import generate_demo

    demo = generate_demo(seed=7, shipments=300)
    engine = Engine(PACK)
    for ship in demo.shipments:
        engine.upsert_shipment(ship)
    engine.ingest(demo.events)
    live: dict[str, tuple[str, str]] = {}  # incident id -> (tracking number, kind)
    superseded = 0
    for change in engine.advance(to=demo.at):
        inc = change.incident
        if change.type is ChangeType.OPENED:
            live[inc.id] = (inc.tracking_number, inc.kind)
        elif change.type in (ChangeType.CLEARED, ChangeType.SUPERSEDED):
            live.pop(inc.id, None)
            superseded += change.type is ChangeType.SUPERSEDED
        held = {kind for tn, kind in live.values() if tn == inc.tracking_number}
        assert not {"lost", "tracking_stall"} <= held, inc.tracking_number
    assert superseded > 0


# -- the compiler ----------------------------------------------------------------------------
BASE = """
format: 1
name: shop
severities:
  P2: {respond: 15m, resolve: 8h, escalate_after: 2h}
rules:
  - id: stall
    kind: tracking_stall
    severity: P2
    when: not final
    anchor: last_scan
    after: 24h
  - id: lost
    kind: lost
    severity: P2
    when: not final
    anchor: last_scan
    after: 7d
"""


def _issues(text: str) -> list[Any]:
    with pytest.raises(PackError) as caught:
        loads_pack(text, file="shop.yaml")
    return list(caught.value.issues)


def test_a_rule_may_say_what_its_kind_supersedes() -> None:
    pack = loads_pack(
        BASE.replace("    after: 7d\n", "    after: 7d\n    supersedes: [tracking_stall]\n")
    )
    assert dict(pack.supersedes) == {"lost": ("tracking_stall",)}


def test_an_unknown_kind_is_a_typed_error_with_a_suggestion() -> None:
    (issue,) = _issues(BASE + "supersessions:\n  lost: [tracking_stal]\n")
    assert issue.code is ErrorCode.UNKNOWN_KIND
    assert issue.loc == ("supersessions", "lost", 0)
    assert "Did you mean 'tracking_stall'?" in issue.msg
    assert issue.input == "tracking_stal"
    (issue,) = _issues(BASE.replace("    after: 7d\n", "    after: 7d\n    supersedes: [stal]\n"))
    assert issue.code is ErrorCode.UNKNOWN_KIND
    assert issue.rule_id == "lost"
    (issue,) = _issues(BASE + "supersessions:\n  los: [tracking_stall]\n")
    assert issue.code is ErrorCode.UNKNOWN_KIND
    assert "Did you mean 'lost'?" in issue.msg


@pytest.mark.parametrize(
    "table",
    [
        "  lost: [tracking_stall]\n  tracking_stall: [lost]\n",
        "  lost: [lost]\n",
    ],
)
def test_a_cycle_is_rejected(table: str) -> None:
    (issue,) = _issues(BASE + "supersessions:\n" + table)
    assert issue.code is ErrorCode.SUPERSESSION_CYCLE
    assert "lost -> " in issue.msg


def test_a_supersession_must_list_kinds() -> None:
    (issue,) = _issues(BASE + "supersessions:\n  lost: tracking_stall\n")
    assert issue.code is ErrorCode.WRONG_TYPE


def test_an_extending_pack_replaces_a_kinds_row() -> None:
    shop = loads_pack(
        "format: 1\nname: shop\nextends: default\nsupersessions:\n  lost: [tracking_stall]\n"
    )
    assert shop.supersedes["lost"] == ("tracking_stall",)
    assert shop.supersedes["transit_delay"] == ("tracking_stall",)
    assert shop.fingerprint != PACK.fingerprint
