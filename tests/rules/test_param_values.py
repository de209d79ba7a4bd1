"""A shipment's parameter values (``p`` in generated code) sit in slots, and compare
and print by value as the namespace they replaced did."""

from __future__ import annotations

import pytest

from logix_carriers import Shipment
from logix_rules import load_pack
from logix_rules.compiler._param_values import ParamValues, param_values
from logix_rules.runtime._kernel import Kernel
from logix_rules.runtime._state import Facts


def test_params_are_slots_of_the_pack_names() -> None:
    pack = load_pack("default")
    p = pack.params_for(Facts("dhl"))
    assert isinstance(p, ParamValues)
    assert not hasattr(p, "__dict__")  # a slot read is what the scan's speed rests on
    assert set(type(p).__slots__) == set(pack.params)
    assert p.stall_after == pack.params["stall_after"].default


def test_equal_by_value_across_loads_and_unhashable() -> None:
    a = load_pack("default").params_for(Facts("dhl"))
    b = param_values({name: getattr(a, name) for name in reversed(type(a).__slots__)})
    assert a is not b
    assert a == b
    assert param_values({"x": 1, "y": 2}) != param_values({"x": 1, "y": 3})
    assert param_values({"x": 1}) != param_values({"x": 1, "y": 2})
    assert param_values({"x": 1}).__eq__(object()) is NotImplemented
    with pytest.raises(TypeError):
        hash(a)
    assert repr(param_values({"x": 1, "y": "a"})) == "params(x=1, y='a')"


def test_states_with_equal_params_compare_equal() -> None:
    ship = Shipment(tracking_number="T1", carrier="dhl", declared_value=900, currency="EUR")
    kernel = Kernel(load_pack("default"))
    one, two = kernel.new_state("T1", "dhl", ship), kernel.new_state("T1", "dhl", ship)
    p = one.params
    two.params = param_values({name: getattr(p, name) for name in type(p).__slots__})
    assert one.params is not two.params
    assert one == two
    two.params.stall_after += 1
    assert one != two
