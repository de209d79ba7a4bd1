"""Personal data never leaves through an output unmasked (POLICY §4), and ``--no-mask`` /
``mask=False`` gives it back.

Names (in recipient fields and in text), phones (E.164, Chinese mobiles with and
without separators, US), e-mails and street addresses go in through events, their
attributes and a shipments file, and every output surface is read for them: ``logix
run`` (json, jsonl, table, and the skipped lines on stderr), ``logix explain`` (text,
one rule's detail, json), ``Incident.to_dict``/``repr``/``str``, ``Change.to_dict``,
``Engine.explain()`` (``to_dict`` and text), ``engine.dump()``, ``logix track file
--json`` (and its problems) and ``TrackProblem.as_dict``.
"""

from __future__ import annotations

import contextlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from logix_carriers import FileAdapter
from logix_rules import Engine, loads_pack
from logix_rules.cli._main import main

# Each secret as it goes in; none may come out of a masked output.
SECRETS = [
    "Johanna",
    "Smithfield",
    "512-555-0199",
    "5125550199",
    "1234 Elmwood",
    "Elmwood Ave",
    "johanna.smithfield",
    "张伟",
    "13812345678",
    "138 1234 5678",
    "8613912345678",
    "建国路88号",
    "Maria Oliveira",
    "Oliveira",
    "maria.oliveira",
    "912 345 678",
    "Rua Augusta 1500",
    "Augusta",
    "Klaus",
    "Becker",
    "Hauptstraße 5",
    "030 1234567",
    "Priya",
]
# The identifiers that must come out as they went in.
NUMBERS = ["1Z999AA10123456784", "JD014600006181", "LX123456789CN", "9400111899223344556677"]

PACK_YAML = """
format: 1
name: people
severities: {P1: {respond: 5m, resolve: 1h, escalate_after: 30m}}
rules:
  - id: attempt_for_recipient
    kind: delivery_failure
    severity: P1
    when: status == 'attempt_failed' and attr('recipient_name', '') != ''
    explain: "Attempt failed for {attr('recipient_name', '')}, phone {attr('recipient_phone', '')}."
    remedy: {code: call_recipient, text: "Call the recipient back."}
  - id: damaged
    kind: damaged
    severity: P1
    when: reason == 'damaged'
  - id: address
    kind: address_issue
    severity: P1
    when: reason == 'address_issue'
"""
PACK = loads_pack(PACK_YAML)


def _event(number: str, carrier: str, hour: int, **fields: Any) -> dict[str, Any]:
    return {
        "tracking_number": number,
        "carrier": carrier,
        "occurred_at": f"2026-03-02T{hour:02d}:00:00Z",
        **fields,
    }


EVENTS = [
    _event("1Z999AA10123456784", "ups", 8, status="in_transit", description="Departed hub"),
    _event(
        "1Z999AA10123456784",
        "ups",
        10,
        status="attempt_failed",
        reason="recipient_unavailable",
        description="Notice left for Johanna Smithfield, 1234 Elmwood Ave, call +1 512-555-0199",
        attributes={
            "recipient_name": "Johanna Smithfield",
            "recipient_phone": "+1 512-555-0199",
            "email": "johanna.smithfield@example.com",
        },
        source={"system": "ups", "code": "X1", "text": "JOHANNA SMITHFIELD NOT HOME"},
    ),
    _event(
        "JD014600006181",
        "jd",
        9,
        status="exception",
        reason="damaged",
        description="快件破损，收件人：张伟，电话 138 1234 5678，地址 北京市朝阳区建国路88号",
        attributes={"consignee": "张伟", "contact_phone": 13812345678},
    ),
    _event(
        "LX123456789CN",
        "cainiao",
        11,
        status="exception",
        reason="address_issue",
        description="Rua Augusta 1500 not found; recipient Maria Oliveira, "
        "maria.oliveira@example.pt, +351 912 345 678, alt +8613912345678",
        attributes={"signed_by": "Maria Oliveira"},
    ),
    _event(
        "9400111899223344556677",
        "usps",
        12,
        status="exception",
        reason="address_issue",
        description="Zustellung gescheitert: Hauptstraße 5, contact: Klaus Becker, tel 030 1234567",
    ),
]
SHIPMENTS = [
    {"tracking_number": "1Z999AA10123456784", "carrier": "ups", "order_id": "SO-1001"},
    # The shipment model has no recipient fields: this line is skipped, and quoted.
    {
        "tracking_number": "LX123456789CN",
        "carrier": "cainiao",
        "recipient_name": "Priya Raman",
        "recipient_phone": "+1 512-555-0199",
    },
]
AT = datetime(2026, 3, 2, 13, tzinfo=UTC)


