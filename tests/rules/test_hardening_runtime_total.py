"""A pack that compiles never crashes at run time (issue 11, section 4).

For any pack that compiles, built-in or drawn from a small grammar of rules, and any
valid events and shipment facts, ``evaluate`` returns or raises a documented
``LogixError``, never anything else; what it returns renders as strict JSON.  The
values are extreme but valid: instants at both ends of the supported range, numbers
just below the bounds validation enforces, durations and amounts computed from them.
"""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import logix_rules
from logix_carriers import Reason, Status
from logix_rules import Engine, LogixError, Pack, PackError, evaluate, load_pack, loads_pack

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LAST = datetime(2200, 1, 1, tzinfo=UTC) - timedelta(microseconds=1)
ONE_DAY = timedelta(days=1)

# Every case compiles a pack and runs it: seconds, not the default 200 ms.
BOUNDED = settings(deadline=timedelta(seconds=10), suppress_health_check=[HealthCheck.too_slow])

# -- a grammar of packs ------------------------------------------------------------------

DURATIONS = ["1s", "24h", "36500d"]
NUMBERS = ["0", "1", "0.05", "1000000000000000", "-1000000000000000", "1e-300"]
MONEY = ["500 EUR", "999999999999999 EUR"]
CONDITIONS = [
    "True",
    "not final",
    "scans > 0",
    "attr('n', 0.0) > params.x",
    "attr('n', 0.0) * attr('m', 1.0) > 1",
    "attr('n', 0.0) / attr('m', 1.0) < -1e15",
    "shipment.declared_value >= params.v",
    "count(status='in_transit') >= 1",
    "seen(reason='lost')",
    "last(reason='not_received', report=True) > delivered_at",
    "attr('s', '') == 'x'",
    "as_days(last_event - first_event) > attr('n', 0.0)",
    "last_event - first_event > params.d",
]
ANCHORS = [
    "last_scan",
    "first_event",
    "last_event",
    "stage_entered",
    "shipment.promised_at",
    "shipment.shipped_at",
    "last_scan + hours(attr('n', 0.0))",
    "first_event - days(attr('n', 0.0))",
    "max(last_event, shipment.promised_at)",
]
SPANS = [
    "0s",
    "1s",
    "24h",
    "36500d",
    "d",
    "hours(attr('n', 0.0))",
    "days(attr('n', 0.0)) * attr('m', 1.0)",
    "params.d * attr('n', 0.0)",
    "hours(attr('n', 0.0) / attr('m', 1.0))",
    "days(attr('n', 0.0)) * attr('n', 0.0) * attr('n', 0.0) * attr('n', 0.0)",
]
AMOUNTS = [
    "shipment.declared_value",
    "shipment.freight_cost * params.r",
    "attr('n', 0.0) / attr('m', 1.0) * params.x",
    "shipment.freight_cost * min(1.0, as_days(now - last_scan) * params.r)",
    "params.x * params.x * params.x * params.x * params.x",
    "as_hours(now - first_event) * params.x",
    "shipment.declared_value * attr('n', 0.0) / attr('m', 1.0)",
]
EXPLAINS = [
    "{last_scan + hours(attr('n', 0.0))}",
    "{now - first_event} {attr('n', 0.0) * params.x}",
    "{shipment.declared_value} {shipment.currency} {shipment.promised_at}",
    "{first_event - days(attr('n', 0.0) * attr('n', 0.0))}",
    "{hours(attr('n', 0.0)) * attr('n', 0.0) * attr('n', 0.0) * attr('n', 0.0)}",
]


