"""``logix run``'s incidents are written from their fields (``runtime/_shown_json.py``);
they must be the very bytes of ``json.dumps(incident.masked(names=...).to_dict(mask=False),
ensure_ascii=False)``, masked exactly as strictly, and a remembered mask must never carry
one parcel's text into another's output."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from logix_carriers import mask_field, personal_names
from logix_rules import Engine, generate_demo, load_pack, loads_pack
from logix_rules.cli._render import (
    json_document,
    json_text_document,
    render_json,
    render_jsonl,
    shown_incidents,
    summarize,
)
from logix_rules.cli._shown import shown_for
from logix_rules.runtime import _shown_json
from logix_rules.runtime._incidents import (
    Escalation,
    Evidence,
    EvidenceEvent,
    Incident,
    IncidentState,
    Remedy,
    RemedyItem,
)
from logix_rules.runtime._shown_json import (
    change_block,
    change_line,
    shown_block,
    shown_dict,
    shown_line,
)


def reference(incident: Incident, names: tuple[str, ...] = (), *, mask: bool = True) -> str:
    shown = incident.masked(names=names) if mask else incident
    return json.dumps(shown.to_dict(mask=False), ensure_ascii=False)


def reference_block(incident: Incident, names: tuple[str, ...] = (), *, mask: bool = True) -> str:
    shown = incident.masked(names=names) if mask else incident
    return json.dumps(shown.to_dict(mask=False), indent=2, ensure_ascii=False)


def reference_dict(
    incident: Incident, names: tuple[str, ...] = (), *, mask: bool = True
) -> dict[str, Any]:
    return (incident.masked(names=names) if mask else incident).to_dict(mask=False)


@pytest.fixture(autouse=True)
def _fresh_memo() -> None:
    _shown_json._masks.clear()


def test_every_demo_incident_writes_the_reference_text() -> None:
    data = generate_demo(seed=11, shipments=400)
    engine = Engine(load_pack("default"))
    changes = engine.ingest(list(data.events)) + engine.advance(to=data.at)
    incidents = engine.open_incidents() + [c.incident for c in changes]
    assert len(incidents) > 50
    for mask in (True, False):
        for incident in incidents:
            assert shown_line(incident, mask=mask) == reference(incident, mask=mask)
            assert shown_dict(incident, mask=mask) == reference_dict(incident, mask=mask)
            assert shown_block(incident, mask=mask) == reference_block(incident, mask=mask)


PEOPLE_PACK = loads_pack(
    """
format: 1
name: people
severities: {P1: {respond: 5m, resolve: 1h, escalate_after: 30m}}
rules:
  - id: attempt_for_recipient
    kind: delivery_failure
    severity: P1
    when: status == 'attempt_failed' and attr('recipient_name', '') != ''
    explain: "Attempt failed for {attr('recipient_name', '')}, phone {attr('recipient_phone', '')}."
    remedy: {code: call_recipient, text: "Call {attr('recipient_name', '')} back."}
  - id: damaged
    kind: damaged
    severity: P1
    when: reason == 'damaged'
