"""A touch (``loads``, a step, ``dumps``) of a parcel with OMS facts: the facts' text
read from the tail is written back as it was read, the parcel's params come from the
reader's own memo, and neither changes a byte or a value."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from logix_rules import Kernel, StateError, generate_demo, load_pack
from logix_rules.runtime._state_layout import read_tail
from logix_rules.runtime._state_read import param_key

PACK = load_pack("default")
DEMO = generate_demo(seed=31, shipments=120)


def touched() -> list[tuple[Kernel, bytes, bytes]]:
    """For every demo parcel with facts: its state before its last event, and the
    state a touch of that event wrote."""
    kernel = Kernel(PACK)
    shipments = {s.tracking_number: s for s in DEMO.shipments}
    events: dict[str, list[Any]] = {}
    for event in DEMO.events:
        events.setdefault(event.tracking_number, []).append(event)
    out = []
    for tn, found in events.items():
        if tn not in shipments or len(found) < 2:
            continue
        state = kernel.new_state(tn, found[0].carrier, shipments[tn])
        for event in found[:-1]:
            kernel.step(state, kernel.record(event))
        before = kernel.dumps(state)
        loaded = kernel.loads(before, keep=True)
        kernel.step(loaded, kernel.record(found[-1]))
        out.append((kernel, before, kernel.dumps(loaded, keep=True)))
    return out


def test_a_touch_writes_what_a_process_that_never_read_the_facts_writes() -> None:
    cases = touched()
    assert len(cases) > 20
    for kernel, before, after in cases:
        loaded = kernel.loads(before, keep=True)
        # the facts' text is the one read from the tail, not encoded again
        assert id(loaded.facts) in kernel._codec._fact_texts
        # a new kernel holds no text or params: it encodes the facts itself
        again = Kernel(PACK)
        assert again.dumps(again.loads(after)) == after
        assert again.dumps(loaded) == kernel.dumps(loaded)


def test_the_params_read_are_those_the_pack_gives() -> None:
    kernel = Kernel(PACK)
    for _, before, _ in touched():
        loaded = kernel.loads(before)
        assert loaded.params is PACK.params_for(loaded.facts)


def test_a_selector_on_a_number_leaves_the_params_to_the_pack() -> None:
    assert param_key(SimpleNamespace(selectors=("declared_value",))) is None  # type: ignore[arg-type]
    key = param_key(SimpleNamespace(selectors=("scope", "lane")))  # type: ignore[arg-type]
    assert key is not None
    facts: Any = SimpleNamespace(cross_border=True, lane="DE-FR", currency="EUR")
    assert key(facts) == (True, "EUR", "DE-FR")


@pytest.mark.parametrize(
    "text",
    [
        '[["dhl",null,1.5],3,null,null,[],{},null]',
        '[[ "dhl" , null ],3,null,null,[],{},null]',  # spaces inside the facts
        '[["dhl"] ,3,null,null,[],{},null]',  # a space after them: read whole
        "[null,null,null,null,[],{},null]",
        '[["a]","[b"],0,[],{},null]',
        "[[1]]",
    ],
)
def test_the_tail_is_read_as_json_reads_it(text: str) -> None:
    tail, facts = read_tail(text)
    assert tail == json.loads(text)
    if facts is not None:
        assert json.loads(facts) == tail[0]
        assert text == "[" + facts + text[len(facts) + 1 :]


@pytest.mark.parametrize("text", ["[[1],", "[[1],]", "[[1", "[[1],2]x", "[[1],2"])
def test_a_broken_tail_is_refused(text: str) -> None:
    # (a ValueError, as json's own, is what Kernel.loads turns into a StateError)
    with pytest.raises(ValueError, match=r"JSON|delimiter|Expecting|extra data|array"):
        check_tail(text)


def check_tail(text: str) -> None:
    tail, _ = read_tail(text)
    if type(tail) is not list or len(tail) != 7:
        raise StateError("the tail must be an array of 7 parts")
