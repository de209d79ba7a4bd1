"""The status tables: completeness, canonical values, lookup rules and the docs page."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from logix_carriers._status_docs import DocsMarkerError, markdown_table, sync_docs
from logix_carriers._status_lookup import TABLES, UnknownSystemError, map_code, resolve_code
from logix_carriers._status_maps import ROWS, SYSTEMS, Mapped
from logix_carriers._taxonomy import FINAL_STATUSES, Reason, Stage, Status, default_stage

DOCS = Path(__file__).resolve().parents[2] / "docs" / "taxonomy.md"

# The vocabularies as the sources document them (see the module docstring), written
# out independently of the tables so that a dropped entry fails a test.
DOCUMENTED: dict[str, dict[str, set[str]]] = {
    "aftership": {
        "Pending": {f"Pending_00{n}" for n in range(1, 7)},
        "InfoReceived": {"InfoReceived_001"},
        "InTransit": {f"InTransit_00{n}" for n in range(1, 10)},
        "OutForDelivery": {f"OutForDelivery_00{n}" for n in range(1, 5)},
        "AttemptFail": {f"AttemptFail_00{n}" for n in range(1, 4)},
        "Delivered": {f"Delivered_00{n}" for n in range(1, 6)},
        "AvailableForPickup": {"AvailableForPickup_001"},
        "Exception": {f"Exception_{n:03d}" for n in (*range(1, 14), 16, 17, 18)},
        "Expired": {"Expired_001"},
    },
    "17track": {
        "NotFound": {"NotFound_Other", "NotFound_InvalidCode"},
        "InfoReceived": {"InfoReceived"},
        "InTransit": {
            "InTransit_PickedUp",
            "InTransit_Other",
            "InTransit_Departure",
            "InTransit_Arrival",
            "InTransit_CustomsProcessing",
            "InTransit_CustomsReleased",
            "InTransit_CustomsRequiringInformation",
        },
        "Expired": {"Expired_Other"},
        "AvailableForPickup": {"AvailableForPickup_Other"},
        "OutForDelivery": {"OutForDelivery_Other"},
        "DeliveryFailure": {
            "DeliveryFailure_Other",
            "DeliveryFailure_NoBody",
            "DeliveryFailure_Security",
            "DeliveryFailure_Rejected",
            "DeliveryFailure_InvalidAddress",
        },
        "Delivered": {"Delivered_Other"},
        "Exception": {
            "Exception_Other",
            "Exception_Returning",
            "Exception_Returned",
            "Exception_NoBody",
            "Exception_Security",
            "Exception_Damage",
            "Exception_Rejected",
            "Exception_Delayed",
            "Exception_Lost",
            "Exception_Destroyed",
            "Exception_Cancel",
        },
    },
    "shippo": {
        "PRE_TRANSIT": {"information_received"},
        "TRANSIT": {
            "address_issue",
            "contact_carrier",
            "delayed",
            "delivery_attempted",
            "delivery_rescheduled",
            "delivery_scheduled",
            "location_inaccessible",
            "notice_left",
            "out_for_delivery",
            "package_accepted",
            "package_arrived",
            "package_damaged",
            "package_departed",
            "package_forwarded",
            "package_held",
            "package_processed",
            "package_processing",
            "pickup_available",
            "reschedule_delivery",
        },
        "DELIVERED": {"delivered"},
        "RETURNED": {"return_to_sender", "package_unclaimed"},
        "FAILURE": {"package_undeliverable", "package_disposed", "package_lost"},
        "UNKNOWN": {"other"},
    },
    "dhl": {code: set() for code in ("pre-transit", "transit", "delivered", "failure", "unknown")},
}
EASYPOST_STATUSES = {
    "unknown",
    "pre_transit",
    "in_transit",
    "out_for_delivery",
    "delivered",
    "available_for_pickup",
    "return_to_sender",
    "failure",
    "cancelled",
    "error",
}
EASYPOST_DETAILS = {
    "address_correction",
    "arrived_at_destination",
    "arrived_at_facility",
    "arrived_at_pickup_location",
    "awaiting_information",
    "cancelled",
    "damaged",
    "delayed",
    "delivery_exception",
    "departed_facility",
    "departed_origin_facility",
    "expired",
    "failure",
    "held",
    "in_transit",
    "label_created",
    "lost",
    "missorted",
    "out_for_delivery",
    "received_at_destination_facility",
    "received_at_origin_facility",
    "refused",
    "return",
    "status_update",
    "transferred_to_destination_carrier",
    "transit_exception",
    "unknown",
    "weather_delay",
}
DOCUMENTED["easypost"] = {status: set(EASYPOST_DETAILS) for status in EASYPOST_STATUSES}
# USPS Publication 97, "Tracking Event Codes": two-character codes without subcodes.
DOCUMENTED["usps"] = {
    key: set()
    for key in [
        "GX",
        "MA",
        "TM",
        "PA",
        "03",
        "OA",
        "43",
        "80",
        "81",
        "82",
        "42",
        "41",
        "10",
        "EF",
        "SF",
        "06",
        "07",
        "PC",
        "OF",
        "01",
        "17",
        "14",
        "16",
        "02",
        "52",
        "53",
        "54",
        "55",
        "56",
        "51",
        "04",
        "05",
        "08",
        "15",
        "11",
        "09",
        "21",
        "22",
        "23",
        "24",
        "25",
        "26",
        "27",
        "28",
        "29",
        "31",
        "44",
        "DX",
    ]
}

ALL_ENTRIES = [
    pytest.param(system, key, mapped, id=f"{system}:{key[0]}/{key[1]}")
    for system in SYSTEMS
    for key, mapped in TABLES[system].items()
]


def test_systems_are_the_six_documented_ones() -> None:
    assert SYSTEMS == ("aftership", "easypost", "17track", "shippo", "dhl", "usps")
    assert set(TABLES) == set(SYSTEMS) == set(DOCUMENTED)


@pytest.mark.parametrize("system", SYSTEMS)
def test_every_documented_code_and_subcode_has_an_entry(system: str) -> None:
    expected: set[tuple[str, str | None]] = {(code, None) for code in DOCUMENTED[system]}
    expected |= {(code, sub) for code, subs in DOCUMENTED[system].items() for sub in subs}
    assert set(TABLES[system]) == expected


@pytest.mark.parametrize(("system", "key", "mapped"), ALL_ENTRIES)
def test_entries_hold_canonical_enum_members(
    system: str, key: tuple[str, str | None], mapped: Mapped
) -> None:
    assert type(mapped) is Mapped
    assert type(mapped.status) is Status
    assert mapped.reason is None or type(mapped.reason) is Reason
    assert mapped.stage is None or type(mapped.stage) is Stage
    # An override equal to the default would hide which entries really override.
    assert mapped.stage != default_stage(mapped.status, mapped.reason)
    assert resolve_code(system, *key) == (
        mapped.effective_stage,
        mapped.status,
        mapped.reason,
        True,
    )


@pytest.mark.parametrize("system", SYSTEMS)
def test_every_entry_has_a_meaning_and_codes_do_not_collide_by_case(system: str) -> None:
    rows = ROWS[system]
    assert all(row.meaning.strip() for row in rows)
    folded = {(r.code.casefold(), r.subcode.casefold() if r.subcode else None) for r in rows}
    assert len(folded) == len(rows) == len(TABLES[system])


def test_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        TABLES["dhl"][("transit", None)] = Mapped(Status.DELIVERED)  # type: ignore[index]
    with pytest.raises(TypeError):
        TABLES["dhl-clone"] = TABLES["dhl"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("system", "code", "subcode"),
    [
        ("aftership", "Teleported", None),
        ("aftership", "Teleported", "InTransit_001"),
        ("easypost", "in_orbit", "arrived_at_facility"),
        ("17track", "40", None),
        ("shippo", "", "package_lost_in_space"),
        ("shippo", None, None),
        ("dhl", None, "transit"),
        ("dhl", "   ", None),
    ],
)
def test_unknown_codes_resolve_to_unknown_and_say_so(
    system: str, code: str | None, subcode: str | None
) -> None:
    assert map_code(system, code, subcode) is None
    assert resolve_code(system, code, subcode) == (Stage.LINE_HAUL, Status.UNKNOWN, None, False)


@pytest.mark.parametrize(
    ("system", "code", "subcode", "expected"),
    [
        ("aftership", "Exception", "Exception_099", (Status.EXCEPTION, None)),
        ("aftership", "Delivered", "Delivered_077", (Status.DELIVERED, None)),
        ("17track", "DeliveryFailure", "DeliveryFailure_Moon", (Status.ATTEMPT_FAILED, None)),
        ("shippo", "FAILURE", "package_held", (Status.EXCEPTION, None)),
        ("easypost", "delivered", "teleported", (Status.DELIVERED, None)),
        ("dhl", "failure", "FAILED_ATTEMPT", (Status.EXCEPTION, None)),
    ],
)
def test_unlisted_subcode_falls_back_to_its_code(
    system: str, code: str, subcode: str, expected: tuple[Status, Reason | None]
) -> None:
    mapped = map_code(system, code, subcode)
    assert mapped is not None
    assert (mapped.status, mapped.reason) == expected
    assert mapped == map_code(system, code)


def test_listed_subcode_wins_over_its_code() -> None:
    assert map_code("aftership", "Exception") == Mapped(Status.EXCEPTION)
    assert map_code("aftership", "Exception", "Exception_013") == Mapped(
        Status.EXCEPTION, Reason.LOST
    )


def test_subcode_alone_is_enough_when_one_code_owns_it() -> None:
    assert map_code("shippo", None, "package_lost") == Mapped(Status.EXCEPTION, Reason.LOST)
    assert map_code("17track", None, "Exception_Returning") == Mapped(Status.RETURNING)
    # Every EasyPost status carries every detail, so a detail alone identifies nothing.
    assert map_code("easypost", None, "weather_delay") is None


@pytest.mark.parametrize(
    ("system", "code", "subcode"),
    [
        ("AfterShip", "exception", "EXCEPTION_004"),
        ("AFTERSHIP", "  Exception ", "exception_004\n"),
        ("easypost", "IN_TRANSIT", "Weather_Delay"),
        ("17Track", "intransit", "intransit_customsprocessing"),
        ("shippo", "transit", "PACKAGE_HELD"),
        ("DHL", "Pre-Transit", None),
    ],
)
def test_lookup_ignores_case_and_surrounding_whitespace(
    system: str, code: str, subcode: str | None
) -> None:
    canonical = {
        "aftership": ("Exception", "Exception_004"),
        "easypost": ("in_transit", "weather_delay"),
        "17track": ("InTransit", "InTransit_CustomsProcessing"),
        "shippo": ("TRANSIT", "package_held"),
        "dhl": ("pre-transit", None),
    }[system.casefold()]
    assert map_code(system, code, subcode) == TABLES[system.casefold()][canonical]


def test_unknown_system_is_a_typed_error_naming_the_choices() -> None:
    with pytest.raises(UnknownSystemError, match=r"'fedex'.*aftership, easypost"):
        map_code("fedex", "DL")
    with pytest.raises(UnknownSystemError):
        resolve_code("", "transit")
    with pytest.raises(UnknownSystemError):
        markdown_table("fedex")


def test_non_string_code_is_a_typed_error_naming_the_value() -> None:
    with pytest.raises(TypeError, match=r"code must be a string.*int 40"):
        map_code("17track", 40)  # type: ignore[arg-type]


# (system, code, subcode) -> "stage status reason", reason "-" for none.
SPOT_CHECKS = [
    ("aftership", "Exception", "Exception_004", "customs exception customs_hold"),
    ("aftership", "Exception", "Exception_018", "customs exception customs_hold"),
    ("aftership", "InTransit", "InTransit_006", "customs customs -"),
    ("aftership", "InTransit", "InTransit_005", "line_haul in_transit customs_cleared"),
    ("aftership", "InTransit", "InTransit_002", "first_mile picked_up -"),
    ("aftership", "Exception", "Exception_007", "last_mile exception address_issue"),
    ("aftership", "Exception", "Exception_010", "return returning -"),
    ("aftership", "Exception", "Exception_011", "terminal returned -"),
    ("aftership", "Exception", "Exception_012", "line_haul exception damaged"),
    ("aftership", "Exception", "Exception_013", "line_haul exception lost"),
    ("aftership", "Exception", "Exception_017", "line_haul exception delay_weather"),
    ("aftership", "Expired", "Expired_001", "line_haul exception other"),
    ("aftership", "AttemptFail", "AttemptFail_003", "last_mile attempt_failed business_closed"),
    ("17track", "Expired", None, "line_haul exception other"),
    ("17track", "InTransit", "InTransit_CustomsProcessing", "customs customs -"),
    (
        "17track",
        "DeliveryFailure",
        "DeliveryFailure_InvalidAddress",
        "last_mile attempt_failed address_issue",
    ),
    ("17track", "Exception", "Exception_Destroyed", "terminal exception disposed"),
    ("17track", "Exception", "Exception_Cancel", "terminal cancelled -"),
    ("shippo", "RETURNED", "package_unclaimed", "return returning unclaimed"),
    ("shippo", "FAILURE", "package_disposed", "terminal exception disposed"),
    (
        "shippo",
        "TRANSIT",
        "location_inaccessible",
        "last_mile attempt_failed location_inaccessible",
    ),
    ("easypost", "in_transit", "weather_delay", "line_haul exception delay_weather"),
    ("easypost", "out_for_delivery", "weather_delay", "last_mile exception delay_weather"),
    ("easypost", "pre_transit", "lost", "pre_transit exception lost"),
    ("easypost", "in_transit", "received_at_destination_facility", "last_mile in_transit -"),
    ("easypost", "pre_transit", "received_at_origin_facility", "first_mile picked_up -"),
    ("easypost", "in_transit", "label_created", "line_haul in_transit -"),
    ("easypost", "delivered", "arrived_at_destination", "terminal delivered -"),
    ("easypost", "delivered", "damaged", "terminal delivered damaged"),
    ("easypost", "delivered", "lost", "terminal delivered -"),
    ("easypost", "return_to_sender", "refused", "return returning refused"),
    ("easypost", "failure", "return", "return returning -"),
    ("easypost", "out_for_delivery", "status_update", "last_mile out_for_delivery -"),
    ("easypost", "error", "unknown", "line_haul unknown -"),
    ("dhl", "failure", None, "line_haul exception -"),
]


@pytest.mark.parametrize(("system", "code", "subcode", "expected"), SPOT_CHECKS)
def test_spot_checks_of_judgement_calls(
    system: str, code: str, subcode: str | None, expected: str
) -> None:
    stage, status, reason = expected.split()
    assert resolve_code(system, code, subcode) == (
        stage,
        status,
        None if reason == "-" else reason,
        True,
    )


# Codes that mean "on the move": the only ones allowed to map to in_transit.
MOVING_CODES = {"InTransit", "in_transit", "TRANSIT", "transit"}
# USPS codes are numbers and letters; these are the ones whose meaning is movement
# (processed, departed, arrived, forwarded, handed to a partner).
MOVING_USPS_CODES = {"81", "82", "42", "41", "10", "EF", "SF", "06", "07", "PC"}
MOVING_SUBCODES = {
    "arrived_at_destination",
    "arrived_at_facility",
    "departed_facility",
    "departed_origin_facility",
    "in_transit",
    "received_at_destination_facility",
    "transferred_to_destination_carrier",
}


@pytest.mark.parametrize(("system", "key", "mapped"), ALL_ENTRIES)
def test_only_movement_codes_map_to_in_transit(
    system: str, key: tuple[str, str | None], mapped: Mapped
) -> None:
    if mapped.status is not Status.IN_TRANSIT:
        return
    code, subcode = key
    usps_moving = system == "usps" and code in MOVING_USPS_CODES
    moving = code in MOVING_CODES or usps_moving or subcode in MOVING_SUBCODES
    assert moving, (system, key)


@pytest.mark.parametrize(
    ("system", "code", "subcode"),
    [
        ("aftership", "Pending", None),
        ("aftership", "Expired", "Expired_001"),
        ("aftership", "InTransit", "InTransit_006"),
        ("17track", "NotFound", "NotFound_Other"),
        ("17track", "Expired", "Expired_Other"),
        ("17track", "InTransit", "InTransit_CustomsRequiringInformation"),
        ("shippo", "UNKNOWN", "other"),
        ("shippo", "TRANSIT", "contact_carrier"),
        ("easypost", "unknown", "status_update"),
        ("easypost", "error", None),
        ("easypost", "in_transit", "expired"),
        ("dhl", "unknown", None),
    ],
)
def test_vague_or_stale_codes_never_read_as_in_transit(
    system: str, code: str, subcode: str | None
) -> None:
    mapped = map_code(system, code, subcode)
    assert mapped is not None
    assert mapped.status is not Status.IN_TRANSIT


def test_easypost_final_statuses_stand_against_any_detail() -> None:
    for (code, subcode), mapped in TABLES["easypost"].items():
        if code in ("delivered", "cancelled"):
            assert mapped.status in FINAL_STATUSES, (code, subcode)


def test_unknown_and_exception_take_their_stage_from_the_reason_alike() -> None:
    # The docs' default-stage table states both in one row per reason.
    for reason in Reason:
        assert default_stage(Status.UNKNOWN, reason) == default_stage(Status.EXCEPTION, reason)


# ------------------------------------------------------------------------------ docs


def test_docs_tables_are_exactly_the_generated_ones() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert sync_docs(text) == text, (
        "docs/taxonomy.md is stale: run "
        "python -m logix_carriers._status_docs --write-docs docs/taxonomy.md"
    )
    for system in SYSTEMS:
        block = f"<!-- table:{system} -->\n{markdown_table(system)}\n<!-- /table:{system} -->"
        assert block in text


def test_docs_table_rows_match_the_entries() -> None:
    table = markdown_table("aftership").splitlines()
    assert len(table) == 2 + len(TABLES["aftership"])
    assert (
        "| `Exception` | `Exception_004` | Delayed by problems in customs clearance "
        "| `exception` | `customs_hold` | `customs` |"
    ) in table


def test_docs_name_every_canonical_value() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for member in (*Stage, *Status, *Reason):
        assert f"| `{member.value}` |" in text, member


def test_sync_docs_rewrites_a_stale_table_and_keeps_the_prose() -> None:
    text = DOCS.read_text(encoding="utf-8")
    stale = text.replace(markdown_table("dhl"), "| stale |")
    assert stale != text
    assert sync_docs(stale) == text


def test_sync_docs_reports_missing_markers_by_name() -> None:
    text = DOCS.read_text(encoding="utf-8").replace("<!-- /table:shippo -->", "")
    with pytest.raises(DocsMarkerError, match=r"taxonomy\.md: .*'<!-- table:shippo -->'.*found 0"):
        sync_docs(text, source="taxonomy.md")


def test_write_docs_command_regenerates_and_check_flags_staleness(tmp_path: Path) -> None:
    page = tmp_path / "taxonomy.md"
    fresh = DOCS.read_text(encoding="utf-8")
    page.write_text(fresh.replace(markdown_table("17track"), ""), encoding="utf-8")
    command = [sys.executable, "-m", "logix_carriers._status_docs"]

    check = subprocess.run([*command, "--check-docs", str(page)], capture_output=True, text=True)
    assert check.returncode == 1
    assert "--write-docs" in check.stderr

    write = subprocess.run([*command, "--write-docs", str(page)], capture_output=True, text=True)
    assert write.returncode == 0, write.stderr
    assert page.read_text(encoding="utf-8") == fresh

    missing = subprocess.run(
        [*command, "--write-docs", str(tmp_path / "absent.md")], capture_output=True, text=True
    )
    assert missing.returncode == 2
    assert "absent.md" in missing.stderr


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)


def test_docs_python_examples_run() -> None:
    blocks = _python_blocks(DOCS.read_text(encoding="utf-8"))
    assert blocks, "docs/taxonomy.md should carry at least one python example"
    for number, block in enumerate(blocks, start=1):
        code = compile(block, f"docs/taxonomy.md (python block {number})", "exec")
        exec(code, {"__name__": f"docs_taxonomy_block_{number}"})
