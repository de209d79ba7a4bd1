"""claim_package(): the evidence a claim needs, from hand-built events through
Engine("default"), as JSON and as a printable page; and ``logix claim`` on SQLite."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from logix_carriers import Shipment, TrackingEvent
from logix_rules import Engine, ErrorCode, UnknownIncident
from logix_rules.cli._main import main
from logix_rules.intake import (
    CLAIM_SCHEMA,
    ClaimError,
    claim_package,
    claim_package_from_engine,
)
from logix_rules.store import open_store

BASE = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
TN = "LX123456785CN"
PHONE = "+55 11 98765-4321"


def _event(hours: float, status: str, **fields: Any) -> TrackingEvent:
    return TrackingEvent.parse(
        {
            "tracking_number": TN,
            "carrier": "china-post",
            "status": status,
            "occurred_at": (BASE + timedelta(hours=hours)).isoformat(),
            **fields,
        }
    )


def _shipment(**fields: Any) -> Shipment:
    facts: dict[str, Any] = {
        "tracking_number": TN,
        "carrier": "china-post",
        "origin_country": "CN",
        "destination_country": "BR",
        "shipped_at": BASE,
        "declared_value": "120.00",
        "freight_cost": "18.50",
        "currency": "BRL",
        "order_id": "SO-42",
    }
    return Shipment(**{**facts, **fields})


PICKED_UP = _event(
    0,
    "picked_up",
    utc_offset_minutes=480,
    location={"country": "CN", "city": "Shenzhen"},
    source={"system": "china-post", "code": "A10", "text": "收寄"},
)
LOST = _event(
    30,
    "exception",
    reason="lost",
    description=f"Parcel lost; recipient Ana Souza, phone {PHONE}",
    source={"system": "china-post", "code": "L99"},
)


def _engine(events: list[TrackingEvent], hours: float, shipment: Shipment | None) -> Engine:
    engine = Engine("default")
    if shipment is not None:
        engine.upsert_shipment(shipment)
    engine.ingest(events)
    engine.advance(to=BASE + timedelta(hours=hours))
    return engine


def _only(engine: Engine, kind: str) -> str:
    (incident,) = [i for i in engine.open_incidents() if i.kind == kind]
    return incident.id


def test_a_lost_parcel_has_every_item() -> None:
    engine = _engine([PICKED_UP, LOST], 31, _shipment())
    incident_id = _only(engine, "lost")
    engine.acknowledge(incident_id, by="ops-li", at=BASE + timedelta(hours=32))
    engine.resolve(
        incident_id,
        by="ops-li",
        at=BASE + timedelta(hours=40),
        note=f"Claim filed with China Post; customer reachable at {PHONE}",
    )
    incident = engine.incident(incident_id)
    package = claim_package(
        incident,
        shipment=_shipment(),
        events=[LOST, PICKED_UP, PICKED_UP, _event(1, "picked_up").model_copy()],
        actions=engine.actions(incident_id),
        payment_ref="PAY-2026-0042",
    )
    assert package.missing == ()
    assert (package.order_id, package.payment_ref) == ("SO-42", "PAY-2026-0042")
    assert package.tracking_number == TN
    # Proof of dispatch: the first carrier scan, in the carrier's own offset and code.
    assert package.first_scan is not None
    assert package.first_scan.source_code == "A10"
    assert package.first_scan.local_time == datetime.fromisoformat("2026-03-02T16:00:00+08:00")
    assert package.first_scan.local_time.utcoffset() == timedelta(hours=8)
    assert package.shipment is not None
    assert package.shipment["declared_value"] == "120.00"
    # The trail is in time order, each scan once, with the raw codes.
    assert [e.source_code for e in package.trail] == ["A10", None, "L99"]
    assert [e.action for e in package.correspondence] == ["acknowledged", "resolved"]
    # The merchant refunds or reships; the claim against the (uninsured) parcel's
    # carrier is capped by its liability (100 USD, far above 120 BRL here).
    refund, amount = package.amounts
    assert (refund.code, refund.bearer) == ("refund_or_reship", "merchant")
    assert (amount.amount, amount.currency, amount.borne_by, amount.bearer) == (
        Decimal("120.00"),
        "BRL",
        "declared_value",
        "carrier",
    )
    assert package.filing_deadline == incident.deadlines["claim"]
    data = package.to_dict()
    assert data["schema"] == CLAIM_SCHEMA == "logix.claim/1"
    assert data["filing_deadline"] == "2026-03-04T14:00:00Z"  # claim_within: 24h
    assert data["amounts"][1] == {
        "code": "claim",
        "amount": "120.00",
        "currency": "BRL",
        "borne_by": "declared_value",
        "bearer": "carrier",
    }
    json.dumps(data)  # JSON-ready as it is


def test_personal_data_is_masked_unless_asked_not_to() -> None:
    engine = _engine([PICKED_UP, LOST], 31, _shipment())
    incident_id = _only(engine, "lost")
    engine.resolve(incident_id, by="ops-li", at=BASE + timedelta(hours=40), note=f"call {PHONE}")
    masked = claim_package_from_engine(engine, incident_id, names=["Ana Souza"])
    text = json.dumps(masked.to_dict(), ensure_ascii=False) + masked.to_html()
    assert masked.masked
    assert "98765-4321" not in text
    assert "Ana Souza" not in text
    assert "9****-4321" in text
    assert TN in text  # the tracking number is kept
    plain = claim_package_from_engine(engine, incident_id, mask=False)
    shown = json.dumps(plain.to_dict(), ensure_ascii=False)
    assert not plain.masked
    assert PHONE in shown
    assert "Ana Souza" in shown
    assert "NOT masked" in plain.to_html()


def test_a_damaged_parcel_without_claim_deadline_or_payment_lists_them_missing() -> None:
    damaged = _event(
        20,
        "exception",
        reason="damaged",
        attributes={"damage_ratio": 0.3},
        source={"system": "china-post", "code": "D12"},
    )
    engine = _engine([PICKED_UP, damaged], 21, _shipment())
    incident_id = _only(engine, "damaged")
    package = claim_package_from_engine(engine, incident_id)
    # Nothing was made up: no payment record, no follow-up yet, no claim deadline.
    assert package.missing == ("payment_ref", "correspondence", "filing_deadline")
    assert package.filing_deadline is None
    assert package.payment_ref is None
    amount, claim = package.amounts  # damage is the carrier's doing: claimed back from it
    assert (amount.code, amount.amount) == ("compensation", Decimal("120.00"))
    assert (claim.code, claim.amount, claim.bearer) == (
        "carrier_claim",
        Decimal("120.00"),
        "carrier",
    )
    # From the engine's history: the country's zone stands in for the lost offset.
    assert package.first_scan is not None
    assert package.first_scan.source_code == "A10"
    assert package.first_scan.local_time is not None
    assert package.first_scan.local_time.utcoffset() == timedelta(hours=8)
    assert [e.source_code for e in package.trail] == ["A10", "D12"]
    # The caller may give the deadline the carrier's terms set.
    due = BASE + timedelta(days=7)
    assert claim_package_from_engine(engine, incident_id, filing_deadline=due).missing == (
        "payment_ref",
        "correspondence",
    )


def test_a_false_delivery_from_a_customer_report() -> None:
    delivered = _event(20, "delivered", source={"system": "china-post", "code": "I10"})
    report = _event(
        30,
        "exception",
        reason="not_received",
        description="Never got it",
        source={"system": "customer", "code": "not_received"},
    )
    engine = _engine([PICKED_UP, delivered, report], 31, None)
    incident_id = _only(engine, "false_delivery")
    engine.acknowledge(incident_id, by="cs-ana", at=BASE + timedelta(hours=31))
    package = claim_package_from_engine(engine, incident_id)
    assert package.kind == "false_delivery"
    assert package.trail[-1].is_report
    assert package.trail[-1].source_system == "customer"
    assert package.first_scan is not None
    assert package.first_scan.status == "picked_up"
    assert [a.by for a in package.correspondence] == ["cs-ana"]
    # No shipment facts: no order id, no amounts to compute, no deadline.
    assert set(package.missing) >= {"order_id", "shipment_facts", "filing_deadline"}
    assert package.order_id is None
    assert package.shipment is None
    data = package.to_dict()
    assert data["missing"] == list(package.missing)
    assert data["dispatch"]["shipment"] is None


def test_an_empty_package_lists_everything() -> None:
    engine = _engine([LOST], 31, None)
    package = claim_package(engine.incident(_only(engine, "lost")))
    # Not even the trail: the events were not passed.  The lost scan set a deadline.
    assert package.missing == (
        "order_id",
        "payment_ref",
        "proof_of_dispatch",
        "shipment_facts",
        "trail",
        "correspondence",
        "amounts",
    )
    assert package.amounts
    assert all(a.amount is None for a in package.amounts)  # the value is unknown: not made up
    assert "Missing from this package" in package.to_html()


def test_other_kinds_are_refused_with_the_allowed_ones() -> None:
    engine = _engine([_event(0, "info_received")], 100, None)
    (incident,) = engine.open_incidents()
    with pytest.raises(ClaimError) as caught:
        claim_package(incident)
    error = caught.value
    assert error.code is ErrorCode.NOT_CLAIMABLE
    assert (error.loc, error.input) == ("incident.kind", incident.kind)
    assert "damaged, false_delivery, lost" in str(error)


def test_the_page_escapes_what_carriers_write() -> None:
    hostile = _event(
        30,
        "exception",
        reason="lost",
        description='<script>alert("x")</script> & <img src=x>',
        source={"system": "china-post", "code": "<b>L</b>"},
    )
    engine = _engine([PICKED_UP, hostile], 31, _shipment(order_id="<i>SO</i>"))
    page = claim_package_from_engine(engine, _only(engine, "lost")).to_html()
    assert "<script" not in page
    assert "<img" not in page
    assert "<b>L" not in page
    assert "&lt;script&gt;" in page
    assert "&lt;b&gt;L&lt;/b&gt;" in page
    assert "&lt;i&gt;SO&lt;/i&gt;" in page
    # One self-contained file that prints on A4: nothing to fetch.
    assert "size: A4" in page
    assert "http" not in page
    assert "<link" not in page
    assert "src=" not in page.replace("src=x", "")


def test_an_unknown_incident_is_said_so() -> None:
    with pytest.raises(UnknownIncident):
        claim_package_from_engine(Engine("default"), "inc_0000000000000000")


# -- logix claim ----------------------------------------------------------------------------
@pytest.fixture
def store_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    store = open_store(url)
    try:
        engine = Engine("default", store=store)
        engine.upsert_shipment(_shipment())
        engine.ingest([PICKED_UP, LOST])
        engine.advance(to=BASE + timedelta(hours=31))
        engine.acknowledge(_only(engine, "lost"), by="ops-li", at=BASE + timedelta(hours=32))
    finally:
        store.close()
    return url


def _stored_id(url: str) -> str:
    store = open_store(url)
    try:
        return _only(Engine("default", store=store), "lost")
    finally:
        store.close()


def test_the_cli_writes_html_and_json(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    incident_id = _stored_id(store_url)
    page = tmp_path / "claim.html"
    assert main(["claim", incident_id, "--store", store_url, "-o", str(page)]) == 0
    _, err = capsys.readouterr()
    assert "wrote" in err
    assert "missing: payment_ref" in err
    html = page.read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert TN in html
    assert "98765-4321" not in html
    argv = ["claim", incident_id, "--store", store_url, "--format", "json"]
    assert main([*argv, "--payment-ref", "PAY-1"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["schema"] == "logix.claim/1"
    assert data["missing"] == []
    assert data["order_id"] == "SO-42"
    assert data["payment_ref"] == "PAY-1"
    assert [a["action"] for a in data["correspondence"]] == ["acknowledged"]
    assert "9****-4321" in out
    assert main([*argv, "--no-mask"]) == 0
    assert PHONE in capsys.readouterr().out


def test_the_cli_says_what_to_do_with_a_wrong_id(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["claim", "inc_nope", "--store", store_url]) == 2
    assert "logix incidents --store URL" in capsys.readouterr().err
