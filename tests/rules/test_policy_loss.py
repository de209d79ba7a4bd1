"""Issue 13 §1: presumed loss only where loss is possible, the pickup-point countdown
(`uncollected`) and customs time that ends at release.  Each boundary is checked one
minute before, at and one minute after it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from policy_timeline import AROUND, PACK, h, incidents, scan, shipment

from logix_carriers import Reason, Stage, Status, TrackingEvent, default_stage, resolve_code

LOST_AFTER = 7 * 24  # hours: the default pack's domestic lost_after
REMINDER = 5 * 24  # hours: collect_reminder_after


@pytest.mark.parametrize("delta", AROUND)
def test_silence_before_acceptance_never_presumes_loss(delta: timedelta) -> None:
    # Only a label: a pickup delay, never a loss, however long the silence.
    events = [scan("info_received", 0)]
    found = incidents(events, h(LOST_AFTER) + delta, shipment())
    assert set(found) == {"pickup_delay"}


@pytest.mark.parametrize("delta", AROUND)
def test_silence_after_acceptance_still_presumes_loss(delta: timedelta) -> None:
    events = [scan("info_received", 0), scan("picked_up", 2)]
    found = incidents(events, h(2 + LOST_AFTER) + delta, shipment())
    assert ("lost" in found) is (delta >= timedelta(0))


@pytest.mark.parametrize("delta", AROUND)
def test_a_parcel_at_a_pickup_point_raises_no_stall_no_loss(delta: timedelta) -> None:
    events = [scan("picked_up", 0), scan("in_transit", 5), scan("available_for_pickup", 30)]
    for hours in (30 + 24, 30 + LOST_AFTER):  # the stall and the loss thresholds
        found = incidents(events, h(hours) + delta, shipment())
        assert "tracking_stall" not in found
        assert "lost" not in found


@pytest.mark.parametrize("delta", AROUND)
def test_uncollected_opens_a_p3_delivery_failure_five_days_after_pickup_point(
    delta: timedelta,
) -> None:
    events = [scan("picked_up", 0), scan("available_for_pickup", 30)]
    found = incidents(events, h(30 + REMINDER) + delta, shipment())
    if delta < timedelta(0):
        assert found == {}
        return
    incident = found["delivery_failure"]
    assert (incident.severity, incident.rules) == ("P3", ("uncollected",))
    assert incident.opened_at == h(30 + REMINDER)
    assert incident.remedy is not None
    assert incident.remedy.code == "remind_recipient"


def test_uncollected_counts_from_the_first_pickup_point_scan_and_ends_on_collection() -> None:
    events = [
        scan("picked_up", 0),
        scan("available_for_pickup", 30),
        scan("available_for_pickup", 60),  # a repeat notice does not restart the hold
    ]
    assert incidents(events, h(30 + REMINDER), shipment())["delivery_failure"].opened_at == h(
        30 + REMINDER
    )
    collected = [*events, scan("delivered", 30 + REMINDER + 1)]
    assert incidents(collected, h(30 + REMINDER + 1), shipment()) == {}


@pytest.mark.parametrize("delta", AROUND)
def test_a_stray_scan_after_delivery_is_an_anomaly_never_a_loss_or_stall(
    delta: timedelta,
) -> None:
    events = [scan("picked_up", 0), scan("delivered", 20), scan("in_transit", 30)]
    for hours in (30 + 24, 30 + LOST_AFTER):
        found = incidents(events, h(hours) + delta, shipment())
        assert set(found) == {"tracking_anomaly"}


# -- customs time ends at release ---------------------------------------------------------
CUSTOMS_TIMEOUT = 48  # hours, the default for DE


@pytest.mark.parametrize("status", ["in_transit", "customs", "exception"])
@pytest.mark.parametrize("delta", AROUND)
def test_released_then_silent_48h_is_a_stall_not_a_customs_hold(
    status: str, delta: timedelta
) -> None:
    events = [
        scan("picked_up", 0),
        scan("customs", 10),
        scan(status, 20, reason="customs_cleared"),
    ]
    found = incidents(events, h(10 + CUSTOMS_TIMEOUT) + delta, shipment())
    assert "customs_hold" not in found
    found = incidents(events, h(20 + CUSTOMS_TIMEOUT) + delta, shipment())
    assert set(found) == {"tracking_stall"}


@pytest.mark.parametrize("delta", AROUND)
def test_customs_without_release_still_times_out(delta: timedelta) -> None:
    events = [scan("picked_up", 0), scan("customs", 10)]
    found = incidents(events, h(10 + CUSTOMS_TIMEOUT) + delta, shipment())
    assert ("customs_hold" in found) is (delta >= timedelta(0))


def test_a_release_ends_the_customs_stage_whatever_the_status() -> None:
    for status in (Status.CUSTOMS, Status.EXCEPTION, Status.IN_TRANSIT):
        assert default_stage(status, Reason.CUSTOMS_CLEARED) is Stage.LINE_HAUL
    event = TrackingEvent.parse(scan("customs", 1, reason="customs_cleared"))
    assert event.stage is Stage.LINE_HAUL


@pytest.mark.parametrize(
    ("system", "code", "subcode"),
    [
        ("aftership", "InTransit", "InTransit_005"),
        ("17track", "InTransit", "InTransit_CustomsReleased"),
    ],
)
def test_aggregators_release_codes_map_to_customs_cleared(
    system: str, code: str, subcode: str
) -> None:
    stage, status, reason, _known = resolve_code(system, code, subcode)
    assert (stage, status, reason) == (Stage.LINE_HAUL, Status.IN_TRANSIT, Reason.CUSTOMS_CLEARED)


def test_ups_release_codes_map_to_customs_cleared() -> None:
    from logix_carriers.carriers._ups_codes import STATUS_CODES

    for code in ("014", "084", "134"):
        _meaning, mapped = STATUS_CODES[code]
        assert (mapped.status, mapped.reason) == (Status.IN_TRANSIT, Reason.CUSTOMS_CLEARED)


def test_the_pack_names_its_reminder_figure() -> None:
    assert PACK.params["collect_reminder_after"].default == REMINDER * 3600 * 10**6