def _quoted(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


@st.composite
def _rule(draw: st.DrawFn, index: int) -> str:
    lines = [
        f"  - id: r{index}",
        f"    kind: {draw(st.sampled_from(['stall', 'loss']))}",
        f"    when: {_quoted(draw(st.sampled_from(CONDITIONS)))}",
        "    severity: P1",
    ]
    if draw(st.booleans()):
        lines.append(f"    anchor: {_quoted(draw(st.sampled_from(ANCHORS)))}")
        lines.append(f"    after: {_quoted(draw(st.sampled_from(SPANS)))}")
        if draw(st.booleans()):
            lines += ["    steps:", f"      - after: {_quoted(draw(st.sampled_from(SPANS)))}"]
    if draw(st.booleans()):
        lines.append(f"    deadlines: {{due: {_quoted(draw(st.sampled_from(SPANS)))}}}")
    if draw(st.booleans()):
        amount = _quoted(draw(st.sampled_from(AMOUNTS)))
        lines.append(f"    remedy: {{code: pay, items: [{{code: part, amount: {amount}}}]}}")
    if draw(st.booleans()):
        lines.append(f"    explain: {_quoted(draw(st.sampled_from(EXPLAINS)))}")
    return "\n".join(lines)


@st.composite
def pack_texts(draw: st.DrawFn) -> str:
    span = st.sampled_from(DURATIONS)
    rules = [draw(_rule(i)) for i in range(draw(st.integers(1, 3)))]
    return "\n".join(
        [
            "format: 1",
            "name: drawn",
            "params:",
            f"  d: {{type: duration, default: {draw(span)}}}",
            f"  x: {{type: number, default: {draw(st.sampled_from(NUMBERS))}}}",
            "  r: {type: percent, default: 5%}",
            f"  v: {{type: money, default: {draw(st.sampled_from(MONEY))}}}",
            "severities:",
            f"  P1: {{respond: {draw(span)}, resolve: {draw(span)}, escalate_after: {draw(span)}}}",
            "rules:",
            *rules,
            "",
        ]
    )


@functools.lru_cache(maxsize=512)
def _compiled(text: str) -> Pack | None:
    try:
        return loads_pack(text)
    except PackError:
        return None


# -- extreme but valid input -------------------------------------------------------------

instants = st.one_of(
    st.sampled_from([EARLIEST, LAST, EARLIEST + timedelta(microseconds=1), LAST - ONE_DAY]),
    st.datetimes(
        min_value=EARLIEST.replace(tzinfo=None),
        max_value=LAST.replace(tzinfo=None),
        timezones=st.just(UTC),
    ),
)
offsets = st.sampled_from([0, -18 * 60, 18 * 60, 330, -60])
attribute_values = st.sampled_from(
    [
        0,
        0.0,
        -0.0,
        1,
        0.5,
        999_999_999_999_999,
        -999_999_999_999_999,
        999_999_999_999_999.9,
        -999_999_999_999_999.9,
        1e-300,
        5e-324,
        "1e400",
        "nan",
        "-inf",
        "1" * 400,
        "x",
        True,
        None,
    ]
)
money = st.sampled_from([None, "0", "0.01", "999999999999999.99", "123456789012345.678901234"])


def _stamp(moment: datetime, offset: int) -> str:
    return moment.astimezone(timezone(timedelta(minutes=offset))).isoformat()


@st.composite
def inputs(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dict[str, Any], datetime]:
    events = []
    for _ in range(draw(st.integers(0, 6))):
        report = draw(st.integers(0, 4)) == 0
        reason = draw(st.none() | st.sampled_from([r.value for r in Reason]))
        events.append(
            {
                "tracking_number": draw(st.sampled_from(["A", "B"])),
                "carrier": "dhl",
                "occurred_at": _stamp(draw(instants), draw(offsets)),
                "status": draw(st.sampled_from([s.value for s in Status])),
                "reason": reason,
                "source": {"system": "customer" if report else "dhl"},
                "attributes": draw(
                    st.dictionaries(
                        st.sampled_from(["n", "m", "s", "damage_ratio"]), attribute_values
                    )
                ),
            }
        )
    shipment: dict[str, Any] = {
        "tracking_number": "A",
        "carrier": "dhl",
        "origin_country": "CN",
        "destination_country": draw(st.sampled_from(["US", "DE", "BR"])),
        "declared_value": draw(money),
        "freight_cost": draw(money),
        "currency": "USD",
        "promised_at": draw(st.none() | instants.map(lambda m: _stamp(m, 0))),
        "shipped_at": draw(st.none() | instants.map(lambda m: _stamp(m, 0))),
    }
    times = [datetime.fromisoformat(e["occurred_at"]) for e in events]
    at = draw(st.sampled_from([EARLIEST, LAST, max(times, default=LAST)]) | instants)
    return events, shipment, at


def _runs_totally(pack: Pack, case: tuple[list[dict[str, Any]], dict[str, Any], datetime]) -> None:
    events, shipment, at = case
    try:
        incidents = evaluate(pack, events, at=at, shipment=shipment)
    except LogixError:
        return
    for incident in incidents:
        json.dumps(incident.to_dict(), allow_nan=False)
    # The engine's own clock and schedule too: ingest, advance, what is due next.
    engine = Engine(pack)
    engine.upsert_shipment(shipment)
    engine.ingest(events)
    engine.advance(to=at)
    engine.next_due()
    for incident in engine.open_incidents():
        json.dumps(incident.to_dict(), allow_nan=False)
        engine.explain(incident.tracking_number, at=at)


@pytest.mark.slow
@BOUNDED
@given(pack_texts(), inputs())
def test_a_drawn_pack_that_compiles_never_crashes(
    text: str, case: tuple[list[dict[str, Any]], dict[str, Any], datetime]
) -> None:
    pack = _compiled(text)
    assume(pack is not None)
    assert pack is not None
    _runs_totally(pack, case)


PACK_FOLDER = Path(logix_rules.__file__).parent / "packs"
SHIPPED_PACKS = [
    load_pack(str(path))
    for path in sorted(PACK_FOLDER.glob("*.yaml"))
    if not path.name.endswith(".tests.yaml")
]


@pytest.mark.slow
@BOUNDED
@given(st.sampled_from(SHIPPED_PACKS), inputs())
def test_the_shipped_packs_never_crash(
    pack: Pack, case: tuple[list[dict[str, Any]], dict[str, Any], datetime]
) -> None:
    _runs_totally(pack, case)


def _one_rule(**keys: str) -> str:
    body = "".join(f"\n    {key}: {_quoted(value)}" for key, value in keys.items())
    return f"""format: 1
name: fragment
params:
  d: {{type: duration, default: 24h}}
  x: {{type: number, default: 1}}
  r: {{type: percent, default: 5%}}
  v: {{type: money, default: 500 EUR}}
severities:
  P1: {{respond: 1s, resolve: 1s, escalate_after: 1s}}
rules:
  - id: r0
    kind: stall
    severity: P1{body}
"""


FRAGMENTS = [
    *({"when": text} for text in CONDITIONS),
    *({"anchor": text} for text in ANCHORS),
    *({"anchor": "last_scan", "after": text} for text in SPANS),
    *({"explain": text} for text in EXPLAINS),
]


@pytest.mark.parametrize("keys", FRAGMENTS, ids=lambda keys: " ".join(keys.values()))
def test_every_fragment_of_the_grammar_compiles(keys: dict[str, str]) -> None:
    # The property above only means something if the drawn packs compile.
    loads_pack(_one_rule(**keys))


@pytest.mark.parametrize("amount", AMOUNTS)
def test_every_amount_of_the_grammar_compiles(amount: str) -> None:
    item = f"{{code: part, amount: {_quoted(amount)}}}"
    loads_pack(_one_rule() + f"    remedy: {{code: pay, items: [{item}]}}\n")
