"""The tail of a state whose only irregular part is its open incidents (with or
without OMS facts) is written by encoding the incidents alone (``StateWriter._rest``):
it must be the compact JSON of the seven parts the general path writes, in their
order, and read back as the same state."""

from __future__ import annotations

import json
from typing import Any

from logix_rules import Kernel, generate_demo, load_pack
from logix_rules.runtime._state_incident import encode_incident

PACK = load_pack("default")
DEMO = generate_demo(seed=43, shipments=200)


def parcels() -> list[tuple[str, str, Any, list[Any]]]:
    events: dict[str, list[Any]] = {}
    for event in DEMO.events:
        events.setdefault(event.tracking_number, []).append(event)
    shipments = {s.tracking_number: s for s in DEMO.shipments}
    return [(tn, found[0].carrier, shipments.get(tn), found) for tn, found in events.items()]


def test_a_tail_of_incidents_is_the_seven_parts_compact() -> None:
    kernel = Kernel(PACK)
    codec = kernel._codec
    checked = {True: 0, False: 0}  # with facts, without
    for tn, carrier, shipment, events in parcels():
        for with_facts in (False, True):
            state = kernel.new_state(tn, carrier, shipment if with_facts else None)
            for event in events:
                kernel.step(state, kernel.record(event))
                if not (
                    state.open
                    and type(state.cnt) is tuple
                    and not state.attr_values
                    and not state.followups
                ):
                    continue
                strings: dict[str, int] = {}
                tail = codec._rest(state, strings)[1].decode("ascii")
                parts = json.loads(tail)
                # the encoder's compact text: no spaces, ASCII escapes
                assert tail == json.dumps(parts, separators=(",", ":"))
                facts, ship, trackers, values, incidents, followups, latest = parts
                held = state.shipment_text() if state.shipment is not None else None
                assert (facts is None) == (held is None)
                if held is not None:
                    assert facts == json.loads(codec.facts_text(state.facts))
                    assert ship == strings[held]
                else:
                    assert ship is None
                assert (trackers, values, followups, latest) == (None, None, {}, None)
                expected = [
                    encode_incident(inc, strings.__getitem__, key != inc.kind)
                    for key, inc in state.open.items()
                ]
                assert incidents == json.loads(json.dumps(expected))
                loaded = kernel.loads(kernel.dumps(state))
                assert kernel.incidents(loaded) == kernel.incidents(state)
                checked[with_facts] += 1
    assert checked[False] > 20
    assert checked[True] > 20
