"""AfterShip Tracking API (``as-api-key`` header) and its signed webhooks.

``GET /tracking/{version}/trackings?tracking_numbers=a,b,...`` returns up to 50
trackings of the account; numbers AfterShip does not track yet are reported as
``not_found`` (create them with AfterShip's ``POST /trackings`` first).  Each
checkpoint's ``tag`` + ``subtag`` map through the ``aftership`` table of
:mod:`logix_carriers._status_maps`.

Times: ``checkpoint_time`` carries the carrier's offset when the carrier gave one
and is local wall time otherwise; wall times are placed by the checkpoint's
country (ISO alpha-3 in ``country_region``, ``country_iso3`` in older API
versions), state and city.

Webhooks: AfterShip signs the raw body with HMAC-SHA256 under the webhook secret
and sends it base64-encoded in ``aftership-hmac-sha256``.  The body's ``ts``
(Unix seconds) dates the delivery; older than :attr:`AfterShipAdapter.webhook_tolerance`
seconds is rejected as a replay.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx
from pydantic import SecretStr

from .._adapter import BaseAdapter, Capabilities
from .._country_codes import to_alpha2
from .._errors import AuthError, CarrierError, ConfigError, WebhookError
from .._http_pacing import RateLimit
from .._local_time import read_carrier_time
from .._parse_guard import piece, plain_text
from .._settings import AdapterSettings
from .._status_lookup import map_code
from .._status_maps import Mapped
from .._taxonomy import Status
from .._track_result import ProblemCode, TrackResult, TrackResultBuilder
from .._webhooks import decode_webhook_json, require_fresh, require_header, verify_hmac

__all__ = [
    "SIGNATURE_HEADER",
    "AfterShipAdapter",
    "AfterShipSettings",
    "build_trackings_request",
    "map_checkpoint",
    "parse_trackings",
    "parse_webhook_body",
]

SYSTEM = "aftership"
MAX_BATCH = 50
SIGNATURE_HEADER = "aftership-hmac-sha256"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def map_checkpoint(tag: str | None, subtag: str | None) -> tuple[Mapped | None, str]:
    """The mapping of a checkpoint's (tag, subtag) and a note when only the tag is known."""
    if subtag:
        exact = map_code(SYSTEM, None, subtag)
        if exact is not None and (tag is None or subtag.split("_", 1)[0] == tag):
            return exact, ""
    by_tag = map_code(SYSTEM, tag) if tag else None
    if by_tag is not None and subtag:
        return by_tag, f"subtag {subtag!r} is not in the table; classified by its tag {tag!r}"
    return by_tag, ""


def _location(checkpoint: Mapping[str, Any]) -> dict[str, Any] | None:
    country = to_alpha2(
        _text(checkpoint.get("country_region")) or _text(checkpoint.get("country_iso3"))
    )
    fields = {
        "country": country,
        "region": _text(checkpoint.get("state")),
        "city": _text(checkpoint.get("city")),
        "postal_code": _text(checkpoint.get("postal_code")) or _text(checkpoint.get("zip")),
        # ``location`` repeats city/state/zip when they are given; keep it only alone.
        "facility": None if checkpoint.get("city") else _text(checkpoint.get("location")),
    }
    return {k: v for k, v in fields.items() if v} or None


