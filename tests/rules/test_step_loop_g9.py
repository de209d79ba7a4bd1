"""The generated step loop (``compiler/_codegen_step.py``, ``runtime/_step_loop.py``):
``Kernel.step_many`` runs one function per pack with the pack's absorb written in, so
an in-order event never calls ``__absorb``; the loop's lines are readable in tracebacks
and it leaves the pack's fingerprint alone."""

from __future__ import annotations

import linecache
import traceback
from typing import Any

import pytest

from logix_rules import Engine, generate_demo, load_pack
from logix_rules.compiler._codegen_step import step_function
from logix_rules.runtime._kernel import Kernel
from logix_rules.runtime._step_loop import step_loop


def _absorb_lines(pack: Any) -> list[str]:
    source = pack.module_source
    return source[source.index("def __absorb(s, e, f, p, n):") :].splitlines()


def test_in_order_events_never_call_absorb() -> None:
    pack = load_pack("default")
    engine = Engine(pack, settle_gc=False)
    calls = []
    absorb = engine._kernel._absorb

    def counted(*args: Any) -> Any:
        calls.append(args[1])
        return absorb(*args)

    engine._kernel._absorb = counted  # type: ignore[method-assign]
    data = generate_demo(seed=7, shipments=40)
    in_order = sorted(data.events, key=lambda e: (e.tracking_number, e.occurred_at, e.event_id))
    engine.ingest(in_order)
    assert engine.open_incidents()  # the loop absorbed the events and evaluated them
    assert calls == []  # ... with the absorb written into it
    # A late event still takes the replay, which calls the pack's __absorb.
    late = min(in_order[:5], key=lambda e: e.occurred_at)
    engine.ingest([late.model_copy(update={"event_id": "late-1"})])
    assert calls


def test_the_same_states_as_the_replay() -> None:
    """Stepping a parcel's events in order and rebuilding it from them by a replay (which
    calls the pack's __absorb) leave equal states."""
    pack = load_pack("default")
    kernel = Kernel(pack)
    data = generate_demo(seed=11, shipments=60)
    records, carriers = kernel.group(data.events, ordered=True)
    for tn, recs in records.items():
        state = kernel.new_state(tn, carriers[tn])
        kernel.step_many(state, recs)
        rebuilt = kernel.rebuild(
            (tn, carriers[tn], None, list(state.history), {}, state.fired_through)
        )
        assert kernel.state_body(rebuilt) == kernel.state_body(state), tn


def test_one_loop_per_pack_registered_for_tracebacks() -> None:
    pack = load_pack("default")
    loop = step_loop(pack)
    assert Kernel(pack)._step_many is loop is Kernel(pack)._step_many
    code = loop.__code__
    assert code.co_name == "__step_many"
    lines = linecache.getlines(code.co_filename)
    assert "".join(lines) == pack.step_source
    # The absorb's lines are in the loop, and the pack's module (so its fingerprint)
    # does not hold the loop.
    assert "        s.scan_memo = None  # the rules' last scan no longer holds\n" in lines
    assert "__step_many" not in pack.module_source


def test_a_traceback_shows_the_generated_line() -> None:
    pack = load_pack("default")
    kernel = Kernel(pack)
    state = kernel.new_state("1Z", "ups")
    with pytest.raises(TypeError) as caught:
        kernel.step_many(state, [(1, "a", None)])  # not a kind: k[...] fails in the loop
    frames = traceback.extract_tb(caught.value.__traceback__)
    assert frames[-1].name == "__step_many"
    assert (frames[-1].line or "").startswith("if ")
    assert "k[" in (frames[-1].line or "")


def test_the_loop_refuses_an_absorb_that_assigns_its_names() -> None:
    lines = _absorb_lines(load_pack("default"))
    step_function(lines)  # the pack's own: fine
    clashing = [lines[0], "    history = None", *lines[1:]]
    with pytest.raises(ValueError, match="history"):
        step_function(clashing)
    with pytest.raises(ValueError, match="not the lines"):
        step_function(lines[1:])
