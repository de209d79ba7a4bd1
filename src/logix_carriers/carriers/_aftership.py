"""AfterShip Tracking API (``as-api-key`` header) and its signed webhooks.

``GET /tracking/{version}/trackings?tracking_numbers=a,b,...`` returns up to 50
trackings of the account; numbers AfterShip does not track yet are reported as
``not_found`` (create them with AfterShip's ``POST /trackings`` first).  Each
checkpoint's ``tag`` + ``subtag`` map through the ``aftership`` table of
:mod:`logix_carriers._status_maps`.

Times: ``checkpoint_time`` carries the carrier's offset when the carrier gave one
and is local wall time otherwise; wall times are placed by the checkpoint's
country (ISO alpha-3 in ``country_region``, ``country_iso3`` in older API
versions), state and city.  A checkpoint without a country is read in the
tracking's country for its leg (``origin_country_region`` /
``destination_country_region``), else in the home zone of the carrier that
scanned it (its ``slug``), ``assumed`` and with a ``partial_data`` problem.

Estimated delivery: ``latest_estimated_delivery``, else the courier's
(``courier_estimated_delivery_date``), else AfterShip's own prediction, else the
legacy ``expected_delivery``; kept on every event as ``estimated_delivery``.

Webhooks: AfterShip signs the raw body with HMAC-SHA256 under the webhook secret
and sends it base64-encoded in ``aftership-hmac-sha256``.  The body's ``ts``
(Unix seconds) dates the event and stays the same on every retry; AfterShip
retries a failed delivery 13 times over 245,730 s (about 68 h).  A delivery older
than the ``webhook_max_age`` setting (default 72 h, and never less than the retry
horizon plus an hour) is rejected as a replay, so a retry of a delivery that
failed on our side is always accepted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Final

import httpx
from pydantic import AfterValidator, Field, SecretStr

from .._adapter import BaseAdapter, Capabilities
from .._carrier_homes import slug_home_zone
from .._carrier_time import ZoneFallback
from .._country_codes import to_alpha2
from .._errors import AuthError, CarrierError, ConfigError, WebhookError
from .._estimates import read_estimate
from .._http_pacing import RateLimit
from .._mapped_event import EventFacts, keep_event, read_event_time, timed_or_dropped
from .._parse_guard import is_object, list_field, piece, plain_text, text_of
from .._settings import AdapterSettings
from .._status_lookup import map_code
from .._status_maps import Mapped
from .._taxonomy import Status
from .._track_result import ProblemCode, TrackResult, TrackResultBuilder
from .._tracked_number import find_facts
from .._webhooks import decode_webhook_json, require_fresh, require_header, verify_hmac

__all__ = [
    "RETRY_HORIZON",
    "SIGNATURE_HEADER",
    "WEBHOOK_MAX_AGE",
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
#: Seconds from a webhook's first attempt to its last retry: AfterShip makes 14
#: attempts, the n-th retry 2**n x 30 s after the one before ("Webhook Overview").
RETRY_HORIZON: Final = sum(30 * 2**n for n in range(13))  # 245,730 s, about 68 h
#: The default webhook age limit: the retry horizon with room to spare (72 h).
WEBHOOK_MAX_AGE: Final = 72 * 3600.0
# A retry may sit in AfterShip's queue or ours a while after its scheduled time.
_QUEUE_SLACK: Final = 3600.0


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
        text_of(checkpoint.get("country_region")) or text_of(checkpoint.get("country_iso3"))
    )
    fields = {
        "country": country,
        "region": text_of(checkpoint.get("state")),
        "city": text_of(checkpoint.get("city")),
        "postal_code": text_of(checkpoint.get("postal_code")) or text_of(checkpoint.get("zip")),
        # ``location`` repeats city/state/zip when they are given; keep it only alone.
        "facility": None if checkpoint.get("city") else text_of(checkpoint.get("location")),
    }
    return {k: v for k, v in fields.items() if v} or None


def _checkpoint(
    out: TrackResultBuilder, number: str, raw: Any, where: str, shared: _TrackingFacts
) -> None:
    if not is_object(raw, out, number, where, "checkpoint"):
        return
    location = _location(raw)
    tag, subtag = text_of(raw.get("tag")), text_of(raw.get("subtag"))
    mapped, note = map_checkpoint(tag, subtag)
    slug = text_of(raw.get("slug")) or shared.slug
    home = slug_home_zone(slug)
    fallback = shared.fallback.or_else(
        ZoneFallback(home_zone=home, home_label=f"the home zone of {slug}") if home else None
    )
    reading = timed_or_dropped(
        out,
        number,
        lambda: read_event_time(raw.get("checkpoint_time"), location, fallback, mapped),
        raw=raw,
        where=where,
        what="checkpoint",
    )
    if reading is None:
        return
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
    extra = dict(shared.attributes)
    if text_of(raw.get("slug")):
        extra["aftership_slug"] = text_of(raw.get("slug"))
    keep_event(
        out,
        SYSTEM,
        number,
        mapped,
        reading,
        coded=bool(tag or subtag),
        location=location,
        description=text_of(raw.get("message")),
        source={
            "status": tag,
            "substatus": subtag,
            "code": text_of(raw.get("raw_tag")),
            "text": text_of(raw.get("subtag_message")),
        },
        attributes=extra,
        estimate=shared.estimate,
        raw=raw,
        where=where,
    )


class _TrackingFacts(EventFacts):
    """What every checkpoint of one tracking shares, with the tracking's courier slug."""

    def __init__(
        self,
        attributes: dict[str, Any],
        fallback: ZoneFallback,
        estimate: datetime | None,
        slug: str | None,
    ) -> None:
        super().__init__(attributes, fallback, estimate)
        self.slug = slug