def _checkpoint(
    out: TrackResultBuilder, number: str, raw: Any, where: str, attributes: dict[str, Any]
) -> None:
    if not isinstance(raw, Mapping):
        out.problem(
            number,
            ProblemCode.BAD_EVENT,
            f"checkpoint is {type(raw).__name__}, not an object; dropped",
            raw=raw,
            location=where,
        )
        return
    location = _location(raw)
    place = location or {}
    try:
        reading = read_carrier_time(
            raw.get("checkpoint_time"),
            country=place.get("country"),
            city=place.get("city"),
            region=place.get("region"),
        )
    except ValueError as exc:
        out.problem(
            number, ProblemCode.BAD_EVENT, f"checkpoint dropped: {exc}", raw=raw, location=where
        )
        return
    if reading.note:
        out.problem(number, ProblemCode.PARTIAL_DATA, reading.note, raw=raw, location=where)
    tag, subtag = _text(raw.get("tag")), _text(raw.get("subtag"))
    mapped, note = map_checkpoint(tag, subtag)
    if note:
        out.problem(number, ProblemCode.PARTIAL_DATA, note, raw=raw, location=where)
    elif mapped is not None and mapped.status == Status.UNKNOWN:
        out.problem(
            number,
            ProblemCode.PARTIAL_DATA,
            f"AfterShip reports no status ({tag}); kept as 'unknown'",
            raw=raw,
            location=where,
        )
    if tag is None and subtag is None:
        out.problem(
            number,
            ProblemCode.PARTIAL_DATA,
            "checkpoint has no tag; kept with status 'unknown'",
            raw=raw,
            location=where,
        )
    extra = dict(attributes)
    if _text(raw.get("slug")):
        extra["aftership_slug"] = _text(raw.get("slug"))
    data = {
        "tracking_number": number,
        "carrier": SYSTEM,
        "occurred_at": reading.moment,
        "offset_source": reading.offset_source,
        "status": mapped.status if mapped else Status.UNKNOWN,
        "reason": mapped.reason if mapped else None,
        "stage": mapped.effective_stage if mapped else None,
        "location": location,
        "description": _text(raw.get("message")) or "",
        "source": {
            "system": SYSTEM,
            "status": tag,
            "substatus": subtag,
            "code": _text(raw.get("raw_tag")),
            "text": _text(raw.get("subtag_message")),
        },
        "attributes": extra,
    }
    event = out.event(data, raw=raw, location=where)
    if event is not None and mapped is None and (tag or subtag):
        out.unknown_code(number, event.source, raw=raw, location=where)


def _tracking(out: TrackResultBuilder, tracking: Any, where: str) -> str | None:
    if not isinstance(tracking, Mapping):
        out.problem(
            None, ProblemCode.BAD_PAYLOAD, "tracking is not an object", raw=tracking, location=where
        )
        return None
    number = _text(tracking.get("tracking_number"))
    if number is None:
        out.problem(
            None,
            ProblemCode.BAD_PAYLOAD,
            "tracking without tracking_number",
            raw=tracking,
            location=where,
        )
        return None
    attributes: dict[str, Any] = {}
    if _text(tracking.get("id")):
        attributes["aftership_id"] = _text(tracking.get("id"))
    checkpoints = tracking.get("checkpoints") or []
    if not isinstance(checkpoints, list):
        out.problem(
            number,
            ProblemCode.BAD_PAYLOAD,
            "'checkpoints' is not a list",
            raw=checkpoints,
            location=f"{where}.checkpoints",
        )
        return number
    if not checkpoints:
        tag = _text(tracking.get("tag"))
        out.problem(
            number,
            ProblemCode.NOT_FOUND,
            "AfterShip has no checkpoints yet" + (f" (tag {tag})" if tag else ""),
            raw={"tag": tracking.get("tag"), "subtag": tracking.get("subtag")},
            location=where,
        )
    for index, raw in enumerate(checkpoints):
        c_where = f"{where}.checkpoints[{index}]"
        with piece(out, number, raw=raw, location=c_where, what="checkpoint"):
            _checkpoint(out, number, raw, c_where, attributes)
    return number


def _envelope(payload: Any) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise ValueError(f"AfterShip response is {type(payload).__name__}, not a JSON object")
    meta = payload.get("meta")
    code = meta.get("code") if isinstance(meta, Mapping) else None
    if code not in (200, 201, None):
        message = _text(meta.get("message")) if isinstance(meta, Mapping) else None
        text = f"AfterShip answered meta.code {code}: {message or 'no message'}"
        if code in (401, 403):
            raise AuthError(text + "; check LOGIX_AFTERSHIP_API_KEY", carrier=SYSTEM)
        raise CarrierError(text, carrier=SYSTEM)
    data = payload.get("data")
    if not isinstance(data, Mapping):
        raise ValueError("AfterShip response has no 'data' object")
    return data