"""
)


def _people_incidents() -> list[Incident]:
    engine = Engine(PEOPLE_PACK)
    events = []
    for n, (name, phone) in enumerate(
        [("Johanna Smithfield", "+1 512-555-0199"), ("Maria Oliveira", "+351 912 345 678")]
    ):
        events.append(
            {
                "tracking_number": f"1Z999AA1012345678{n}",
                "carrier": "ups",
                "occurred_at": f"2026-03-02T1{n}:00:00Z",
                "status": "attempt_failed",
                "reason": "recipient_unavailable",
                "description": f"Notice left for {name}, 1234 Elmwood Ave, call {phone}",
                "attributes": {"recipient_name": name, "recipient_phone": phone},
            }
        )
    events.append(
        {
            "tracking_number": "JD014600006181",
            "carrier": "jd",
            "occurred_at": "2026-03-02T09:00:00Z",
            "status": "exception",
            "reason": "damaged",
            "description": "快件破损，收件人：张伟，电话 138 1234 5678，"
            "地址 北京市朝阳区建国路88号",
            "attributes": {"consignee": "张伟", "contact_phone": 13812345678},
        }
    )
    engine.ingest(events)
    incidents = engine.open_incidents()
    assert len(incidents) == 3
    return incidents


def test_incidents_with_personal_data_mask_as_the_reference() -> None:
    incidents = _people_incidents()
    for names in ((), ("Johanna Smithfield",), ("张伟", "Priya Raman")):
        for incident in incidents:
            line = shown_line(incident, names)
            assert line == reference(incident, names)
            assert shown_block(incident, names) == reference_block(incident, names)
            assert shown_dict(incident, names) == reference_dict(incident, names)
            for secret in ("Smithfield", "512-555-0199", "Oliveira", "张伟", "138 1234 5678"):
                assert secret not in line


def _incident(number: str, text: str, **values: Any) -> Incident:
    at = datetime(2026, 3, 2, 10, tzinfo=UTC)
    return Incident(
        id=f"inc_{number}",
        tracking_number=number,
        carrier="ups",
        kind="delivery_failure",
        severity="P1",
        rules=("r",),
        opened_at=at,
        respond_by=at,
        resolve_by=at,
        escalate_at=at,
        deadlines=MappingProxyType({"claim": at}),
        remedy=Remedy("call", text, (RemedyItem("coupon", Decimal("9.50"), "EUR"),)),
        evidence=Evidence(
            "r",
            0,
            MappingProxyType({"note": text, **values}),
            (EvidenceEvent("e1", at, "attempt_failed", None, "ups", text),),
        ),
        explanation=text,
        note=text,
    )


def _render_both(
    order: tuple[Incident, Incident], names: Mapping[str, tuple[str, ...]]
) -> dict[str, str]:
    """Each incident's JSONL line by tracking number, rendered in ``order`` from an
    empty memo."""
    _shown_json._masks.clear()
    shown = shown_for("jsonl", list(order), mask=True, names=names)
    return {s.tracking_number: s.body for s in shown}


def test_a_remembered_mask_does_not_carry_a_name_into_another_parcel() -> None:
    text = "Maria asked to call back"
    known = _incident("1Z999AA10123456784", text)
    other = _incident("1Z999AA10123456785", text)
    names: dict[str, tuple[str, ...]] = {known.tracking_number: ("Maria Lopez",)}
    for order in ((known, other), (other, known)):
        lines = _render_both(order, names)
        assert "Maria" not in lines[known.tracking_number]
        assert "M*** asked" in lines[known.tracking_number]
        assert (
            "Maria asked" in lines[other.tracking_number]
        )  # no name known for it: nothing to mask
        for incident in order:
            line = lines[incident.tracking_number]
            assert line == reference(incident, names.get(incident.tracking_number, ())) + "\n"


def test_a_remembered_mask_does_not_keep_one_parcels_number_in_another() -> None:
    # A number that reads as a phone is the first parcel's own tracking number, kept
    # there; in the second parcel's text it is a phone, masked.
    text = "Call 13812345678 about the parcel"
    own = _incident("13812345678", text)
    other = _incident("JD014600006181", text)
    for order in ((own, other), (other, own)):
        lines = _render_both(order, {})
        assert "Call 13812345678 about" in lines[own.tracking_number]
        assert "13812345678" not in lines[other.tracking_number].replace('"13812345678"', "")
        assert "138****5678" in lines[other.tracking_number]
        for incident in order:
            assert lines[incident.tracking_number] == reference(incident) + "\n"


def test_the_evidence_names_of_one_parcel_stay_with_it() -> None:
    text = "Left with Ng at the door; Ngozi Adeyemi will collect"
    with_name = _incident("1Z999AA10123456784", text, recipient_name="Ngozi Adeyemi")
    without = _incident("1Z999AA10123456785", text)
    for order in ((with_name, without), (without, with_name)):
        lines = _render_both(order, {})
        for incident in order:
            assert lines[incident.tracking_number] == reference(incident) + "\n"
        assert "Adeyemi" not in lines[with_name.tracking_number]


def test_evidence_values_of_every_type_mask_as_the_reference() -> None:
    incident = _incident(
        "1Z999AA10123456784",
        "plain",
        recipient_phone=13812345678,  # a number in a phone field is masked
        scans=13812345678,  # elsewhere it stays a number
        flag=True,
        ratio=0.5,
        missing=None,
        email="johanna.smithfield@example.com",
        delivery_address="1234 Elmwood Ave",
        order_id="SO-1001",
        recipient={"name": "Johanna Smithfield", "phone": "+1 512-555-0199"},
        contacts=["+1 512-555-0199", 5],
    )
    line = shown_line(incident)
    assert line == reference(incident)
    assert shown_dict(incident) == reference_dict(incident)
    assert shown_block(incident) == reference_block(incident)
    assert '"recipient_phone": "138****5678"' in line
    assert '"scans": 13812345678' in line
    values: dict[Any, Any] = {**incident.evidence.values, 7: "Johanna", None: "x"}
    values["amount"] = Decimal("1.5")
    odd_keys = attrs.evolve(
        incident, evidence=attrs.evolve(incident.evidence, values=MappingProxyType(values))
    )
    assert shown_dict(odd_keys) == reference_dict(odd_keys)
    for write in (reference, shown_line, reference_block, shown_block):
        with pytest.raises(TypeError):  # Decimal is not JSON, as json.dumps says
            write(odd_keys)
    del values["amount"]
    assert shown_block(odd_keys) == reference_block(odd_keys)  # 7 and None as json keys them


def test_a_field_of_another_type_takes_the_generic_path() -> None:
    base = _people_incidents()[0]
    for odd in (
        attrs.evolve(base, rules=("a", 3)),  # type: ignore[arg-type]
        attrs.evolve(base, remedy=Remedy("c", "t", (), 1)),  # type: ignore[arg-type]
        attrs.evolve(base, evidence=attrs.evolve(base.evidence, step=True)),
        attrs.evolve(base, deadlines=MappingProxyType({3: base.opened_at})),  # type: ignore[dict-item]
        attrs.evolve(base, acknowledged_by=5),  # type: ignore[arg-type]
    ):
        for mask in (True, False):
            assert shown_line(odd, mask=mask) == reference(odd, mask=mask)
            assert shown_block(odd, mask=mask) == reference_block(odd, mask=mask)
    with_number = attrs.evolve(base, note=7)  # type: ignore[arg-type]
    assert shown_line(with_number, mask=False) == reference(with_number, mask=False)
    with pytest.raises(TypeError):
        reference(with_number)  # masking a number as text fails, and so it does here
    with pytest.raises(TypeError):
        shown_line(with_number)
    with pytest.raises(TypeError):
        shown_block(with_number)


def test_a_subclass_is_shown_as_it_shows_itself() -> None:
    @attrs.frozen
    class Tagged(Incident):
        def to_dict(self, *, mask: bool = True) -> dict[str, Any]:
            return {**super().to_dict(mask=mask), "tag": 1}

    base = _people_incidents()[0]
    tagged = Tagged(**{f.name: getattr(base, f.name) for f in attrs.fields(Incident)})
    assert shown_line(tagged) == reference(tagged)
    assert '"tag": 1' in shown_line(tagged)
    assert shown_block(tagged) == reference_block(tagged)


def test_the_cli_renderings_use_the_same_bytes() -> None:
    incidents = _people_incidents()
    names = {incidents[0].tracking_number: ("Johanna Smithfield",)}
    expected = "".join(reference(i, names.get(i.tracking_number, ())) + "\n" for i in incidents)
    assert render_jsonl(incidents, names=names) == expected
    assert [
        json.dumps(d, ensure_ascii=False) + "\n" for d in shown_incidents(incidents, names=names)
    ] == expected.splitlines(keepends=True)
    plain = "".join(reference(i, mask=False) + "\n" for i in incidents)
    assert render_jsonl(incidents, mask=False) == plain
    at = datetime(2026, 3, 2, 13, tzinfo=UTC)
    for mask in (True, False):
        dicts = [reference_dict(i, names.get(i.tracking_number, ()), mask=mask) for i in incidents]
        assert render_json(
            incidents, at=at, pack="people", names=names, mask=mask, extra={"x": [1]}
        ) == json_document(dicts, summarize(incidents), at=at, pack="people", extra={"x": [1]})


@pytest.mark.parametrize(
    "extra",
    [None, {}, {"events": 3, "skipped_lines": 0}, {"incidents": 1}, {"summary": 2, "pack": "p"}],
)
@pytest.mark.parametrize("count", [0, 1, 3])
def test_a_document_of_written_incidents_is_the_generic_document(
    extra: dict[str, Any] | None, count: int
) -> None:
    incidents = _people_incidents()[:count]
    dicts = [reference_dict(i) for i in incidents]
    blocks = [shown_block(i) for i in incidents]
    summary = {"incidents": count, "by_kind": {"a\nb": {"n": [1, 2]}}, "empty": {}}
    for at in (None, datetime(2026, 3, 2, 13, tzinfo=UTC)):
        assert json_text_document(
            blocks, summary, at=at, pack='p\n"q', extra=extra
        ) == json_document(dicts, summary, at=at, pack='p\n"q', extra=extra)


@pytest.mark.parametrize("count", [0, 1, 3])
def test_a_document_of_written_parts_is_json_dumps_of_the_whole(count: int) -> None:
    # ``logix changes --format json`` builds its document this way too (cli/_store.py).
    head = {"pack": 'p\n"q', "at": None}
    blocks = [_shown_json.indented({"n": n, "t": "a\nb", "l": [n, {}]}) for n in range(count)]
    for tail in (7, {"by": {"x": [1, 2]}, "e": []}):
        written = _shown_json.document_text(
            head, [("changes", blocks), ("tail", _shown_json.indented(tail))]
        )
        whole = {**head, "changes": [json.loads(b) for b in blocks], "tail": tail}
        assert written == json.dumps(whole, indent=2, ensure_ascii=False)


def test_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_shown_json, "_MEMO_MAX", 4)
    for n in range(10):
        incident = _incident(f"1Z999AA1012345678{n}", f"Text number {n}")
        assert shown_line(incident) == reference(incident)
        assert len(_shown_json._masks) <= 4


def test_scalar_values_pass_the_field_masks_unchanged() -> None:
    for value in (True, False, None, 1.5):
        assert mask_field("recipient_phone", value) is value
        assert mask_field("note", value) is value
    assert mask_field("recipient_phone", 13812345678) == "138****5678"
    assert mask_field("scans", 13812345678) == 13812345678
    fields = {
        "recipient_name": "Ann Lee",
        "n": 3,
        "flag": True,
        "gone": None,
        "recipient": {"name": "Bo Wu", "age": 30},
        "contact": "+1 512-555-0199",
    }
    assert personal_names(fields) == ("Ann Lee", "Bo Wu")


# -- any incident --------------------------------------------------------------------
odd = st.sampled_from('"\\\x00\x1f\n\u2028é\ud800')
personal = st.sampled_from(
    [
        "Johanna Smithfield",
        "+1 512-555-0199",
        "13812345678",
        "johanna@example.com",
        "1234 Elmwood Ave",
        "signed by Maria Oliveira",
        "收件人：张伟",
        "Hauptstraße 5",
        "LX123456789CN",
    ]
)
text = st.lists(st.text(st.characters(codec="utf-8") | odd, max_size=6) | personal, max_size=3).map(
    " ".join
)
opt_text = st.none() | text
zones = st.sampled_from([UTC, timezone(timedelta(hours=2))])
moments = st.builds(
    lambda micros, zone: (
        datetime(2024, 1, 1, tzinfo=UTC).astimezone(zone) + timedelta(microseconds=micros)
    ),
    st.integers(0, 10**13),
    zones,
)
keys = st.sampled_from(
    ["note", "recipient_name", "recipient_phone", "email", "address", "order_id", "stage"]
) | st.text(max_size=6)
values = st.dictionaries(
    keys,
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    max_size=4,
)


@st.composite
def incidents(draw: Any) -> Incident:
    return Incident(
        id=draw(text),
        tracking_number=draw(st.sampled_from(["LX123456789CN", "13812345678", ""]) | text),
        carrier=draw(text),
        kind=draw(text),
        severity=draw(text),
        rules=tuple(draw(st.lists(text, max_size=2))),
        opened_at=draw(moments),
        respond_by=draw(moments),
        resolve_by=draw(moments),
        escalate_at=draw(moments),
        deadlines=MappingProxyType(draw(st.dictionaries(text, moments, max_size=2))),
        remedy=draw(
            st.none()
            | st.builds(
                Remedy,
                text,
                text,
                st.lists(
                    st.builds(
                        RemedyItem,
                        text,
                        st.none() | st.decimals(places=2, allow_nan=False),
                        opt_text,
                        opt_text,
                    ),
                    max_size=2,
                ).map(tuple),
                st.booleans(),
            )
        ),
        evidence=Evidence(
            draw(text),
            draw(st.integers(0, 9)),
            MappingProxyType(draw(values)),
            tuple(
                draw(
                    st.lists(
                        st.builds(EvidenceEvent, text, moments, text, opt_text, text, text),
                        max_size=2,
                    )
                )
            ),
        ),
        explanation=draw(text),
        state=draw(st.sampled_from(list(IncidentState))),
        escalations=tuple(
            draw(st.lists(st.builds(Escalation, text, moments, opt_text), max_size=2))
        ),
        acknowledged_at=draw(st.none() | moments),
        acknowledged_by=draw(opt_text),
        resolved_at=draw(st.none() | moments),
        resolved_by=draw(opt_text),
        note=draw(opt_text),
        superseded_by=draw(opt_text),
        cause=draw(text),
    )


@pytest.mark.slow
@given(incidents(), st.lists(personal | text, max_size=2).map(tuple), st.booleans())
def test_any_incident_writes_the_reference_text(
    incident: Incident, names: tuple[str, ...], mask: bool
) -> None:
    assert shown_line(incident, names, mask=mask) == reference(incident, names, mask=mask)
    assert shown_dict(incident, names, mask=mask) == reference_dict(incident, names, mask=mask)
    assert shown_block(incident, names, mask=mask) == reference_block(incident, names, mask=mask)


# -- changes -------------------------------------------------------------------------
def test_every_demo_change_writes_the_reference_text() -> None:
    data = generate_demo(seed=12, shipments=150)
    engine = Engine(load_pack("default"))
    changes = engine.ingest(list(data.events)) + engine.advance(to=data.at)
    assert len(changes) > 20
    changes += [attrs.evolve(changes[0], seq=41), attrs.evolve(changes[-1], seq=0)]
    for mask in (True, False):
        for change in changes:
            document = change.to_dict(mask=mask)
            assert change_line(change, mask=mask) == json.dumps(document, ensure_ascii=False)
            assert change_block(change, mask=mask) == json.dumps(
                document, ensure_ascii=False, indent=2
            )


def test_a_change_of_another_shape_is_written_as_it_writes_itself() -> None:
    engine = Engine(PEOPLE_PACK)
    change = engine.ingest(
        [
            {
                "tracking_number": "1Z999AA10123456784",
                "carrier": "ups",
                "occurred_at": "2026-03-02T10:00:00Z",
                "status": "attempt_failed",
                "description": "Notice left for Johanna Smithfield",
                "attributes": {"recipient_name": "Johanna Smithfield"},
            }
        ]
    )[0]
    odd = [
        attrs.evolve(change, seq=True),
        attrs.evolve(change, incident=attrs.evolve(change.incident, rules=("a", 3))),  # type: ignore[arg-type]
    ]
    for each in [change, *odd]:
        for mask in (True, False):
            document = each.to_dict(mask=mask)
            assert change_line(each, mask=mask) == json.dumps(document, ensure_ascii=False)
            block = json.dumps(document, ensure_ascii=False, indent=2)
            assert change_block(each, mask=mask) == block
    assert "Smithfield" not in change_line(change)
    assert "Smithfield" in change_line(change, mask=False)