def _country_field(tracking: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        value = text_of(tracking.get(name))
        if value and to_alpha2(value):
            return to_alpha2(value)
    return None


# Where AfterShip puts an estimate, newest API versions first: (field, keys inside).
_ESTIMATES: Final = (
    ("latest_estimated_delivery", ("datetime", "datetime_max")),
    ("courier_estimated_delivery_date", ("estimated_delivery_date", "estimated_delivery_date_max")),
    ("aftership_estimated_delivery_date", ("estimated_delivery_date",)),
    ("custom_estimated_delivery_date", ("datetime", "datetime_max")),
)


def _estimate(
    out: TrackResultBuilder, number: str, tracking: Mapping[str, Any], fallback: ZoneFallback
) -> datetime | None:
    found: tuple[str, Any] | None = None
    for field, keys in _ESTIMATES:
        block = tracking.get(field)
        if isinstance(block, Mapping):
            value = next((block[k] for k in keys if block.get(k)), None)
            if value:
                found = (field, value)
                break
    if found is None and text_of(tracking.get("expected_delivery")):
        found = ("expected_delivery", tracking["expected_delivery"])
    if found is None:
        return None
    try:
        return read_estimate(found[1], fallback=fallback)
    except ValueError as exc:
        out.problem(
            number,
            ProblemCode.PARTIAL_DATA,
            f"AfterShip's estimated delivery is unreadable and was left out: {exc}",
            raw=found[1],
            location=found[0],
        )
        return None


def _tracking(
    out: TrackResultBuilder, tracking: Any, where: str, numbers: Sequence[str] = ()
) -> str | None:
    if not isinstance(tracking, Mapping):
        out.problem(
            None, ProblemCode.BAD_PAYLOAD, "tracking is not an object", raw=tracking, location=where
        )
        return None
    number = text_of(tracking.get("tracking_number"))
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
    if text_of(tracking.get("id")):
        attributes["aftership_id"] = text_of(tracking.get("id"))
    asked = find_facts(numbers, number)
    fallback = ZoneFallback(
        _country_field(tracking, "origin_country_region", "origin_country_iso3"),
        _country_field(tracking, "destination_country_region", "destination_country_iso3"),
    ).or_else(asked.zone_fallback() if asked is not None else None)
    shared = _TrackingFacts(
        attributes,
        fallback,
        _estimate(out, number, tracking, fallback),
        text_of(tracking.get("slug")),
    )
    checkpoints = list_field(out, number, tracking, "checkpoints", f"{where}.checkpoints")
    if checkpoints is None:
        return number
    if not checkpoints:
        tag = text_of(tracking.get("tag"))
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
            _checkpoint(out, number, raw, c_where, shared)
    return number


def _envelope(payload: Any) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise ValueError(f"AfterShip response is {type(payload).__name__}, not a JSON object")
    meta = payload.get("meta")
    code = meta.get("code") if isinstance(meta, Mapping) else None
    if code not in (200, 201, None):
        message = text_of(meta.get("message")) if isinstance(meta, Mapping) else None
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
            number = _tracking(out, tracking, where, numbers)
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


def _covers_retries(seconds: float) -> float:
    least = RETRY_HORIZON + _QUEUE_SLACK
    if seconds < least:
        raise ValueError(
            f"{seconds:g} s would reject AfterShip's later retries of a delivery that failed "
            f"on our side: AfterShip retries for {RETRY_HORIZON:,} s (about 68 h); give at "
            f"least {least:g} s"
        )
    return seconds


class AfterShipSettings(AdapterSettings):
    """``LOGIX_AFTERSHIP_API_KEY`` (required), ``LOGIX_AFTERSHIP_WEBHOOK_SECRET``, options.

    ``webhook_max_age`` (seconds, ``LOGIX_AFTERSHIP_WEBHOOK_MAX_AGE``) is how old a
    signed delivery may be before it is rejected as a replay; it must cover
    AfterShip's retry horizon, so a retry is never turned away.
    """

    api_key: SecretStr
    base_url: str = "https://api.aftership.com/tracking"
    api_version: str = "2025-01"
    webhook_secret: SecretStr | None = None
    webhook_max_age: Annotated[float, Field(le=30 * 86_400), AfterValidator(_covers_retries)] = (
        WEBHOOK_MAX_AGE
    )


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
    # AfterShip retries failed deliveries for about 68 h with the same body (and
    # ``ts``); the webhook_max_age setting decides, this is only its default.
    webhook_tolerance: ClassVar[float] = WEBHOOK_MAX_AGE

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
            sent_at, self.clock.now(), tolerance=self.webhook_max_age(), carrier=self.code
        )

    def webhook_max_age(self) -> float:
        """The ``webhook_max_age`` setting (read without needing the API key)."""
        value: float = self.settings_model.load_field(
            self.code, "webhook_max_age", self._overrides, self._environ
        )
        return value

    def parse_webhook_payload(self, payload: Any, headers: httpx.Headers) -> TrackResult:
        return parse_webhook_body(payload)
