"""The contract kit passes a correct adapter and catches each kind of broken one."""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sdk_support import START, TOY_CODES, ToyAdapter, toy_payload

from logix_carriers import (
    AdapterSettings,
    BaseAdapter,
    Capabilities,
    Status,
    TrackingEvent,
    TrackResult,
    hmac_signature,
)
from logix_carriers.testing import (
    AdapterContract,
    ContractViolation,
    FakeClock,
    RecordedWebhook,
    RequestSpec,
    check_adapter_contract,
    check_mapping,
    load_payloads,
)

PAYLOADS = {
    "two_parcels": toy_payload("A1", "A2"),
    "duplicates_and_disorder": {
        "parcels": [
            {
                "number": "A3",
                "events": [
                    {"code": "DL", "time": "2026-03-03T10:00:00+01:00", "country": "DE"},
                    {"code": "PU", "time": "2026-03-01T10:00:00-05:00", "country": "US"},
                    {"code": "PU", "time": "2026-03-01T10:00:00-05:00", "country": "US"},
                    {"code": "TR", "time": "not a time", "country": "US"},
                ],
            }
        ]
    },
}
UNKNOWN = toy_payload("A9", code="QQ")
SECRET = "whsec-contract"
EVENTS_AT = "parcels[*].events[*]"


def toy_answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=toy_payload(*request.url.params["numbers"].split(",")))


TOY_REQUESTS = RequestSpec(
    make_adapter=lambda **io: ToyAdapter(api_key="toy-kit-key-123456", environ={}, **io),
    numbers=["TOY000001", "TOY000002", "TOY000003"],
    method="GET",
    url="https://toy.example/track?",
    answer=toy_answer,
)


def recorded_webhook() -> RecordedWebhook:
    body = json.dumps(toy_payload("A1") | {"sent_at": START.isoformat()}).encode()
    return RecordedWebhook({"X-Toy-Signature": hmac_signature(SECRET, body)}, body, SECRET)


def good_toy() -> ToyAdapter:
    return ToyAdapter(clock=FakeClock(START + timedelta(seconds=1)), environ={})


def run(adapter: Any, **kwargs: Any) -> list[str]:
    """The failures the kit reports for ``adapter`` (empty when it passes)."""
    options: dict[str, Any] = {
        # A copy: some broken adapters below modify the payloads they are given.
        "payloads": copy.deepcopy(PAYLOADS),
        "mapping": TOY_CODES,
        "unknown_code_payload": UNKNOWN,
        "webhooks": [recorded_webhook()],
        "events_at": EVENTS_AT,
        "requests": TOY_REQUESTS,
    }
    options.update(kwargs)
    try:
        check_adapter_contract(adapter, **options)
    except ContractViolation as exc:
        return exc.failures
    return []


def test_a_correct_adapter_passes() -> None:
    assert run(good_toy()) == []


class TestToyContract(AdapterContract):
    """The pytest base class, used as adapter authors use it."""

    payloads = PAYLOADS
    mapping = TOY_CODES
    unknown_code_payload = UNKNOWN
    webhooks = (recorded_webhook(),)
    events_at = EVENTS_AT
    requests = TOY_REQUESTS

    def make_adapter(self) -> ToyAdapter:
        return good_toy()


# -- each rule catches its violation ---------------------------------------------------


def test_mapping_outside_the_taxonomy_is_caught() -> None:
    bad = {**TOY_CODES, "XX": ("in-transit", None), "YY": (Status.EXCEPTION, "customs")}
    failures = run(good_toy(), mapping=bad)
    assert failures == [
        "mapping 'XX': status 'in-transit' is not a canonical Status",
        "mapping 'YY': reason 'customs' is not a canonical Reason",
    ]


def test_mapping_accepts_the_shapes_tables_use() -> None:
    from logix_carriers import Reason, Stage

    assert check_mapping({"a": (Status.DELIVERED,), "b": ("exception", "lost")}) == []
    assert check_mapping({"c": (Stage.CUSTOMS, Status.EXCEPTION, Reason.CUSTOMS_HOLD)}) == []
    assert check_mapping({"d": {"status": "unknown"}}) == []
    assert check_mapping({}) == ["the mapping table is empty"]


class NaiveToy(ToyAdapter):
    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        result = super().parse_payload(payload, numbers)
        # model_construct skips validation, as a careless adapter might.
        naive = [
            TrackingEvent.model_construct(
                **(e.__dict__ | {"occurred_at": e.occurred_at.replace(tzinfo=None)})
            )
            for e in result.all_events()
        ]
        return TrackResult.build(self.code, naive, result.problems)


def test_naive_timestamps_are_caught() -> None:
    failures = run(NaiveToy(clock=FakeClock(START), environ={}))
    assert any("naive occurred_at" in f for f in failures)


_counter = itertools.count()


class UnstableToy(ToyAdapter):
    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        result = super().parse_payload(payload, numbers)
        renamed = [
            e.model_copy(update={"event_id": f"ev-{next(_counter)}"}) for e in result.all_events()
        ]
        return TrackResult.build(self.code, renamed, result.problems)


def test_unstable_event_ids_are_caught() -> None:
    failures = run(UnstableToy(clock=FakeClock(START), environ={}))
    assert "two_parcels: parsing twice gave different event ids" in failures


class MutatingToy(ToyAdapter):
    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        result = super().parse_payload(payload, numbers)
        payload["parcels"].clear()
        return result


