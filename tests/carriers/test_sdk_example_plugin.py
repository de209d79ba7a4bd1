"""The example third-party package under examples/ works as an installed plugin.

"Installing" it is faked the way pip leaves a package behind: a
``logix_carrier_example-1.0.0.dist-info`` whose ``entry_points.txt`` is generated
from the example's own ``pyproject.toml``, next to the package source on
``sys.path``.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import tomllib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sdk_support import write_distribution

from logix_carriers import (
    ENTRY_POINT_GROUP,
    PluginWarning,
    ProblemCode,
    Status,
    available_adapters,
    clear_adapter_cache,
    get_adapter,
)
from logix_carriers.testing import (
    FakeClock,
    RecordedWebhook,
    RequestSpec,
    check_adapter_contract,
    check_error_mapping,
    check_no_silent_drops,
    check_requests,
    load_payloads,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "logix-carrier-example"


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text("utf-8"))["project"]
    entry_points = project["entry-points"][ENTRY_POINT_GROUP]
    write_distribution(tmp_path, project["name"], project["version"], entry_points)
    monkeypatch.syspath_prepend(str(EXAMPLE / "src"))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("LOGIX_DISABLE_PLUGINS", raising=False)
    clear_adapter_cache()
    yield
    clear_adapter_cache()
    for name in [m for m in sys.modules if m.startswith("logix_carrier_example")]:
        del sys.modules[name]


def delivery() -> dict[str, Any]:
    path = EXAMPLE / "tests" / "webhooks" / "tracking_updated.json"
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def test_the_example_is_discovered_through_its_entry_point(installed: None) -> None:
    info = available_adapters()["parcelpoint"]
    assert info.distribution == "logix-carrier-example"
    assert info.version == "1.0.0"
    assert not info.builtin
    assert info.entry_point == "logix_carrier_example.adapter:ParcelPointAdapter"
    assert info.capabilities.signs_webhooks
    assert "file" in available_adapters()  # built-ins still there


def parcelpoint_requests() -> RequestSpec:
    """ParcelPoint's documented request, and a fake answer for every number."""
    found = load_payloads(EXAMPLE / "tests" / "payloads")["track_found"]

    def answer(request: httpx.Request) -> httpx.Response:
        numbers = json.loads(request.content)["numbers"]
        journey = found["results"][0]
        return httpx.Response(200, json={"results": [{**journey, "number": n} for n in numbers]})

    return RequestSpec(
        make_adapter=lambda **io: get_adapter("parcelpoint", api_key="pp-kit-key-123456", **io),
        numbers=[f"PP{n:09d}FR" for n in range(51)],
        method="POST",
        url="https://api.parcelpoint.example/v1/track",
        answer=answer,
    )


def test_the_example_passes_the_contract(installed: None) -> None:
    hook = delivery()
    adapter = get_adapter(
        "parcelpoint", clock=FakeClock(datetime.fromisoformat(hook["received_at"]))
    )
    module = sys.modules["logix_carrier_example.adapter"]
    check_adapter_contract(
        adapter,
        payloads=load_payloads(EXAMPLE / "tests" / "payloads"),
        mapping=module.CODES,
        unknown_code_payload={
            "results": [
                {"number": "PP1", "events": [{"code": "NEW", "at": "2026-03-01T10:00:00Z"}]}
            ]
        },
        webhooks=[
            RecordedWebhook(hook["headers"], hook["body"].encode(), hook["secret"], "delivery")
        ],
        events_at="results[*].events[*]",
        requests=parcelpoint_requests(),
    )


def test_the_new_checks_run_on_the_example(installed: None) -> None:
    # Each of the kit's new rules, on the installed plugin, one by one.
    spec = parcelpoint_requests()
    assert check_requests(spec) == []
    assert check_error_mapping(spec) == []
    payloads = load_payloads(EXAMPLE / "tests" / "payloads")
    adapter = get_adapter("parcelpoint")
    assert check_no_silent_drops(adapter, payloads, events_at="results[*].events[*]") == []


def test_the_examples_own_contract_suite_passes(installed: None) -> None:
    spec = importlib.util.spec_from_file_location(
        "example_contract_suite", EXAMPLE / "tests" / "test_contract.py"
    )
    assert spec is not None
    assert spec.loader is not None
    suite = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(suite)
    case = suite.TestParcelPointContract()
    tests = [name for name in dir(case) if name.startswith("test_")]
    assert len(tests) >= 6
    for name in tests:
        getattr(case, name)()


def test_the_example_parses_its_recorded_variations(installed: None) -> None:
    adapter = get_adapter("parcelpoint")
    payload = load_payloads(EXAMPLE / "tests" / "payloads")["track_variations"]
    result = adapter.parse_payload(payload)
    statuses = [e.status for e in result.events_for("PP555666777DE")]
    assert statuses == [Status.PICKED_UP, Status.UNKNOWN, Status.DELIVERED]  # sorted by time
    assert sorted(p.code for p in result.problems) == [
        ProblemCode.BAD_EVENT,
        ProblemCode.BAD_EVENT,
        ProblemCode.UNKNOWN_CODE,
    ]


def test_disabling_plugins_hides_the_example(
    installed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOGIX_DISABLE_PLUGINS", "1")
    clear_adapter_cache()
    assert "parcelpoint" not in available_adapters()
    assert "file" in available_adapters()


def test_a_clashing_second_install_is_reported(
    installed: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fork = tmp_path / "fork"
    write_distribution(
        fork,
        "parcelpoint-fork",
        "0.1",
        {"parcelpoint": "logix_carrier_example.adapter:ParcelPointAdapter"},
    )
    monkeypatch.syspath_prepend(str(fork))
    clear_adapter_cache()
    with pytest.warns(PluginWarning, match="parcelpoint-fork"):
        info = available_adapters()["parcelpoint"]
    assert info.distribution == "logix-carrier-example"