def assert_masked(text: str) -> None:
    leaked = [secret for secret in SECRETS if secret in text]
    assert not leaked, f"unmasked personal data {leaked} in:\n{text[:3000]}"


def assert_raw(text: str, *secrets: str) -> None:
    missing = [secret for secret in secrets if secret not in text]
    assert not missing, f"{missing} missing from the unmasked output:\n{text[:3000]}"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in EVENTS), "utf-8")
    shipments = tmp_path / "shipments.jsonl"
    shipments.write_text(
        "".join(json.dumps(s, ensure_ascii=False) + "\n" for s in SHIPMENTS), "utf-8"
    )
    pack = tmp_path / "people.yaml"
    pack.write_text(PACK_YAML, "utf-8")
    return {"events": str(events), "shipments": str(shipments), "pack": str(pack)}


def logix(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(args))
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def engine() -> Engine:
    engine = Engine(PACK)
    engine.ingest(EVENTS)
    engine.advance(to=AT)
    assert len(engine.open_incidents()) == 4
    return engine


# -- the command line -------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["json", "jsonl", "table"])
def test_logix_run_masks_every_format(files: dict[str, str], fmt: str) -> None:
    args = ["run", "--pack", files["pack"], "--events", files["events"], "--format", fmt]
    args += ["--shipments", files["shipments"]]
    status, out, err = logix(*args)
    assert status == 0
    assert_masked(out)
    assert_masked(err)
    assert "skipped" in err  # the recipient's shipment line is quoted, masked
    for number in NUMBERS:
        assert number in out
    status, raw, _ = logix(*args, "--no-mask")
    assert status == 0
    if fmt != "table":  # the table shows no free text
        assert_raw(raw, "Johanna Smithfield", "1234 Elmwood Ave", "+1 512-555-0199", "张伟")
        assert_raw(raw, "138 1234 5678", "Rua Augusta 1500", "maria.oliveira@example.pt")


def test_logix_run_json_masks_but_keeps_the_record_identifiable(files: dict[str, str]) -> None:
    status, out, _ = logix(
        "run", "--pack", files["pack"], "--events", files["events"], "--format", "json"
    )
    assert status == 0
    incidents = {i["tracking_number"]: i for i in json.loads(out)["incidents"]}
    ups = incidents["1Z999AA10123456784"]
    assert ups["explanation"] == "Attempt failed for J*** S***, phone +1 512-***-0199."
    assert ups["evidence"]["events"][-1]["description"] == (
        "Notice left for J*** S***, **** E*** Ave, call +1 512-***-0199"
    )
    jd = incidents["JD014600006181"]["evidence"]["events"][0]["description"]
    assert jd == "快件破损，收件人：张*，电话 138 **** 5678，地址 北京市朝阳区建*路**号"


@pytest.mark.parametrize("number", NUMBERS)
def test_logix_explain_masks_text_detail_and_json(files: dict[str, str], number: str) -> None:
    base = ["explain", "--pack", files["pack"], "--events", files["events"]]
    base += ["--tracking-number", number]
    for extra in (
        [],
        ["--rule", "attempt_for_recipient", "--rule", "address"],
        ["--format", "json"],
    ):
        status, out, err = logix(*base, *extra)
        assert status == 0, err
        assert_masked(out)
        assert number in out
    status, out, _ = logix(*base, "--format", "json", "--no-mask")
    assert status == 0
    if number == "1Z999AA10123456784":
        assert_raw(out, "Johanna Smithfield", "+1 512-555-0199")


def test_logix_track_file_json_masks_events_and_problems(tmp_path: Path) -> None:
    export = tmp_path / "export.jsonl"
    lines = [json.dumps(e, ensure_ascii=False) for e in EVENTS]
    lines.append('{"tracking_number": "LX123456789CN", "recipient_name": "Johanna Smithfield"')
    export.write_text("\n".join(lines) + "\n", "utf-8")
    status, out, err = logix("track", "file", str(export), "--json")
    assert status == 1  # the broken line is a problem
    assert_masked(out)
    assert_masked(err)
    assert "problem:" in err
    for number in NUMBERS:
        assert number in out
    # The masked export still reads back as the same events.
    again = tmp_path / "again.jsonl"
    again.write_text(out, "utf-8")
    status, out_again, _ = logix("track", "file", str(again), "--json")
    assert status == 0
    assert out_again == out
    status, raw, _ = logix("track", "file", str(export), "--json", "--no-mask")
    assert_raw(raw, "Johanna Smithfield", "JOHANNA SMITHFIELD NOT HOME", "138 1234 5678")
    status, human, _ = logix("track", "file", str(export))
    assert_masked(human)


