"""The public surface of both packages: exactly these names, sorted, typed."""

from __future__ import annotations

import importlib
import pathlib

import pytest

import logix_carriers
import logix_rules

RULES_API = {
    "DEMO_AT",
    "Change",
    "ChangeType",
    "DemoData",
    "Engine",
    "ErrorCode",
    "Escalation",
    "Evidence",
    "EvidenceEvent",
    "Incident",
    "IncidentState",
    "InputFileError",
    "InputProblem",
    "InvalidEvents",
    "Kernel",
    "Loaded",
    "LogixError",
    "Pack",
    "PackError",
    "PackIssue",
    "Param",
    "Remedy",
    "RemedyItem",
    "Rule",
    "Severity",
    "ShipmentState",
    "StateError",
    "UnknownIncident",
    "evaluate",
    "generate_demo",
    "load_pack",
    "loads_pack",
    "read_events",
    "read_shipments",
    "write_demo_files",
    "Condition",
    "Explanation",
    "Operand",
    "RuleTrace",
    "Rung",
    "explain_events",
    "PackWarning",
    "WarningCode",
    "lint_pack",
    "CaseResult",
    "ExpectedIncident",
    "ScenarioError",
    "ScenarioFile",
    "ScenarioIssue",
    "find_scenario_files",
    "load_scenarios",
    "run_case",
    "run_scenarios",
    "Action",
}

CARRIERS_CORE = {
    "FINAL_STATUSES",
    "REPORT_SYSTEMS",
    "STAGE_ORDER",
    "EventSource",
    "Location",
    "Reason",
    "Shipment",
    "Stage",
    "Status",
    "TrackingEvent",
    "default_stage",
    "derive_event_id",
    "CarrierAdapter",
    "BaseAdapter",
    "TrackResult",
    "TrackProblem",
    "get_adapter",
    "available_adapters",
    "CarrierError",
    "AuthError",
    "RateLimited",
    "NotFound",
    "CarrierUnavailable",
    "ResponseFormatError",
    "map_code",
    "resolve_code",
    # Issue 14: helpers for adapter authors, what the shipment knows, USPS, webhooks.
    "read_carrier_time",
    "place_naive",
    "TimeReading",
    "ZoneFallback",
    "read_estimate",
    "TrackedNumber",
    "facts_of",
    "find_facts",
    "UspsAdapter",
    "UspsSettings",
    "WebhookTokens",
    "decode_webhook_body",
    "decode_webhook_form",
    "md5_signature",
    "verify_md5",
}


def _ruff_sorted(names: list[str]) -> list[str]:
    # ruff's RUF022 order: SCREAMING_CASE, then CamelCase, then the rest.
    def key(name: str) -> tuple[int, str]:
        if name.isupper():
            return (0, name)
        if name[:1].isupper():
            return (1, name)
        return (2, name)

    return sorted(names, key=key)


@pytest.mark.parametrize("module", [logix_rules, logix_carriers])
def test_all_is_sorted_and_resolvable(module: object) -> None:
    names = list(module.__all__)  # type: ignore[attr-defined]
    assert names == _ruff_sorted(names)
    assert len(names) == len(set(names))
    for name in names:
        assert getattr(module, name) is not None


def test_rules_exports_exactly_the_documented_names() -> None:
    assert set(logix_rules.__all__) == RULES_API


def test_carriers_exports_the_core_names() -> None:
    missing = CARRIERS_CORE - set(logix_carriers.__all__)
    assert not missing


@pytest.mark.parametrize("package", ["logix_rules", "logix_carriers"])
def test_everything_else_lives_in_private_modules(package: str) -> None:
    root = pathlib.Path(importlib.import_module(package).__file__).parent  # type: ignore[arg-type]
    public = {"__init__.py", "testing.py", "strategies.py", "spark.py", "py.typed"}
    for path in root.iterdir():
        if path.suffix == ".py" or path.name == "py.typed":
            assert path.name.startswith("_") or path.name in public, path.name
    assert (root / "py.typed").is_file()


def test_carriers_never_import_rules() -> None:
    root = pathlib.Path(logix_carriers.__file__).parent
    for path in root.rglob("*.py"):
        assert "logix_rules" not in path.read_text("utf-8"), path


def test_the_contract_kit_exports_its_new_rules() -> None:
    import logix_carriers.testing as kit

    for name in (
        "NOT_HTTP",
        "RequestSpec",
        "check_requests",
        "check_error_mapping",
        "check_no_silent_drops",
        "FakeClock",
    ):
        assert name in kit.__all__
        assert getattr(kit, name) is not None