def test_mutating_the_payload_is_caught() -> None:
    failures = run(MutatingToy(clock=FakeClock(START), environ={}), webhooks=[])
    assert "two_parcels: parse_payload modified its input payload" in failures


class RaisingToy(ToyAdapter):
    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        for parcel in payload["parcels"]:
            for raw in parcel["events"]:
                if raw["code"] not in TOY_CODES:
                    raise KeyError(raw["code"])
        return super().parse_payload(payload, numbers)


def test_raising_on_unknown_codes_is_caught() -> None:
    failures = run(RaisingToy(clock=FakeClock(START), environ={}))
    assert failures == ["unknown_code_payload: parse_payload raised KeyError: 'QQ'"]


class OptimisticToy(ToyAdapter):
    """Maps every unknown code to in_transit: the classic integration bug."""

    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        patched = json.loads(json.dumps(payload).replace('"QQ"', '"TR"'))
        return super().parse_payload(patched, numbers)


def test_unknown_codes_silently_mapped_are_caught() -> None:
    failures = run(OptimisticToy(clock=FakeClock(START), environ={}))
    assert failures == [
        "unknown_code_payload: parsed without any 'unknown' event or 'unknown_code' "
        "problem; was its code really unknown?"
    ]


class SilentUnknownToy(ToyAdapter):
    """Keeps unknown events but forgets both the raw code and the problem entry."""

    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        result = super().parse_payload(payload, numbers)
        events = [
            e.model_copy(update={"source": e.source.model_copy(update={"code": None})})
            for e in result.all_events()
        ]
        return TrackResult.build(self.code, events, [])


def test_unknown_events_without_raw_code_or_problem_are_caught() -> None:
    failures = run(SilentUnknownToy(clock=FakeClock(START), environ={}))
    failure, dropped = failures
    assert failure.startswith("unknown_code_payload: unknown event ev_")
    assert failure.endswith(
        "(A9) keeps no raw carrier code, and no 'partial_data' problem says the carrier sent none"
    )
    # Dropping every problem also drops the bad event's report: a silent drop.
    assert dropped == (
        "duplicates_and_disorder: raw event parcels[0].events[3] became neither an event "
        "nor a problem (silently dropped)"
    )


class ForgetfulToy(ToyAdapter):
    """Keeps the raw code of unknown events but drops the problem entry."""

    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        result = super().parse_payload(payload, numbers)
        return TrackResult.build(self.code, result.all_events(), [])


def test_unknown_events_without_a_problem_are_caught() -> None:
    failure, dropped = run(ForgetfulToy(clock=FakeClock(START), environ={}))
    assert failure.endswith(
        "(A9) has no 'unknown_code' (or, for a documented no-status code, 'partial_data') problem"
    )
    assert dropped.endswith(
        "parcels[0].events[3] became neither an event nor a problem (silently dropped)"
    )


class ReserializingToy(ToyAdapter):
    """Verifies the signature over re-serialized JSON instead of the received bytes."""

    def verify_webhook(self, headers: httpx.Headers, body: bytes, secret: SecretStr | None) -> None:
        canonical = json.dumps(json.loads(body)).encode()
        super().verify_webhook(headers, canonical, secret)


def test_signature_over_reserialized_json_is_caught() -> None:
    failures = run(ReserializingToy(clock=FakeClock(START), environ={}))
    assert failures == ["webhook: tampered body (trailing whitespace) was accepted"]


class TrustingToy(ToyAdapter):
    def verify_webhook(self, headers: httpx.Headers, body: bytes, secret: SecretStr | None) -> None:
        return None


def test_unverified_webhooks_are_caught() -> None:
    failures = run(TrustingToy(clock=FakeClock(START), environ={}))
    assert failures == [
        "webhook: tampered body (trailing whitespace) was accepted",
        "webhook: tampered body (one digit changed) was accepted",
        "webhook: delivery accepted with the wrong secret",
    ]


def test_a_signing_adapter_without_recorded_webhooks_is_caught() -> None:
    failures = run(good_toy(), webhooks=[])
    assert failures == ["the adapter signs webhooks but no recorded webhook was given"]


def test_a_stale_recording_is_reported_as_rejected() -> None:
    late = ToyAdapter(clock=FakeClock(START + timedelta(days=1)), environ={})
    (failure,) = run(late)
    assert failure.startswith("webhook: genuine delivery rejected: WebhookError")


class PlainKeySettings(AdapterSettings):
    api_key: str


class PlainKeyToy(BaseAdapter[PlainKeySettings]):
    code = "plainkey"
    name = "Plain key"
    settings_model = PlainKeySettings
    capabilities = Capabilities()

    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        return ToyAdapter().parse_payload(payload, numbers)


def test_credentials_not_declared_secret_are_caught() -> None:
    failures = run(PlainKeyToy(), mapping=None, unknown_code_payload=None, webhooks=[])
    assert failures == ["setting 'api_key' looks like a credential but is not a SecretStr"]


def test_the_kit_needs_payloads() -> None:
    with pytest.raises(ValueError, match="at least one recorded payload"):
        check_adapter_contract(good_toy(), payloads=[])


def test_load_payloads_reads_json_files_by_stem(tmp_path: Any) -> None:
    (tmp_path / "b.json").write_text('{"x": 2}')
    (tmp_path / "a.json").write_text('{"x": 1}')
    assert load_payloads(tmp_path) == {"a": {"x": 1}, "b": {"x": 2}}
    with pytest.raises(FileNotFoundError):
        load_payloads(tmp_path / "nothing")
