"""The carrier adapter protocol and its helper base class.

What adapters return, :class:`TrackResult`, lives in :mod:`logix_carriers._track_result`.

How to write an adapter
=======================

An adapter turns one carrier's API into normalized :class:`TrackingEvent` objects.
Subclass :class:`BaseAdapter` and supply data and pure functions; the base class
does the I/O (through :class:`~logix_carriers._http.HttpSession`: timeouts, rate
limit, retries, OAuth), the chunking and the bookkeeping::

    class AcmeSettings(AdapterSettings):           # LOGIX_ACME_API_KEY, LOGIX_ACME_BASE_URL
        api_key: SecretStr
        base_url: str = "https://api.acme.example"
        webhook_secret: SecretStr | None = None    # LOGIX_ACME_WEBHOOK_SECRET

    class AcmeAdapter(BaseAdapter[AcmeSettings]):
        code = "acme"
        name = "ACME Parcel"
        settings_model = AcmeSettings
        capabilities = Capabilities(batch_size=40, rate_limit=RateLimit(3), auth="api_key",
                                    webhooks=True, signs_webhooks=True)

        def build_requests(self, numbers):          # pure: numbers -> httpx.Request(s)
            return [httpx.Request("POST", f"{self.settings.base_url}/track", json=[...],
                                  headers={"Api-Key": self.settings.api_key.get_secret_value()})]

        def parse_payload(self, payload, numbers=()):   # pure: decoded JSON -> TrackResult
            out = TrackResultBuilder(self.code)
            for raw in payload["events"]:
                out.event({...}, raw=raw, location="events[3]")  # a bad event becomes a problem
            return out.result()

        def verify_webhook(self, headers, body, secret):  # raise WebhookError when wrong
            verify_hmac(body, secret, require_header(headers, "X-Sig", carrier=self.code),
                        carrier=self.code)

        def parse_webhook_payload(self, payload, headers):
            return self.parse_payload(payload)

Rules an adapter follows (the contract kit in :mod:`logix_carriers.testing` checks
them):

* ``build_requests`` and ``parse_payload`` do no I/O and read nothing but their
  arguments and ``self.settings``; parsing does not even need credentials, so a
  settings-less adapter (``get_adapter("acme")``) can parse recorded payloads.
* Map carrier codes through a data table onto ``Stage``/``Status``/``Reason``.  An
  unknown code becomes ``Status.UNKNOWN`` with the raw code kept in
  ``EventSource`` and a ``unknown_code`` problem (:meth:`TrackResultBuilder.unknown_code`);
  never "in transit".
* Timestamps are made aware: from the carrier's offset when it sends one
  (``offset_source="carrier"``), else from the event location
  (``"location"``), else say what was assumed (``"assumed"``).  The public
  helpers ``read_carrier_time`` and ``place_naive`` do this, and with a
  ``ZoneFallback`` (the shipment's country for the scan's leg, then
  :attr:`BaseAdapter.home_zone`) a scan is never dropped for want of a zone.
* Every raw event becomes an event or a problem, never nothing.
* Numbers may arrive as :class:`~logix_carriers.TrackedNumber`, a ``str`` carrying
  what the shipment knows (carrier code, service, countries, postal code); read
  it with ``facts_of(number)`` where the carrier's API can use it.
* One bad event in a response is a ``bad_event`` problem; the rest are kept.
  Raise :class:`ResponseFormatError` only when the whole payload is unusable.
  Whatever else a parser raises on an odd answer (``KeyError``, ``RecursionError``...)
  becomes a ``bad_payload`` problem for the numbers of that request; ``track()``
  only ever raises ``ConfigError`` and ``AuthError``.
* Secrets never leave: problems, events and errors are passed through a
  :class:`~logix_carriers._secrets.Scrubber` built from the secret settings.
* Non-2xx statuses the carrier answers with a useful body (e.g. 404 "no such
  shipment") go in ``accept_statuses`` and are handed to ``parse_response``.
* OAuth carriers return an :class:`OAuthClientCredentials` from ``oauth()``; the
  session adds and refreshes the bearer token.
* Signed webhooks: set ``signs_webhooks``, implement ``verify_webhook`` with the
  helpers of ``logix_carriers._webhooks`` (constant-time comparison, freshness).
"""

from __future__ import annotations

import logging
import os
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar, cast

import httpx
from pydantic import SecretBytes, SecretStr

