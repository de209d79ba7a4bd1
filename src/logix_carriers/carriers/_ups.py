"""UPS: the Track API (OAuth client credentials) and Track Alert webhooks.

Requests and parsing are pure functions; :class:`UpsAdapter` wires them to the
shared HTTP layer.  UPS's status vocabulary (activity types and status codes) is
data in :mod:`logix_carriers.carriers._ups_codes`; with both codes of an activity
unknown the event is ``unknown`` and an ``unknown_code`` problem is recorded.

Times: UPS activities carry ``gmtDate``/``gmtTime`` (UTC) and ``gmtOffset`` (the
local offset), so the instant and its offset both come from UPS.  Activities
without them are local wall time and are placed by their location, else by the
package's origin or destination address for the activity's leg, else in UPS's
home zone (``America/New_York``), ``assumed`` and with a problem.

Estimated delivery: the package's rescheduled (``RDD``), else scheduled (``SDD``)
delivery date, with the committed or window end time when UPS gives one, else the
end of that day in the destination's zone; Track Alert's ``scheduledDeliveryDate``.

Track Alert webhooks: v2 deliveries carry ``Authorization: Bearer <token>``, a
token UPS fetched from *your* token URL with the webhook client id and secret you
gave UPS, and ``x-api-key: <client id>``; :meth:`UpsAdapter.webhook_token_response`
answers that token URL and the adapter checks the tokens it issued.  v1
deliveries carry the ``credential`` chosen at subscription and are accepted only
where one is configured (``webhook_secret``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from .._adapter import BaseAdapter, Capabilities
from .._carrier_time import ZoneFallback
from .._country_codes import to_alpha2
from .._errors import ConfigError, WebhookError
from .._estimates import read_estimate
from .._http import OAuthClientCredentials, decode_json
from .._http_pacing import RateLimit
from .._mapped_event import EventFacts
from .._parse_guard import is_object, piece, plain_text
from .._settings import AdapterSettings
from .._track_result import ProblemCode, TrackResult, TrackResultBuilder
from .._tracked_number import find_facts
from .._webhook_tokens import WebhookTokens
from .._webhooks import require_header, signatures_match
from ._ups_alert import parse_track_alert
from ._ups_codes import map_activity
from ._ups_read import (
    HOME_ZONE,
    SYSTEM,
    activity_time,
    event_of,
    location_of,
    number_of,
    parse_date,
    parse_time,
    text_of,
)

__all__ = [
    "UpsAdapter",
    "UpsSettings",
    "activity_time",
    "build_track_request",
    "parse_track_alert",
    "parse_track_response",
]

_BAD_PAYLOAD = ProblemCode.BAD_PAYLOAD


def _activity(
    out: TrackResultBuilder,
    number: str,
    activity: Any,
    where: str,
    shared: EventFacts,
) -> None:
    if not is_object(activity, out, number, where, "activity"):
        return
    raw_location = activity.get("location")
    address = raw_location.get("address") if isinstance(raw_location, Mapping) else None
    location = location_of(address)
    status = activity.get("status")
    status = status if isinstance(status, Mapping) else None
    mapped, _ = map_activity(
        text_of((status or {}).get("type")),
        text_of((status or {}).get("statusCode") or (status or {}).get("descriptionCode")),
    )
    try:
        reading, mismatch = activity_time(activity, location, shared.fallback, mapped)
    except ValueError as exc:
        out.problem(
            number, ProblemCode.BAD_EVENT, f"event dropped: {exc}", raw=activity, location=where
        )
        return
    if mismatch:
        out.problem(number, ProblemCode.PARTIAL_DATA, mismatch, raw=activity, location=where)
    extra = dict(shared.attributes)
    if isinstance(raw_location, Mapping) and text_of(raw_location.get("slic")):
        extra["ups_slic"] = text_of(raw_location.get("slic"))
    event_of(
        out,
        number,
        status,
        reading,
        location,
        raw=activity,
        where=where,
        attributes=extra,
        estimate=shared.estimate,
    )


def _package_fallback(package: Mapping[str, Any], home_zone: str | None) -> ZoneFallback:
    countries: dict[str, str | None] = {}
    for entry in _listed(package.get("packageAddress")):
        if isinstance(entry, Mapping) and isinstance(entry.get("address"), Mapping):
            kind = str(entry.get("type") or "").strip().upper()
            address = entry["address"]
            countries.setdefault(
                kind, to_alpha2(address.get("countryCode") or address.get("country"))
            )
    return ZoneFallback(
        countries.get("ORIGIN"), countries.get("DESTINATION"), home_zone, "UPS's home zone"
    )


def _package_estimate(
    out: TrackResultBuilder, number: str, package: Mapping[str, Any], fallback: ZoneFallback
) -> datetime | None:
    """The rescheduled (RDD), else scheduled (SDD) delivery date, with its end time."""
    dates = {
        str(d.get("type") or "").upper(): d.get("date")
        for d in _listed(package.get("deliveryDate"))
        if isinstance(d, Mapping)
    }
    day = dates.get("RDD") or dates.get("SDD")
    if not day:
        return None
    window = package.get("deliveryTime")
    end = None
    if isinstance(window, Mapping) and str(window.get("type") or "").upper() in {
        "CMT",
        "EDW",
        "CDW",
        "IDW",
    }:
        end = window.get("endTime")
    try:
        moment = datetime(
            *parse_date(day, "deliveryDate"), *(parse_time(end, "endTime") if end else (23, 59, 59))
        )
        return read_estimate(moment, fallback=fallback)
    except ValueError as exc:
        out.problem(
            number,
            ProblemCode.PARTIAL_DATA,
            f"UPS's delivery date is unreadable and was left out: {exc}",
            raw={"deliveryDate": package.get("deliveryDate"), "deliveryTime": window},
            location="deliveryDate",
        )
        return None


def _errors(out: TrackResultBuilder, numbers: Sequence[str], errors: Any, where: str) -> None:
    for index, error in enumerate(errors if isinstance(errors, list) else [errors]):
        code = str(error.get("code", "")) if isinstance(error, Mapping) else ""
        message = str(error.get("message", "")) if isinstance(error, Mapping) else str(error)
        if code.startswith("TV"):
            kind = ProblemCode.INVALID_NUMBER
        elif code.startswith("TW"):
            kind = ProblemCode.NOT_FOUND
        else:
            kind = ProblemCode.CARRIER_ERROR
        targets: Sequence[str | None] = list(numbers) or [None]
        for number in targets:
            out.problem(
                number,
                kind,
                f"UPS error {code}: {message}".strip(),
                raw=error,
                location=f"{where}[{index}]",
            )


def parse_track_response(
    payload: Any, numbers: Sequence[str] = (), *, home_zone: str | None = HOME_ZONE
) -> TrackResult:
    """Normalize a decoded Track API response (``trackResponse`` or an error body)."""
    out = TrackResultBuilder(SYSTEM, numbers)
    if not isinstance(payload, Mapping):
        raise ValueError(f"UPS response is {type(payload).__name__}, not a JSON object")
    response = payload.get("response")
    if isinstance(response, Mapping) and "errors" in response:
        _errors(out, numbers, response["errors"], "response.errors")
        return out.result()
    track = payload.get("trackResponse")
    if not isinstance(track, Mapping):
        raise ValueError("UPS response has neither trackResponse nor response.errors")
    shipments = _listed(track.get("shipment"))
    requested = numbers[0] if len(numbers) == 1 else None
    for s_index, shipment in enumerate(shipments):
        s_where = f"trackResponse.shipment[{s_index}]"
        number = plain_text(shipment, "inquiryNumber") or requested
        with piece(out, number, raw=shipment, location=s_where, what="shipment", code=_BAD_PAYLOAD):
            _shipment(out, shipment, s_where, requested, numbers, home_zone)
    return out.result()


def _shipment(
    out: TrackResultBuilder,
    shipment: Any,
    s_where: str,
    requested: str | None,
    numbers: Sequence[str],
    home_zone: str | None,
) -> None:
    if not isinstance(shipment, Mapping):
        out.problem(
            requested, _BAD_PAYLOAD, "shipment is not an object", raw=shipment, location=s_where
        )
        return
    inquiry = number_of(shipment.get("inquiryNumber")) or requested
    for w_index, warning in enumerate(_listed(shipment.get("warnings"))):
        code = str(warning.get("code", "")) if isinstance(warning, Mapping) else ""
        message = str(warning.get("message", "")) if isinstance(warning, Mapping) else ""
        kind = ProblemCode.NOT_FOUND if code == "TW0001" else ProblemCode.PARTIAL_DATA
        out.problem(
            inquiry,
            kind,
            f"UPS warning {code}: {message}".strip(),
            raw=warning,
            location=f"{s_where}.warnings[{w_index}]",
        )
    for p_index, package in enumerate(_listed(shipment.get("package"))):
        p_where = f"{s_where}.package[{p_index}]"
        number = inquiry or plain_text(package, "trackingNumber")
        with piece(out, number, raw=package, location=p_where, what="package", code=_BAD_PAYLOAD):
            _package(out, package, p_where, inquiry, numbers, home_zone)


def _listed(value: Any) -> list[Any]:
    """A list field as a list: an empty value is none, a lone value is a list of one."""
    if value is None or (isinstance(value, str | list | dict) and not value):
        return []
    return value if isinstance(value, list) else [value]


def _package(
    out: TrackResultBuilder,
    package: Any,
    p_where: str,
    inquiry: str | None,
    numbers: Sequence[str],
    home_zone: str | None,
) -> None:
    if not isinstance(package, Mapping):
        out.problem(
            inquiry, _BAD_PAYLOAD, "package is not an object", raw=package, location=p_where
        )
        return
    own = number_of(package.get("trackingNumber"))
    number = inquiry or own
    if number is None:
        out.problem(
            None, _BAD_PAYLOAD, "package without a tracking number", raw=package, location=p_where
        )
        return
    attributes: dict[str, Any] = {}
    if own and own != number:
        attributes["ups_package"] = own
    service = package.get("service")
    if isinstance(service, Mapping) and text_of(service.get("description")):
        attributes["ups_service"] = text_of(service.get("description"))
    asked = find_facts(numbers, number)
    fallback = _package_fallback(package, home_zone).or_else(
        asked.zone_fallback() if asked is not None else None
    )
    shared = EventFacts(attributes, fallback, _package_estimate(out, number, package, fallback))
    activities = _listed(package.get("activity"))
    if not activities:
        out.problem(
            number,
            ProblemCode.NOT_FOUND,
            "UPS knows the package but reports no activity yet",
            raw=package.get("currentStatus"),
            location=p_where,
        )
    for a_index, activity in enumerate(activities):
        a_where = f"{p_where}.activity[{a_index}]"
        with piece(out, number, raw=activity, location=a_where):
            _activity(out, number, activity, a_where, shared)


# -- requests --------------------------------------------------------------------------


def build_track_request(
    number: str,
    *,
    base_url: str,
    locale: str = "en_US",
    transaction_src: str = "logix",
    trans_id: str,
) -> httpx.Request:
    """``GET /api/track/v1/details/{inquiryNumber}`` (the bearer token is added later)."""
    return httpx.Request(
        "GET",
        f"{base_url.rstrip('/')}/api/track/v1/details/{quote(number, safe='')}",
        params={
            "locale": locale,
            "returnSignature": "false",
            "returnMilestones": "false",
            "returnPOD": "false",
        },
        headers={
            "Accept": "application/json",
            "transId": trans_id,
            "transactionSrc": transaction_src,
        },
    )


# -- adapter ---------------------------------------------------------------------------


class UpsSettings(AdapterSettings):
    """``LOGIX_UPS_CLIENT_ID``, ``LOGIX_UPS_CLIENT_SECRET`` (required), and options.

    ``base_url`` is production; use ``https://wwwcie.ups.com`` for UPS's test
    environment.  ``merchant_id`` is sent as ``x-merchant-id`` when fetching tokens.
    Track Alert v2: ``webhook_client_id`` and ``webhook_client_secret`` are the
    credentials you gave UPS ("Manage Webhook Credentials") for your token URL.
    Track Alert v1: ``webhook_secret`` is the ``credential`` chosen at subscription;
    v1 deliveries are accepted only when it is set.
    """

    client_id: str
    client_secret: SecretStr
    base_url: str = "https://onlinetools.ups.com"
    merchant_id: str | None = None
    locale: str = "en_US"
    transaction_src: str = "logix"
    webhook_secret: SecretStr | None = None
    webhook_client_id: str | None = None
    webhook_client_secret: SecretStr | None = None


class UpsAdapter(BaseAdapter[UpsSettings]):
    """UPS Track API: one inquiry number per request, OAuth bearer token."""

    code: ClassVar[str] = SYSTEM
    name: ClassVar[str] = "UPS Track API"
    settings_model: ClassVar[type[AdapterSettings]] = UpsSettings
    # UPS publishes no per-second figure; 5/s stays well clear of the 429s UPS
    # sends under load, and Retry-After is honoured when they come anyway.
    capabilities: ClassVar[Capabilities] = Capabilities(
        batch_size=1,
        rate_limit=RateLimit(5),
        auth="oauth2",
        webhooks=True,
        signs_webhooks=False,
    )
    accept_statuses: ClassVar[frozenset[int]] = frozenset({400, 404})
    number_pattern: ClassVar[re.Pattern[str] | None] = re.compile(r"[0-9A-Za-z]{7,34}")
    home_zone: ClassVar[str | None] = HOME_ZONE

    def oauth(self) -> OAuthClientCredentials:
        settings = self.settings
        headers = {"x-merchant-id": settings.merchant_id} if settings.merchant_id else None
        return OAuthClientCredentials(
            f"{settings.base_url.rstrip('/')}/security/v1/oauth/token",
            settings.client_id,
            settings.client_secret,
            extra_headers=headers,
        )

    def build_requests(self, numbers: Sequence[str]) -> Sequence[httpx.Request]:
        settings = self.settings
        return [
            build_track_request(
                number,
                base_url=settings.base_url,
                locale=settings.locale,
                transaction_src=settings.transaction_src,
                # UPS wants an id unique to each request (at most 32 characters).
                trans_id=uuid.uuid4().hex,
            )
            for number in numbers
        ]

    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        return parse_track_response(payload, numbers, home_zone=self.home_zone)

    def parse_response(self, numbers: Sequence[str], response: httpx.Response) -> TrackResult:
        payload = decode_json(response, self.code, self.secret_values())
        return self.parse_payload(payload, numbers)

    def webhook_tokens(self) -> WebhookTokens | None:
        """The Track Alert v2 token issuer and checker, when its credentials are set."""
        client_id = self._setting("webhook_client_id")
        client_secret = self._setting("webhook_client_secret")
        if not client_id or client_secret is None:
            return None
        return WebhookTokens(client_id, client_secret, carrier=self.code)

    def _setting(self, name: str) -> Any:
        return self.settings_model.load_field(self.code, name, self._overrides, self._environ)

    def webhook_token_response(
        self, headers: Mapping[str, str], body: bytes | str
    ) -> dict[str, Any]:
        """Answer UPS's request to your token URL (Track Alert v2): the JSON to send
        back with 200, or :class:`WebhookError` (send 401) for a wrong client."""
        tokens = self.webhook_tokens()
        if tokens is None:
            raise self._no_v2_credentials()
        return tokens.token_response(headers, body, now=self.clock.now())

    def _no_v2_credentials(self) -> ConfigError:
        id_var, secret_var = (
            self.env_var("webhook_client_id"),
            self.env_var("webhook_client_secret"),
        )
        return ConfigError(
            "UPS Track Alert v2 authenticates with the webhook client id and secret given "
            f"to UPS for your token URL: set {id_var} and {secret_var}",
            variable=id_var,
            carrier=self.code,
        )

    def verify_webhook(self, headers: httpx.Headers, body: bytes, secret: SecretStr | None) -> None:
        # v2: a bearer token from our token URL plus x-api-key; v1: the credential
        # chosen at subscription, only where one is configured.  Unsigned either way,
        # so without either configured every delivery would be trusted.
        tokens = self.webhook_tokens()
        if headers.get("authorization", "")[:7].lower() == "bearer ":
            if tokens is None:
                raise self._no_v2_credentials()
            tokens.verify(headers, now=self.clock.now())
            return
        if "credential" in headers:
            if secret is None:
                raise WebhookError(
                    "Track Alert v1 delivery (credential header), but no v1 credential is "
                    f"configured ({self.env_var('webhook_secret')}); v1 is refused",
                    carrier=self.code,
                )
            given = require_header(headers, "credential", carrier=self.code)
            if not signatures_match(secret.get_secret_value(), given):
                raise WebhookError(
                    "Track Alert credential header does not match the configured credential",
                    carrier=self.code,
                )
            return
        if tokens is None and secret is None:
            raise ConfigError(
                "UPS Track Alert deliveries cannot be authenticated: set "
                f"{self.env_var('webhook_client_id')} and {self.env_var('webhook_client_secret')}"
                f" (v2), or {self.env_var('webhook_secret')} (v1 credential)",
                variable=self.env_var("webhook_client_id"),
                carrier=self.code,
            )
        raise WebhookError(
            "delivery has neither Authorization: Bearer (Track Alert v2) nor a credential "
            "header (v1)",
            carrier=self.code,
        )

    def parse_webhook_payload(self, payload: Any, headers: httpx.Headers) -> TrackResult:
        return parse_track_alert(payload, home_zone=self.home_zone)
