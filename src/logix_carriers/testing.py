"""The contract kit for carrier adapter authors, and test helpers.

Check an adapter against recorded payloads with one call::

    from logix_carriers.testing import RecordedWebhook, RequestSpec, check_adapter_contract

    def test_acme_contract():
        payloads = load_payloads("tests/payloads/acme")
        check_adapter_contract(
            AcmeAdapter(),                       # no credentials needed to parse
            payloads=payloads,
            mapping=ACME_CODES,                  # the adapter's code -> taxonomy table
            unknown_code_payload={...},          # a payload with a code not in the table
            webhooks=[RecordedWebhook(headers, body, secret="whsec")],
            events_at="parcels[*].events[*]",    # where the raw events sit
            requests=RequestSpec(                # how the requests must look
                make_adapter=lambda **io: AcmeAdapter(api_key="test-key", **io),
                numbers=["AC1000001", "AC1000002", ...],   # batch_size + 1 of them
                method="GET", url="https://api.acme.example/track",
                answer=payloads["journey"],      # what the fake carrier answers
            ),
        )

or subclass :class:`AdapterContract` in a ``Test...`` class to get one pytest
test per rule.  The rules:

* every value of the mapping table lands in the canonical taxonomy;
* every parsed timestamp is timezone-aware;
* parsing is deterministic and idempotent: the same payload gives the same
  events and the same event ids, and the payload is not modified;
* unknown codes do not raise: they give status ``unknown`` with the raw code kept,
  and an ``unknown_code`` problem (an event without any code: a ``partial_data``
  problem);
* a signed webhook verifies as recorded and is rejected once its body is
  tampered with (or the secret is wrong);
* every raw event of a payload becomes an event or a problem, never nothing
  (each is parsed alone; ``events_at`` says where they are);
* the built requests use the documented method and URL, carry the credentials
  (the API key; for OAuth the bearer token, and the client credentials at the
  token endpoint as documented), carry every number and at most ``batch_size``;
* errors map as documented: 401 raises ``AuthError``, 404 is ``not_found``, 429
  waits ``Retry-After`` and retries, lasting 429 and 5xx are ``carrier_error``, a
  body that is not JSON is ``bad_payload``, every number getting its problem.

The request and error rules drive ``track()`` through a fake carrier; give
``requests=NOT_HTTP`` for an adapter that sends no HTTP requests.
:class:`FakeClock` drives the HTTP layer's retries and rate limiting in tests
without real sleeping.  Nothing here imports pytest.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import SecretStr

from ._adapter import CarrierAdapter
from ._clock_fake import FakeClock
from ._contract_events import check_no_silent_drops as _check_drops
from ._contract_requests import (
    NOT_HTTP,
    NotHttp,
    RequestSpec,
    check_error_mapping,
    check_requests,
)
from ._errors import WebhookError
from ._model import TrackingEvent
from ._settings import AdapterSettings
from ._taxonomy import Reason, Stage, Status
from ._track_result import ProblemCode, TrackResult

__all__ = [
    "NOT_HTTP",
    "AdapterContract",
    "ContractViolation",
    "FakeClock",
    "NotHttp",
    "RecordedWebhook",
    "RequestSpec",
    "check_adapter_contract",
    "check_deterministic",
    "check_error_mapping",
    "check_mapping",
    "check_metadata",
    "check_no_silent_drops",
    "check_requests",
    "check_timestamps",
    "check_unknown_codes",
    "check_webhooks",
    "load_payloads",
]


class ContractViolation(AssertionError):
    """An adapter broke the contract; ``failures`` lists every broken rule."""

    def __init__(self, adapter: str, failures: Sequence[str]) -> None:
        self.failures = list(failures)
        lines = "\n".join(f"  - {f}" for f in self.failures)
        super().__init__(f"adapter {adapter!r} breaks the carrier contract:\n{lines}")


@dataclass(frozen=True)
class RecordedWebhook:
    """A genuine webhook delivery: the exact body bytes, headers and secret."""

    headers: Mapping[str, str]
    body: bytes
    secret: str | None = None
    name: str = "webhook"


def load_payloads(directory: str | Path, pattern: str = "*.json") -> dict[str, Any]:
    """Every JSON file in ``directory`` by file stem, sorted by name."""
    root = Path(directory)
    files = sorted(root.glob(pattern))
    if not files:
        raise FileNotFoundError(f"no {pattern} files in {root}")
    return {path.stem: json.loads(path.read_text("utf-8")) for path in files}


def _named(payloads: Mapping[str, Any] | Sequence[Any]) -> list[tuple[str, Any]]:
    if isinstance(payloads, Mapping):
        return [(str(name), payload) for name, payload in payloads.items()]
    return [(f"payload[{i}]", payload) for i, payload in enumerate(payloads)]


def _parse(
    adapter: CarrierAdapter, payload: Any, numbers: Sequence[str], name: str, failures: list[str]
) -> TrackResult | None:
    try:
        return adapter.parse_payload(copy.deepcopy(payload), numbers)
    except Exception as exc:  # the contract is exactly that nothing escapes
        failures.append(f"{name}: parse_payload raised {type(exc).__name__}: {exc}")
        return None


# -- individual rules ---------------------------------------------------------------


def check_metadata(adapter: CarrierAdapter) -> list[str]:
    """Code, name, capabilities and settings model are well-formed."""
    failures = []
    code = adapter.code
    if not isinstance(code, str) or not code or code != code.strip().lower():
        failures.append(f"code {code!r} must be a non-empty lower-case string")
    if not isinstance(adapter.name, str) or not adapter.name.strip():
        failures.append("name must be a non-empty string")
    model = adapter.settings_model
    if not (isinstance(model, type) and issubclass(model, AdapterSettings)):
        failures.append("settings_model must be a subclass of AdapterSettings")
    else:
        for name, info in model.model_fields.items():
            lowered = name.lower()
            looks_secret = any(w in lowered for w in ("key", "secret", "token", "password"))
            if looks_secret and name not in model.secret_fields() and info.annotation is not None:
                failures.append(f"setting {name!r} looks like a credential but is not a SecretStr")
    caps = adapter.capabilities
    if caps.batch_size < 1:
        failures.append("capabilities.batch_size must be at least 1")
    return failures


def _triple(value: Any) -> tuple[Any, Any, Any]:
    if all(hasattr(value, attr) for attr in ("status", "reason")):
        return value.status, value.reason, getattr(value, "stage", None)
    if isinstance(value, Mapping):
        return value.get("status"), value.get("reason"), value.get("stage")
    if isinstance(value, tuple | list) and 1 <= len(value) <= 3:
        padded = [*value, None, None][:3]
        # A (stage, status, reason) triple is spelled with enum members; sort them out.
        if isinstance(padded[0], Stage) and not isinstance(padded[0], Status):
            return padded[1], padded[2], padded[0]
        return padded[0], padded[1], padded[2]
    return value, None, None


def _in(enum: type[Stage] | type[Status] | type[Reason], value: Any) -> bool:
    if isinstance(value, enum):
        return True
    return (
        isinstance(value, str)
        and not isinstance(value, Stage | Status | Reason)
        and (value in {m.value for m in enum})
    )


def check_mapping(mapping: Mapping[Any, Any]) -> list[str]:
    """Every entry maps to a canonical status, and reason/stage when given."""
    failures = []
    if not mapping:
        failures.append("the mapping table is empty")
    for key, value in mapping.items():
        status, reason, stage = _triple(value)
        if not _in(Status, status):
            failures.append(f"mapping {key!r}: status {status!r} is not a canonical Status")
        if reason is not None and not _in(Reason, reason):
            failures.append(f"mapping {key!r}: reason {reason!r} is not a canonical Reason")
        if stage is not None and not _in(Stage, stage):
            failures.append(f"mapping {key!r}: stage {stage!r} is not a canonical Stage")
    return failures


def _event_failures(events: Iterable[TrackingEvent], name: str) -> list[str]:
    failures = []
    for event in events:
        moment = event.occurred_at
        if moment.tzinfo is None or moment.utcoffset() is None:
            failures.append(f"{name}: event {event.event_id} has a naive occurred_at")
        if event.offset_source not in ("carrier", "location", "assumed"):
            failures.append(
                f"{name}: event {event.event_id} has offset_source {event.offset_source!r}"
            )
    return failures


def check_timestamps(
    adapter: CarrierAdapter,
    payloads: Mapping[str, Any] | Sequence[Any],
    numbers: Sequence[str] = (),
) -> list[str]:
    """Every parsed event is timezone-aware."""
    failures: list[str] = []
    for name, payload in _named(payloads):
        result = _parse(adapter, payload, numbers, name, failures)
        if result is not None:
            failures.extend(_event_failures(result.all_events(), name))
    return failures


def check_deterministic(
    adapter: CarrierAdapter,
    payloads: Mapping[str, Any] | Sequence[Any],
    numbers: Sequence[str] = (),
) -> list[str]:
    """Same payload, same result and event ids; the payload itself is left untouched."""
    failures: list[str] = []
    for name, payload in _named(payloads):
        before = copy.deepcopy(payload)
        try:
            first = adapter.parse_payload(payload, numbers)
        except Exception as exc:  # reported, not propagated: see _parse
            failures.append(f"{name}: parse_payload raised {type(exc).__name__}: {exc}")
            continue
        if payload != before:
            failures.append(f"{name}: parse_payload modified its input payload")
        second = _parse(adapter, before, numbers, name, failures)
        if second is None:
            continue
        ids_first = [e.event_id for e in first.all_events()]
        ids_second = [e.event_id for e in second.all_events()]
        if ids_first != ids_second:
            failures.append(f"{name}: parsing twice gave different event ids")
        elif first.as_dict() != second.as_dict():
            failures.append(f"{name}: parsing twice gave different results")
        for number, events in first.events.items():
            ids = [e.event_id for e in events]
            if len(ids) != len(set(ids)):
                failures.append(f"{name}: duplicate event ids for {number}")
    return failures


def check_unknown_codes(
    adapter: CarrierAdapter,
    payloads: Mapping[str, Any] | Sequence[Any],
    numbers: Sequence[str] = (),
    *,
    unknown_code_payload: Any = None,
) -> list[str]:
    """Unknown codes give ``unknown`` events with the raw code and a problem, never a raise.

    An ``unknown`` event keeps the carrier's code in its ``source`` and comes with a
    problem: ``unknown_code`` for a code the adapter does not know, or ``partial_data``
    for a documented code that means "no status" (UPS ``000``, DHL ``unknown``).  One
    without any code (the carrier sent none) comes with a ``partial_data`` problem.
    Either way nothing is silently mapped.
    """
    failures: list[str] = []
    named = _named(payloads)
    if unknown_code_payload is not None:
        named.append(("unknown_code_payload", unknown_code_payload))
    for name, payload in named:
        result = _parse(adapter, payload, numbers, name, failures)
        if result is None:
            continue
        for event in result.all_events():
            if event.status != Status.UNKNOWN or event.is_report:
                continue
            source = event.source
            noted = {p.code for p in result.problems_for(event.tracking_number)}
            if source.status or source.substatus or source.code:
                if not noted & {ProblemCode.UNKNOWN_CODE, ProblemCode.PARTIAL_DATA}:
                    failures.append(
                        f"{name}: unknown event {event.event_id} ({event.tracking_number}) "
                        "has no 'unknown_code' (or, for a documented no-status code, "
                        "'partial_data') problem"
                    )
            elif ProblemCode.PARTIAL_DATA not in noted:
                # Without any code the carrier sent none, or the adapter dropped it;
                # only a 'partial_data' problem tells the two apart.
                failures.append(
                    f"{name}: unknown event {event.event_id} ({event.tracking_number}) keeps "
                    "no raw carrier code, and no 'partial_data' problem says the carrier "
                    "sent none"
                )
        if name == "unknown_code_payload":
            unknown = [e for e in result.all_events() if e.status == Status.UNKNOWN]
            flagged = [p for p in result.problems if p.code == ProblemCode.UNKNOWN_CODE]
            if not unknown and not flagged:
                failures.append(
                    "unknown_code_payload: parsed without any 'unknown' event or "
                    "'unknown_code' problem; was its code really unknown?"
                )
    return failures


def _tampered(body: bytes) -> list[tuple[str, bytes]]:
    variants = [("trailing whitespace", body + b" ")]
    for index, byte in enumerate(body):
        if 0x30 <= byte <= 0x39:  # change one digit: still valid JSON, different data
            digit = b"1" if byte != 0x31 else b"2"
            variants.append(("one digit changed", body[:index] + digit + body[index + 1 :]))
            break
    return variants


def check_webhooks(adapter: CarrierAdapter, webhooks: Sequence[RecordedWebhook]) -> list[str]:
    """Recorded deliveries verify; tampered bodies and wrong secrets are rejected."""
    failures: list[str] = []
    caps = adapter.capabilities
    if caps.signs_webhooks and not webhooks:
        failures.append("the adapter signs webhooks but no recorded webhook was given")
    for hook in webhooks:
        secret = SecretStr(hook.secret) if hook.secret is not None else None
        try:
            events = adapter.parse_webhook(hook.headers, hook.body, secret=secret)
        except Exception as exc:  # a genuine delivery must be accepted
            failures.append(f"{hook.name}: genuine delivery rejected: {type(exc).__name__}: {exc}")
            continue
        failures.extend(_event_failures(events, hook.name))
        if not caps.signs_webhooks:
            continue
        for what, body in _tampered(hook.body):
            try:
                adapter.parse_webhook(hook.headers, body, secret=secret)
            except WebhookError:
                pass
            except Exception as exc:  # must be the typed error
                failures.append(
                    f"{hook.name}: tampered body ({what}) raised {type(exc).__name__}, "
                    "not WebhookError"
                )
            else:
                failures.append(f"{hook.name}: tampered body ({what}) was accepted")
        try:
            adapter.parse_webhook(hook.headers, hook.body, secret=SecretStr("not-the-secret"))
        except WebhookError:
            pass
        except Exception as exc:  # must be the typed error
            failures.append(f"{hook.name}: wrong secret raised {type(exc).__name__}")
        else:
            failures.append(f"{hook.name}: delivery accepted with the wrong secret")
    return failures


def check_no_silent_drops(
    adapter: CarrierAdapter,
    payloads: Mapping[str, Any] | Sequence[Any],
    numbers: Sequence[str] = (),
    *,
    events_at: str | Sequence[str] | None,
) -> list[str]:
    """Every raw event (found at ``events_at``, e.g. ``"shipments[*].events[*]"``),
    parsed alone, becomes an event or a problem about it, never nothing."""
    return _check_drops(adapter, _named(payloads), numbers, events_at)


_NO_REQUESTS = (
    "no requests=RequestSpec(...) given: the kit cannot check the built requests and the "
    "error mapping (give requests=NOT_HTTP for an adapter that sends no HTTP requests)"
)


def check_adapter_contract(
    adapter: CarrierAdapter,
    payloads: Mapping[str, Any] | Sequence[Any],
    *,
    numbers: Sequence[str] = (),
    mapping: Mapping[Any, Any] | None = None,
    unknown_code_payload: Any = None,
    webhooks: Sequence[RecordedWebhook] = (),
    events_at: str | Sequence[str] | None = None,
    requests: RequestSpec | NotHttp | None = None,
) -> None:
    """Run every rule; raise :class:`ContractViolation` listing all that failed.

    ``events_at`` and ``requests`` are needed for the no-silent-drop, request and
    error-mapping rules; without them those rules fail, saying what to give.
    """
    if not _named(payloads):
        raise ValueError("check_adapter_contract needs at least one recorded payload")
    # Each rule gets its own copy: an adapter that modifies its input (a failure
    # check_deterministic reports) must not change what the next rule sees.
    pristine = copy.deepcopy(payloads)
    failures = check_metadata(adapter)
    if mapping is not None:
        failures += check_mapping(mapping)
    failures += check_timestamps(adapter, copy.deepcopy(pristine), numbers)
    failures += check_deterministic(adapter, copy.deepcopy(pristine), numbers)
    failures += check_unknown_codes(
        adapter, copy.deepcopy(pristine), numbers, unknown_code_payload=unknown_code_payload
    )
    failures += check_webhooks(adapter, webhooks)
    failures += check_no_silent_drops(adapter, pristine, numbers, events_at=events_at)
    if requests is None:
        failures.append(_NO_REQUESTS)
    else:
        failures += check_requests(requests)
        failures += check_error_mapping(requests)
    if failures:
        raise ContractViolation(adapter.code, failures)


class AdapterContract:
    """Base class for a pytest contract suite: one test per rule.

    Subclass it in a class whose name starts with ``Test`` and fill in
    :meth:`make_adapter` and the class attributes::

        class TestAcmeContract(AdapterContract):
            payloads = load_payloads(HERE / "payloads" / "acme")
            mapping = ACME_CODES
            unknown_code_payload = {...}
            events_at = "parcels[*].events[*]"
            requests = RequestSpec(...)

            def make_adapter(self):
                return AcmeAdapter()
    """

    payloads: ClassVar[Mapping[str, Any] | Sequence[Any]] = ()
    numbers: ClassVar[Sequence[str]] = ()
    mapping: ClassVar[Mapping[Any, Any] | None] = None
    unknown_code_payload: ClassVar[Any] = None
    webhooks: ClassVar[Sequence[RecordedWebhook]] = ()
    events_at: ClassVar[str | Sequence[str] | None] = None
    requests: ClassVar[RequestSpec | NotHttp | None] = None

    def make_adapter(self) -> CarrierAdapter:
        raise NotImplementedError("AdapterContract subclasses must define make_adapter()")

    def _assert(self, failures: list[str]) -> None:
        if failures:
            raise ContractViolation(self.make_adapter().code, failures)

    def test_metadata(self) -> None:
        self._assert(check_metadata(self.make_adapter()))

    def test_payloads_given(self) -> None:
        assert _named(self.payloads), "give at least one recorded payload in `payloads`"

    def test_mapping_in_taxonomy(self) -> None:
        self._assert(check_mapping(self.mapping) if self.mapping is not None else [])

    def test_timestamps_aware(self) -> None:
        self._assert(check_timestamps(self.make_adapter(), self.payloads, self.numbers))

    def test_deterministic(self) -> None:
        self._assert(check_deterministic(self.make_adapter(), self.payloads, self.numbers))

    def test_unknown_codes(self) -> None:
        self._assert(
            check_unknown_codes(
                self.make_adapter(),
                self.payloads,
                self.numbers,
                unknown_code_payload=self.unknown_code_payload,
            )
        )

    def test_webhooks(self) -> None:
        self._assert(check_webhooks(self.make_adapter(), self.webhooks))

    def test_no_silent_drops(self) -> None:
        self._assert(
            check_no_silent_drops(
                self.make_adapter(), self.payloads, self.numbers, events_at=self.events_at
            )
        )

    def test_requests(self) -> None:
        self._assert([_NO_REQUESTS] if self.requests is None else check_requests(self.requests))

    def test_error_mapping(self) -> None:
        spec = self.requests
        self._assert([_NO_REQUESTS] if spec is None else check_error_mapping(spec))