from ._adapter_protocol import Capabilities, CarrierAdapter, chunked
from ._deadline import Deadline
from ._errors import (
    AuthError,
    CarrierError,
    ConfigError,
    NotFound,
    ResponseFormatError,
    WebhookError,
)
from ._http import HttpSession, OAuthClientCredentials, decode_json
from ._http_pacing import (
    AsyncSleep,
    Clock,
    RetryPolicy,
    Sleep,
    SystemClock,
    TokenBucket,
)
from ._model import TrackingEvent
from ._parse_guard import describe_exception
from ._secrets import Scrubber
from ._settings import AdapterSettings
from ._track_result import ProblemCode, TrackProblem, TrackResult
from ._tracked_number import TrackedNumber
from ._webhooks import decode_webhook_body

__all__ = [
    "BaseAdapter",
    "Capabilities",
    "CarrierAdapter",
    "chunked",
]

log = logging.getLogger("logix_carriers")

SettingsT = TypeVar("SettingsT", bound=AdapterSettings)

_WHITESPACE = re.compile(r"\s+")
_MAX_NUMBER = 80  # TrackingEvent.tracking_number's limit


class BaseAdapter(Generic[SettingsT]):
    """Helper base class implementing :class:`CarrierAdapter` on top of pure hooks.

    Constructor keywords other than the ones below are settings (validated against
    ``settings_model``; missing ones are read from ``LOGIX_<CODE>_<FIELD>`` when
    first needed, so parsing works without credentials).

    ``client``/``async_client`` inject ``httpx`` clients; ``transport``/
    ``async_transport`` build clients around a transport (``httpx.MockTransport``
    in tests); ``clock``, ``sleep``, ``async_sleep`` and ``rng`` make retries and
    rate limiting deterministic; ``limiter`` shares one token bucket between
    adapter instances using the same account; ``environ`` replaces ``os.environ``.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    settings_model: ClassVar[type[AdapterSettings]] = AdapterSettings
    capabilities: ClassVar[Capabilities] = Capabilities()
    #: Non-2xx statuses handed to ``parse_response`` instead of raising.
    accept_statuses: ClassVar[frozenset[int]] = frozenset()
    #: When set, numbers not matching it (after normalization) are ``invalid_number``.
    number_pattern: ClassVar[re.Pattern[str] | None] = None
    #: Seconds a signed webhook may be old before it is rejected as a replay.
    webhook_tolerance: ClassVar[float] = 300.0
    #: The IANA zone of the carrier's home network: where a scan that names no
    #: readable place, and whose leg the shipment's countries cannot place, is
    #: assumed to be (``offset_source="assumed"``, with a problem).  None: no guess.
    home_zone: ClassVar[str | None] = None

    def __init__(
        self,
        *,
        client: httpx.Client | None = None,
        async_client: httpx.AsyncClient | None = None,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        async_sleep: AsyncSleep | None = None,
        rng: random.Random | None = None,
        limiter: TokenBucket | None = None,
        environ: Mapping[str, str] | None = None,
        **settings: Any,
    ) -> None:
        self.settings_model.check_names(self.code, settings)
        self._overrides = settings
        self._environ = environ
        self._settings: SettingsT | None = None
        self._session: HttpSession | None = None
        self._http_options: dict[str, Any] = {
            "client": client,
            "async_client": async_client,
            "transport": transport,
            "async_transport": async_transport,
            "sleep": sleep,
            "async_sleep": async_sleep,
            "rng": rng,
            "limiter": limiter,
        }
        self.clock: Clock = clock or SystemClock()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        code = cls.__dict__.get("code")
        if code is not None and (not isinstance(code, str) or code != code.strip().lower()):
            raise TypeError(f"{cls.__qualname__}.code must be a lower-case string, got {code!r}")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} code={self.code!r}>"

    def __enter__(self) -> BaseAdapter[SettingsT]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def __aenter__(self) -> BaseAdapter[SettingsT]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- settings and HTTP -------------------------------------------------------

    @property
    def settings(self) -> SettingsT:
        """The validated settings; :class:`ConfigError` names what is missing."""
        if self._settings is None:
            loaded = self.settings_model.load(self.code, self._overrides, self._environ)
            self._settings = cast(SettingsT, loaded)
        return self._settings

    def env_var(self, field_name: str) -> str:
        return self.settings_model.env_var(self.code, field_name)

    def secret_values(self) -> tuple[str, ...]:
        """The plain values of every secret setting (for redaction only)."""
        values = []
        for name in self.settings_model.secret_fields():
            value = getattr(self.settings, name, None)
            if isinstance(value, SecretStr):
                values.append(value.get_secret_value())
            elif isinstance(value, SecretBytes):
                values.append(value.get_secret_value().decode(errors="replace"))
        return tuple(values)

    def oauth(self) -> OAuthClientCredentials | None:
        """The OAuth client-credentials token source, for carriers that use one."""
        return None

    def scrubber(self, *extra: str) -> Scrubber:
        """Masks every secret this adapter knows (secret settings, OAuth client and
        tokens) and ``extra`` ones; works without complete settings too.
        """
        session = self._session
        if session is not None and not extra:
            return session.scrubber
        values = list(extra)
        pairs: tuple[tuple[str, str], ...] = ()
        if session is not None:
            values.extend(session.secrets)
            pairs = session.oauth.pairs if session.oauth is not None else ()
        else:
            values.extend(self._configured_secrets())
        return Scrubber(values, pairs=pairs)

    def _configured_secrets(self) -> list[str]:
        try:
            return list(self.secret_values())
        except ConfigError:
            pass
        # Incomplete settings: mask whatever secret was given all the same.
        env = self._environ if self._environ is not None else os.environ
        values = []
        for name in self.settings_model.secret_fields():
            given = self._overrides.get(name) or env.get(self.env_var(name), "")
            if isinstance(given, SecretStr | SecretBytes):
                given = given.get_secret_value()
            if isinstance(given, bytes):
                given = given.decode(errors="replace")
            if isinstance(given, str) and given.strip():
                values.append(given.strip())
        return values

    def auth_hint(self) -> str:
        """What to check when credentials are rejected (names the variables)."""
        secrets = sorted(self.settings_model.secret_fields() - {"webhook_secret"})
        if not secrets:
            return ""
        return "check " + ", ".join(self.env_var(name) for name in secrets)

    @property
    def http(self) -> HttpSession:
        """The session every request goes through (built on first use)."""
        if self._session is None:
            settings = self.settings
            self._session = HttpSession(
                self.code,
                timeout=settings.timeout,
                request_deadline=settings.request_deadline,
                max_body_bytes=settings.max_body_bytes,
                retry=RetryPolicy(max_retries=settings.max_retries),
                rate_limit=self.capabilities.rate_limit,
                oauth=self.oauth(),
                secrets=self.secret_values(),
                auth_hint=self.auth_hint(),
                clock=self.clock,
                **self._http_options,
            )
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.aclose()

    # -- hooks subclasses supply ---------------------------------------------------

    def build_requests(self, numbers: Sequence[str]) -> Sequence[httpx.Request]:
        """The requests that fetch ``numbers`` (at most ``batch_size``), sent in order."""
        raise NotImplementedError(f"{type(self).__name__} must implement build_requests()")

    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        """Normalize one decoded response body (pure)."""
        raise NotImplementedError(f"{type(self).__name__} must implement parse_payload()")

    def parse_response(self, numbers: Sequence[str], response: httpx.Response) -> TrackResult:
        """Decode ``response`` and hand it to :meth:`parse_payload`.

        Override when a carrier needs the status code or headers, or sends several
        kinds of response (``response.request.url`` tells them apart).
        """
        payload = decode_json(response, self.code, self.secret_values())
        return self.parse_payload(payload, numbers)

    def normalize_number(self, number: str) -> str:
        """The canonical form of a tracking number (whitespace removed)."""
        return _WHITESPACE.sub("", number)

    def invalid_number_reason(self, number: str) -> str | None:
        """Why ``number`` cannot be a tracking number of this carrier, or None."""
        if not number:
            return "empty tracking number"
        if len(number) > _MAX_NUMBER:
            return f"longer than {_MAX_NUMBER} characters"
        if self.number_pattern is not None and not self.number_pattern.fullmatch(number):
            return f"does not match the {self.name} number format"
        return None

    def verify_webhook(self, headers: httpx.Headers, body: bytes, secret: SecretStr | None) -> None:
        """Raise :class:`WebhookError` unless the delivery is authentic and fresh.

        The default accepts everything, which is only right for carriers that do not
        sign their webhooks (``signs_webhooks=False``).
        """
        if self.capabilities.signs_webhooks:
            raise NotImplementedError(
                f"{type(self).__name__} declares signs_webhooks but has no verify_webhook()"
            )

    def parse_webhook_payload(self, payload: Any, headers: httpx.Headers) -> TrackResult:
        """Normalize a verified, decoded webhook body (pure)."""
        raise WebhookError(f"{self.name} does not send webhooks", carrier=self.code)

    # -- tracking --------------------------------------------------------------------

    def _prepare(self, numbers: Iterable[str]) -> tuple[list[str], list[TrackProblem]]:
        if isinstance(numbers, str):
            numbers = [numbers]  # track("123") means one number, not three
        wanted: dict[str, str] = {}
        problems: list[TrackProblem] = []
        for raw in numbers:
            number = self.normalize_number(raw)
            reason = self.invalid_number_reason(number)
            if reason is not None:
                problems.append(
                    TrackProblem(
                        number or raw or None,
                        ProblemCode.INVALID_NUMBER,
                        f"{str(raw)!r} not sent to {self.name}: {reason}",
                        raw=str(raw),
                    )
                )
                continue
            if isinstance(raw, TrackedNumber):
                number = raw.respelled(number)  # keep what the shipment knows
            known = wanted.get(number)
            if known is None or (
                isinstance(number, TrackedNumber) and not isinstance(known, TrackedNumber)
            ):
                wanted[number] = number
        return list(wanted.values()), problems

    def _failed_chunk(self, chunk: Sequence[str], exc: CarrierError) -> TrackResult:
        if isinstance(exc, NotFound):
            code, raw = ProblemCode.NOT_FOUND, None
        elif isinstance(exc, ResponseFormatError):
            code, raw = ProblemCode.BAD_PAYLOAD, exc.raw
        else:
            code, raw = ProblemCode.CARRIER_ERROR, None
        message = f"{type(exc).__name__}: {exc.message}"
        return TrackResult.build(
            self.code, problems=[TrackProblem(n, code, message, raw) for n in chunk]
        )

    def _parse_safely(self, chunk: Sequence[str], response: httpx.Response) -> TrackResult:
        try:
            return self.parse_response(chunk, response)
        except CarrierError:
            raise  # the parser's own verdict (AuthError, ResponseFormatError...)
        except Exception as exc:
            # A payload shape the parser did not foresee (a missing key, a list
            # nested past the recursion limit...): a problem, not a traceback.
            why = describe_exception(exc)
            raise ResponseFormatError(
                f"{self.name} answered a payload its parser cannot read ({why})",
                raw=_raw_body(response),
                carrier=self.code,
                status_code=response.status_code,
            ) from exc

    def _finish(self, wanted: Sequence[str], results: Sequence[TrackResult]) -> TrackResult:
        merged = TrackResult.build(self.code).merge(*results)
        silent = [
            TrackProblem(n, ProblemCode.NOT_FOUND, f"{self.name} returned nothing for {n}")
            for n in wanted
            if not merged.events_for(n) and not merged.problems_for(n)
        ]
        return merged.merge(TrackResult.build(self.code, problems=silent))

    def _track_deadline(self) -> Deadline:
        seconds = self.settings.track_deadline
        return Deadline.after(seconds, self.clock, f"track() deadline ({seconds:g} s)")

    def _out_of_time(self, chunk: Sequence[str], deadline: Deadline) -> TrackResult:
        message = (
            f"not sent to {self.name}: the {deadline.label} passed before its turn; "
            f"track fewer numbers per call or raise {self.env_var('track_deadline')}"
        )
        return TrackResult.build(
            self.code,
            problems=[TrackProblem(n, ProblemCode.CARRIER_ERROR, message) for n in chunk],
        )

    def track(self, numbers: Iterable[str]) -> TrackResult:
        """Fetch ``numbers`` in chunks of ``batch_size``; failures become problems.

        Raises only :class:`ConfigError` and :class:`AuthError`: with missing or
        rejected credentials no number can succeed.  The whole call ends within
        the ``track_deadline`` setting; numbers not sent by then are problems.
        """
        try:
            wanted, problems = self._prepare(numbers)
            deadline = self._track_deadline()
            results = [TrackResult.build(self.code, problems=problems)]
            for chunk in chunked(wanted, self.capabilities.batch_size):
                if deadline.expired():
                    results.append(self._out_of_time(chunk, deadline))
                else:
                    results.append(self._track_chunk(chunk, deadline))
            return self.scrubber().result(self._finish(wanted, results))
        except CarrierError as exc:
            raise exc.scrub(self.scrubber()) from exc.__cause__

    def _track_chunk(self, chunk: Sequence[str], deadline: Deadline) -> TrackResult:
        results: list[TrackResult] = []
        try:
            for request in self.build_requests(chunk):
                within = deadline.remaining()
                response = self.http.send(request, accept=self.accept_statuses, within=within)
                results.append(self._parse_safely(chunk, response))
        except (AuthError, ConfigError):
            raise
        except CarrierError as exc:
            results.append(self._failed_chunk(chunk, exc))
        return TrackResult.build(self.code).merge(*results)

    async def atrack(self, numbers: Iterable[str]) -> TrackResult:
        """The async twin of :meth:`track` (chunks go out one after another)."""
        try:
            wanted, problems = self._prepare(numbers)
            deadline = self._track_deadline()
            results = [TrackResult.build(self.code, problems=problems)]
            for chunk in chunked(wanted, self.capabilities.batch_size):
                if deadline.expired():
                    results.append(self._out_of_time(chunk, deadline))
                else:
                    results.append(await self._atrack_chunk(chunk, deadline))
            return self.scrubber().result(self._finish(wanted, results))
        except CarrierError as exc:
            raise exc.scrub(self.scrubber()) from exc.__cause__

    async def _atrack_chunk(self, chunk: Sequence[str], deadline: Deadline) -> TrackResult:
        results: list[TrackResult] = []
        try:
            for request in self.build_requests(chunk):
                within = deadline.remaining()
                response = await self.http.asend(
                    request, accept=self.accept_statuses, within=within
                )
                results.append(self._parse_safely(chunk, response))
        except (AuthError, ConfigError):
            raise
        except CarrierError as exc:
            results.append(self._failed_chunk(chunk, exc))
        return TrackResult.build(self.code).merge(*results)

    # -- webhooks --------------------------------------------------------------------

    def webhook_secret(self, secret: str | SecretStr | None = None) -> SecretStr | None:
        """The secret to verify webhooks with: the argument, the setting, or None."""
        if isinstance(secret, SecretStr):
            return secret
        if secret:
            return SecretStr(secret)
        if "webhook_secret" not in self.settings_model.model_fields:
            return None
        configured = self._overrides.get("webhook_secret")
        if configured is None:
            env = self._environ if self._environ is not None else os.environ
            configured = env.get(self.env_var("webhook_secret"), "").strip() or None
        if configured is None:
            return None
        return configured if isinstance(configured, SecretStr) else SecretStr(str(configured))

    def webhook_result(
        self,
        headers: Mapping[str, str],
        body: bytes | str,
        *,
        secret: str | SecretStr | None = None,
    ) -> TrackResult:
        """Verify and normalize a webhook delivery, keeping its problems."""
        if not self.capabilities.webhooks:
            raise WebhookError(f"{self.name} does not send webhooks", carrier=self.code)
        raw_body = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        wrapped = httpx.Headers(headers)
        key = self.webhook_secret(secret)
        if self.capabilities.signs_webhooks and key is None:
            raise ConfigError(
                f"no webhook secret to verify {self.name} deliveries with: pass secret=... "
                f"or set {self.env_var('webhook_secret')}",
                variable=self.env_var("webhook_secret"),
                carrier=self.code,
            )
        scrubber = self.scrubber(*([key.get_secret_value()] if key is not None else []))
        try:
            self.verify_webhook(wrapped, raw_body, key)
            payload = self.decode_webhook(wrapped, raw_body)
            return scrubber.result(self._webhook_payload(payload, wrapped))
        except CarrierError as exc:
            raise exc.scrub(scrubber) from exc.__cause__

    def decode_webhook(self, headers: httpx.Headers, body: bytes) -> Any:
        """The verified body, decoded: a form-encoded push (``Content-Type:
        application/x-www-form-urlencoded``) as its fields, anything else as JSON."""
        return decode_webhook_body(body, headers.get("content-type"), carrier=self.code)

    def _webhook_payload(self, payload: Any, headers: httpx.Headers) -> TrackResult:
        try:
            return self.parse_webhook_payload(payload, headers)
        except ResponseFormatError as exc:
            raise WebhookError(
                f"webhook payload rejected: {exc.message}", carrier=self.code
            ) from exc
        except CarrierError:
            raise
        except Exception as exc:
            # As with tracking answers: an odd shape is a rejected delivery, never
            # a raw KeyError or RecursionError.
            raise WebhookError(
                f"webhook payload has an unexpected shape ({describe_exception(exc)})",
                carrier=self.code,
            ) from exc

    def parse_webhook(
        self,
        headers: Mapping[str, str],
        body: bytes | str,
        *,
        secret: str | SecretStr | None = None,
    ) -> list[TrackingEvent]:
        """Verify and normalize a webhook delivery; problems are logged as warnings.

        Use :meth:`webhook_result` to receive the problems as values.
        """
        result = self.webhook_result(headers, body, secret=secret)
        for problem in result.problems:
            log.warning("%s webhook: %s", self.code, problem)
        return result.all_events()


def _raw_body(response: httpx.Response) -> Any:
    """What a problem keeps of an answer its parser failed on: JSON if it decodes."""
    try:
        return response.json()
    except (ValueError, RecursionError):
        try:
            text = response.text
        except (httpx.ResponseNotRead, UnicodeDecodeError, LookupError):
            return None
        return text if len(text) <= 4096 else text[:4096] + "…"
