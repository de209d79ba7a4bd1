"""report_to_event(): customer-report events that Engine("default") acts on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from logix_carriers import Reason, Status, TrackingEvent
from logix_rules import Engine, ErrorCode, InvalidEvents
from logix_rules.intake import REASON_OF_KIND, ReportKind, classify, report_to_event

AT = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)


def test_one_event_per_kind_with_the_kind_reason_and_facts() -> None:
    result = classify(
        "The vase LX123456785CN arrived smashed and one of the two cups is missing. Photo attached."
    )
    events = report_to_event(result, carrier="china-post", at=AT)
    assert [e.attributes["report_kind"] for e in events] == [k.value for k in result.kinds]
    for event, kind in zip(events, result.kinds, strict=True):
        assert isinstance(event, TrackingEvent)
        assert event.is_report
        assert event.source.system == "customer"
        assert event.source.code == kind.value
        assert event.status is Status.EXCEPTION
        assert event.reason is REASON_OF_KIND[kind]
        assert event.tracking_number == "LX123456785CN"
        assert event.occurred_at == AT
        assert event.description == result.text
        assert event.attributes["language"] == "en"
        assert event.attributes["photos"] is True
    assert len({e.event_id for e in events}) == len(events)


def test_the_tracking_number_and_carrier_default_to_the_one_found() -> None:
    (event,) = report_to_event(classify("Where is my parcel 1Z999AA10123456784?"), at=AT)
    assert (event.tracking_number, event.carrier) == ("1Z999AA10123456784", "ups")
    assert event.reason is Reason.OTHER
    assert event.attributes["report_kind"] == "wismo"


def test_without_a_tracking_number_the_error_says_what_to_pass() -> None:
    with pytest.raises(InvalidEvents) as caught:
        report_to_event(classify("My parcel never arrived"), at=AT)
    (problem,) = caught.value.problems
    assert problem.code is ErrorCode.INVALID_EVENT
    assert "tracking_number=" in str(problem)
    with pytest.raises(InvalidEvents, match="carrier="):
        report_to_event(classify("My parcel never arrived"), tracking_number="TN1", at=AT)


def test_an_invalid_time_is_an_invalid_event() -> None:
    with pytest.raises(InvalidEvents, match="occurred_at"):
        report_to_event(classify("broken"), tracking_number="TN1", carrier="dhl", at="yesterday")


def test_every_kind_maps_to_an_existing_reason() -> None:
    assert set(REASON_OF_KIND) == set(ReportKind)
    assert REASON_OF_KIND[ReportKind.DELAYED] is Reason.DELAY_CARRIER
    assert REASON_OF_KIND[ReportKind.ADDRESS_CHANGE] is Reason.ADDRESS_ISSUE


def test_reports_open_incidents_in_the_default_pack() -> None:
    engine = Engine("default")
    damaged = classify("Parcel LX123456785CN: the vase arrived smashed and a cup is missing")
    changes = engine.ingest(report_to_event(damaged, carrier="china-post", at=AT))
    opened = {c.incident.kind for c in changes}
    assert opened == {"damaged", "wrong_or_missing_items"}


def test_a_not_received_report_after_delivery_is_a_false_delivery() -> None:
    engine = Engine("default")
    engine.ingest(
        [
            {
                "tracking_number": "1Z999AA10123456784",
                "carrier": "ups",
                "occurred_at": "2026-03-08T10:00:00+00:00",
                "status": "delivered",
            }
        ]
    )
    report = classify("Tracking says delivered but nothing arrived. 1Z999AA10123456784")
    changes = engine.ingest(report_to_event(report, at=AT))
    assert [c.incident.kind for c in changes] == ["false_delivery"]
    # the same report twice is one event: nothing new
    assert engine.ingest(report_to_event(report, at=AT)) == []