# -- the Python API ---------------------------------------------------------------------
def test_incidents_mask_to_dict_repr_and_str(engine: Engine) -> None:
    for incident in engine.open_incidents():
        assert_masked(json.dumps(incident.to_dict(), ensure_ascii=False))
        assert_masked(repr(incident))
        assert_masked(str(incident))
        assert incident.tracking_number in repr(incident)
    raw = json.dumps([i.to_dict(mask=False) for i in engine.open_incidents()], ensure_ascii=False)
    assert_raw(raw, "Johanna Smithfield", "+1 512-555-0199", "138 1234 5678", "Rua Augusta 1500")
    # The objects keep the raw values for the engine's own use.
    ups = engine.open_incidents("1Z999AA10123456784")[0]
    assert ups.explanation == "Attempt failed for Johanna Smithfield, phone +1 512-555-0199."


def test_changes_mask_their_incident() -> None:
    engine = Engine(PACK)
    changes = engine.ingest(EVENTS)
    assert changes
    text = json.dumps([c.to_dict() for c in changes], ensure_ascii=False)
    assert_masked(text)
    assert_masked(repr(changes))
    assert_raw(json.dumps([c.to_dict(mask=False) for c in changes], ensure_ascii=False), "Johanna")
    # Masking is for display: change ids hash the raw content.
    assert [c.id for c in changes] == [c.id for c in Engine(PACK).ingest(EVENTS)]


@pytest.mark.parametrize("number", NUMBERS)
def test_engine_explain_masks_to_dict_and_text(engine: Engine, number: str) -> None:
    explanation = engine.explain(number)
    assert_masked(json.dumps(explanation.to_dict(), ensure_ascii=False))
    assert_masked(str(explanation))
    assert_masked(explanation.render())
    for trace in explanation.rules:
        assert_masked(trace.render_detail())
        assert_masked(str(trace))
        assert_masked(json.dumps(trace.to_dict(), ensure_ascii=False))
        for condition in trace.conditions():
            assert_masked(str(condition))
    if number == "1Z999AA10123456784":
        raw = json.dumps(explanation.to_dict(mask=False), ensure_ascii=False)
        assert_raw(raw, "Johanna Smithfield")
        detail = explanation.rule("attempt_for_recipient").render_detail(mask=False)
        assert_raw(detail, "Johanna Smithfield")


def test_a_dump_masks_for_sharing_and_still_loads(engine: Engine) -> None:
    shared = engine.dump()
    assert_masked(shared.decode("utf-8", "replace"))
    restored = Engine.load(PACK, shared)
    assert [i.id for i in restored.open_incidents()] == [i.id for i in engine.open_incidents()]
    assert_masked(
        json.dumps([i.to_dict(mask=False) for i in restored.open_incidents()], ensure_ascii=False)
    )
    assert restored.dump() == shared  # masking a masked dump changes nothing
    kept = engine.dump(mask=False)
    assert b"Johanna Smithfield" in kept
    assert Engine.load(PACK, kept).open_incidents() == engine.open_incidents()
    # The engine's own states are untouched by a masked dump.
    assert engine.open_incidents("1Z999AA10123456784")[0].explanation.startswith(
        "Attempt failed for Johanna"
    )


def test_track_problems_mask_their_raw_payload(tmp_path: Path) -> None:
    export = tmp_path / "export.jsonl"
    export.write_text(
        json.dumps(
            {
                "tracking_number": "LX123456789CN",
                "carrier": "file",
                "occurred_at": "not a time",
                "status": "delivered",
                "description": "signed by Johanna Smithfield, 13812345678",
                "attributes": {"recipient_name": "Johanna Smithfield"},
            }
        )
        + "\n",
        "utf-8",
    )
    result = FileAdapter().read(export)
    assert result.problems
    for problem in result.problems:
        assert_masked(json.dumps(problem.as_dict(), ensure_ascii=False, default=str))
        assert_masked(str(problem))
    raw = json.dumps([p.as_dict(mask=False) for p in result.problems], default=str)
    assert_raw(raw, "Johanna Smithfield")
    assert_masked(json.dumps(result.as_dict(), ensure_ascii=False, default=str))