def parse_trackings(payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
    """Normalize a ``GET /trackings`` answer; requested numbers it lacks are not_found."""
    data = _envelope(payload)
    trackings = data.get("trackings")
    if trackings is None and "tracking" in data:
        trackings = [data["tracking"]]  # the single-tracking endpoints
    if not isinstance(trackings, list):
        raise ValueError("AfterShip response has no 'trackings' list")
    out = TrackResultBuilder(SYSTEM, numbers)
    found = set()
    for index, tracking in enumerate(trackings):
        where = f"data.trackings[{index}]"
        number = plain_text(tracking, "tracking_number")
        with piece(
            out, number, raw=tracking, location=where, what="tracking", code=ProblemCode.BAD_PAYLOAD
        ):
            number = _tracking(out, tracking, where)
        if number:
            found.add(number)
    for number in numbers:
        if number not in found:
            out.problem(
                number,
                ProblemCode.NOT_FOUND,
                "not tracked in this AfterShip account; create it with POST /trackings first",
            )
    return out.result()


def parse_webhook_body(payload: Any) -> TrackResult:
    """Normalize a verified webhook body (``msg`` is a tracking object)."""
    if not isinstance(payload, Mapping):
        raise ValueError(f"webhook body is {type(payload).__name__}, not a JSON object")
    msg = payload.get("msg")
    if not isinstance(msg, Mapping):
        raise ValueError("webhook body has no 'msg' tracking object")
    out = TrackResultBuilder(SYSTEM)
    number = _tracking(out, msg, "msg")
    if number is None:
        raise ValueError("webhook 'msg' has no tracking_number")
    out.numbers = [number]
    return out.result()


def build_trackings_request(
    numbers: Sequence[str],
    *,
    api_key: str,
    base_url: str = "https://api.aftership.com/tracking",
    api_version: str = "2025-01",
) -> httpx.Request:
    """``GET /{version}/trackings?tracking_numbers=...`` with the ``as-api-key`` header."""
    if len(numbers) > MAX_BATCH:
        raise ValueError(f"AfterShip takes at most {MAX_BATCH} numbers per call")
    return httpx.Request(
        "GET",
        f"{base_url.rstrip('/')}/{api_version}/trackings",
        params={"tracking_numbers": ",".join(numbers), "limit": "200"},
        headers={"as-api-key": api_key, "Accept": "application/json"},
    )


class AfterShipSettings(AdapterSettings):
    """``LOGIX_AFTERSHIP_API_KEY`` (required), ``LOGIX_AFTERSHIP_WEBHOOK_SECRET``, options."""

    api_key: SecretStr
    base_url: str = "https://api.aftership.com/tracking"
    api_version: str = "2025-01"
    webhook_secret: SecretStr | None = None


class AfterShipAdapter(BaseAdapter[AfterShipSettings]):
    """AfterShip Tracking: 50 numbers per call, 6 requests/s on ``GET /trackings``."""

    code: ClassVar[str] = SYSTEM
    name: ClassVar[str] = "AfterShip Tracking API"
    settings_model: ClassVar[type[AdapterSettings]] = AfterShipSettings
    capabilities: ClassVar[Capabilities] = Capabilities(
        batch_size=MAX_BATCH,
        rate_limit=RateLimit(6),
        auth="api_key",
        webhooks=True,
        signs_webhooks=True,
    )
    # AfterShip retries failed deliveries for hours with the same body (and ``ts``);
    # an hour accepts the first retries and still shuts out old replays.
    webhook_tolerance: ClassVar[float] = 3600.0

    def build_requests(self, numbers: Sequence[str]) -> Sequence[httpx.Request]:
        settings = self.settings
        return [
            build_trackings_request(
                numbers,
                api_key=settings.api_key.get_secret_value(),
                base_url=settings.base_url,
                api_version=settings.api_version,
            )
        ]

    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        return parse_trackings(payload, numbers)

    def verify_webhook(self, headers: httpx.Headers, body: bytes, secret: SecretStr | None) -> None:
        if secret is None:
            raise ConfigError(
                f"no webhook secret: set {self.env_var('webhook_secret')}",
                variable=self.env_var("webhook_secret"),
                carrier=self.code,
            )
        signature = require_header(headers, SIGNATURE_HEADER, carrier=self.code)
        verify_hmac(body, secret, signature, carrier=self.code, encoding="base64")
        payload = decode_webhook_json(body, carrier=self.code)
        ts = payload.get("ts") if isinstance(payload, Mapping) else None
        if isinstance(ts, bool) or not isinstance(ts, int | float):
            raise WebhookError(
                f"webhook body has no numeric 'ts' (got {ts!r}); cannot tell a replay",
                carrier=self.code,
            )
        try:
            sent_at = datetime.fromtimestamp(ts, UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise WebhookError(
                f"webhook 'ts' {ts!r} is not a Unix time", carrier=self.code
            ) from exc
        require_fresh(
            sent_at, self.clock.now(), tolerance=self.webhook_tolerance, carrier=self.code
        )

    def parse_webhook_payload(self, payload: Any, headers: httpx.Headers) -> TrackResult:
        return parse_webhook_body(payload)
