"""The step loop's due instants fixed per batch (``compiler/_codegen_scan.py``'s
``batch``, ``compiler/_codegen_step.py``): a rule whose anchor and offsets read only the
shipment's facts and params has them computed once, before the batch's first event,
with the same changes and states as the plain loop; should that raise, the plain loop
runs and raises where the scan meets it."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from logix_rules import generate_demo, load_pack
from logix_rules.compiler._codegen_scan import _batch_constant
from logix_rules.compiler._codegen_step import step_function
from logix_rules.runtime._kernel import Kernel
from logix_rules.runtime._step_loop import _compiled


def _absorb_lines(source: str) -> list[str]:
    return source[source.index("def __absorb(s, e, f, p, n):") :].splitlines()


def _plain_loop(pack: Any) -> Any:
    """The pack's loop without the batch's locals: the module's own absorb around it."""
    plain = step_function(_absorb_lines(pack.module_source))
    return _compiled(attrs.evolve(pack, step_source="\n".join(plain)))


def _run(kernel: Kernel, data: Any) -> list[Any]:
    records, carriers = kernel.group(data.events, ordered=True)
    shipments = {shipment.tracking_number: shipment for shipment in data.shipments}
    out = []
    for tn, recs in records.items():
        # With the shipment's facts (promised_at...), so the batch has instants to fix.
        state = kernel.new_state(tn, carriers[tn], shipments.get(tn))
        changes = kernel.step_many(state, recs)
        out.append((tn, [c.to_dict() for c in changes], kernel.state_body(state)))
    return out


def test_the_default_pack_batches_a_rule() -> None:
    pack = load_pack("default")
    source = pack.step_source
    batched = source[source.index("def __step_many(K, s, recs):") :]
    prelude = batched[batched.index("    try:") : batched.index("    except Exception:")]
    # delivery_late's three due instants: promised_at, + sla_grace, + coupon_delay_max
    assert "= f.promised_at" in prelude
    assert "(p.sla_grace + 1)" in prelude
    assert "def __step_many_plain(K, s, recs):" in source
    assert "__step_many" not in pack.module_source  # the fingerprint's text is untouched


@pytest.mark.parametrize("seed", [3, 11])
def test_the_same_changes_and_states_as_the_plain_loop(seed: int) -> None:
    pack = load_pack("default")
    data = generate_demo(seed=seed, shipments=60)
    fast = Kernel(pack)
    plain = Kernel(pack)
    plain._step_many = _plain_loop(pack)
    assert fast._step_many is not plain._step_many
    got, want = _run(fast, data), _run(plain, data)
    assert got == want
    assert any(changes for _, changes, _ in got)


def test_a_batch_that_raises_runs_the_plain_loop() -> None:
    pack = load_pack("default")
    lines = _absorb_lines(pack.module_source)
    source = "\n".join(step_function(lines, lines, ["at0 = 1 // 0"]))
    loop = _compiled(attrs.evolve(pack, step_source=source))
    kernel, reference = Kernel(pack), Kernel(pack)
    kernel._step_many = loop
    data = generate_demo(seed=5, shipments=10)
    assert _run(kernel, data) == _run(reference, data)
    # The plain loop raises where the scan meets the error, not the batch's prelude.
    state = kernel.new_state("1Z", "ups")
    with pytest.raises(TypeError):
        kernel.step_many(state, [(1, "a", None)])  # type: ignore[list-item]


def test_the_batch_may_not_assign_the_loops_names() -> None:
    lines = _absorb_lines(load_pack("default").module_source)
    with pytest.raises(ValueError, match="history"):
        step_function(lines, lines, ["history = 1"])
    with pytest.raises(ValueError, match="'p'"):
        step_function(lines, lines, ["p = 1"])


@pytest.mark.parametrize(
    ("code", "constant"),
    [
        ("f.promised_at", True),
        ("(p.sla_grace + 1)", True),
        ("p.a * 2 - f.b", True),
        ("s.last_scan", False),
        ("_add(f.promised_at, p.x)", False),  # a call: it might read anything
        ("p", False),
        ("f.x.y", False),
        ("n", False),
        ("", False),
    ],
)
def test_what_is_a_batch_constant(code: str, constant: bool) -> None:
    assert _batch_constant(code) is constant
