"""The generated scan skips only what the compiler proved cannot hold (issue 15):
its answer equals that of every rule's own functions, on every state of the demo."""

from __future__ import annotations

import re
from typing import Any

import pytest

from logix_rules import Engine, generate_demo, load_pack
from logix_rules.compiler._codegen_scan import null_checked, tracker_lines
from logix_rules.compiler._model import Pack
from logix_rules.core._helpers import RUNTIME_GLOBALS
from logix_rules.runtime._state import ShipmentState


def reference_scan(pack: Pack, s: ShipmentState, n: int) -> tuple[Any, Any]:
    """Every rule's ``when``, anchor and rungs, one after the other: what the scan means."""
    f, p = s.facts, s.params
    hits: list[tuple[int, int]] = []
    pending = None
    for rule in pack.rules:
        if not rule.when(s, f, p, n):
            continue
        if rule.anchor is None:
            hits.append((rule.index, 0))
            continue
        a = rule.anchor(s, f, p, n)
        if a is None:
            continue
        active = -1
        for rung, step in enumerate(rule.steps):
            d = step.after(s, f, p, n) if step.after is not None else 0
            if d is None:
                continue
            d += a
            if d <= n:
                if step.when is None or step.when(s, f, p, n):
                    active = rung
            elif pending is None or d < pending:
                pending = d
        if active >= 0:
            hits.append((rule.index, active))
    return hits or None, pending


@pytest.mark.parametrize("seed", [3, 7])
def test_the_scan_agrees_with_the_rules_on_every_demo_state(seed: int) -> None:
    data = generate_demo(seed=seed, shipments=120)
    pack = load_pack("default")
    engine = Engine(pack)
    for shipment in data.shipments[::2]:  # half with OMS facts, half without
        engine.upsert_shipment(shipment)
    states = engine._host.states  # the memory host's own
    checked = tracked = 0
    scan = pack.scan
    for event in data.events:
        engine.ingest([event])
        state = states[event.tracking_number]
        for n in (state.last_event, state.last_event + 86_400_000_000 * 3):
            assert scan(state, state.facts, state.params, n) == reference_scan(pack, state, n)
            checked += 1
        tracked += state.cnt != (0,) * len(pack.trackers)
    assert checked > 1000
    assert tracked > 20  # both sides of the trackers' test were seen


def test_a_null_safe_comparison_tests_state_fields_for_none_first() -> None:
    code = null_checked("_gt(s.lasts[5], s.delivered_at)")
    checks = "s.lasts[5] is not None and s.delivered_at is not None"
    assert code == f"({checks} and _gt(s.lasts[5], s.delivered_at))"
    # A shipment's fact or a param is seldom unset: no test for it.
    assert null_checked("_ge(f.declared_value, p.high_value)") == (
        "_ge(f.declared_value, p.high_value)"
    )
    # An operand that is not a plain read (a call) is evaluated once, as before.
    same = "_gt(s.attr_values.get('x', None), p.limit)"
    assert null_checked(same) == same


@pytest.mark.parametrize("left", [None, 1, 2.5, "a"])
@pytest.mark.parametrize("right", [None, 2, "b"])
def test_null_checked_code_evaluates_as_the_original(left: Any, right: Any) -> None:
    class S:
        def __init__(self) -> None:
            self.lasts = [None, left]
            self.delivered_at = right

    for helper in ("_lt", "_le", "_gt", "_ge"):
        original = f"{helper}(s.lasts[1], s.delivered_at) or s.delivered_at == 7"
        checked = null_checked(original)
        assert checked != original
        names = dict(RUNTIME_GLOBALS, s=S())
        assert eval(checked, names) == eval(original, names)


def test_trackers_that_need_a_reason_share_one_test() -> None:
    reasoned = [[("reason", (r,))] for r in ("lost", "damaged", "refused")]
    lines = tracker_lines([*reasoned, [("status", ("attempt_failed",))]])
    assert lines[0] == "    if k[2] is not None:  # trackers that need a reason"
    assert sum(line.startswith("        if (k[2] == ") for line in lines) == 3
    assert "    if (k[0] == 'attempt_failed'):" in lines
    # A filter that admits no reason (None) must see reasonless events.
    lines = tracker_lines([*reasoned[:2], [("reason", (None, "x"))]])
    assert "    if (k[2] in (None, 'x')):" in lines  # outside the test of the reason


def test_the_default_pack_skips_its_seen_rules_while_no_tracker_matched() -> None:
    source = load_pack("default").module_source
    assert source.count("if s.cnt != _ZEROS:") == 2  # in __rules and in __absorb


def test_fields_several_rules_read_are_read_once_and_counts_stay_in_the_text() -> None:
    source = load_pack("default").module_source
    absorb = source[source.index("def __absorb") :]
    rules = absorb.split("s_status = s.status\n", 1)[1]  # the last of the reads first
    for field in ("final", "stage", "status", "delivered_at"):
        assert absorb.count(f"s_{field} = s.{field}\n") == 1
        assert re.search(rf"\bs\.{field}\b", rules) is None
    # Counts are read in the text, where the late-event analysis looks for them.
    assert "(s.n_scans == 0)" in absorb
    assert "s_n_scans" not in source


def test_a_rung_with_no_offset_is_due_at_its_anchor() -> None:
    source = load_pack("default").module_source
    late = source[source.index("# rules[18] delivery_late", source.index("def __absorb")) :]
    assert late.split("active = -1\n", 1)[1].startswith("            d = a\n            if d <= n:")
