"""Contract-kit rules about the HTTP side of an adapter: requests and error mapping.

The kit drives ``track()`` through a fake carrier (an ``httpx.MockTransport``) and
a :class:`FakeClock`, records what the adapter sends, and answers with what a
real carrier answers: a recorded payload, a token, 401, 404, 429 with
``Retry-After``, 503, a body that is not JSON.  Used by :mod:`logix_carriers.testing`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal
from urllib.parse import parse_qsl, unquote

import httpx

from ._adapter_protocol import CarrierAdapter
from ._clock_fake import FakeClock
from ._errors import AuthError
from ._track_result import ProblemCode, TrackResult

__all__ = [
    "NOT_HTTP",
    "NotHttp",
    "RequestSpec",
    "check_error_mapping",
    "check_requests",
]

#: The token the fake carrier's token endpoint issues.
KIT_TOKEN: Final = "contract-kit-token-7f3a9c"
_RETRY_AFTER: Final = 7.0

Answer = Any | Callable[[httpx.Request], httpx.Response]


@dataclass(frozen=True)
class RequestSpec:
    """What an adapter's tracking requests must look like, and how to build it.

    ``make_adapter`` is called with ``transport``, ``async_transport``, ``clock``,
    ``sleep`` and ``async_sleep`` keywords and returns the adapter with test
    credentials set.  ``numbers`` are distinct valid numbers, at least
    ``batch_size + 1`` of them.  Every tracking request must use ``method`` and a
    URL starting with ``url``.  ``answer`` is what the fake carrier answers each
    tracking request with: a recorded payload (sent as JSON) or a function of the
    request.  ``not_found`` is the body the carrier answers 404 with.
    ``token_auth`` (OAuth adapters) is how the client credentials must reach the
    token endpoint: ``"basic"`` or ``"body"``.
    """

    make_adapter: Callable[..., CarrierAdapter]
    numbers: Sequence[str]
    method: str
    url: str
    answer: Answer
    not_found: Any = field(default_factory=lambda: {"status": 404, "title": "Not Found"})
    token_auth: Literal["basic", "body"] | None = None


class NotHttp:
    """The marker for an adapter that sends no HTTP requests (it reads files)."""

    def __repr__(self) -> str:
        return "NOT_HTTP"


#: Give ``requests=NOT_HTTP`` for an adapter that sends no HTTP requests.
NOT_HTTP: Final = NotHttp()


class _FakeCarrier:
    """The transport: token endpoint, then tracking answers in the given order."""

    def __init__(self, token_url: str | None, answers: Sequence[Answer]) -> None:
        self.token_url = token_url
        self.answers = list(answers)
        self.tracking: list[httpx.Request] = []
        self.tokens: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        if self.token_url is not None and _same_url(request.url, self.token_url):
            self.tokens.append(request)
            return httpx.Response(200, json={"access_token": KIT_TOKEN, "expires_in": 3600})
        self.tracking.append(request)
        index = min(len(self.tracking), len(self.answers)) - 1
        answer = self.answers[index]
        if isinstance(answer, httpx.Response):
            return httpx.Response(
                answer.status_code, headers=answer.headers, content=answer.content
            )
        if callable(answer):
            response: httpx.Response = answer(request)
            return response
        return httpx.Response(200, json=answer)


def _same_url(url: httpx.URL, other: str) -> bool:
    target = httpx.URL(other)
    return (url.scheme, url.host, url.path) == (target.scheme, target.host, target.path)


def _build(spec: RequestSpec, fake: _FakeCarrier) -> tuple[CarrierAdapter, FakeClock]:
    clock = FakeClock()
    transport = httpx.MockTransport(fake)
    adapter = spec.make_adapter(
        transport=transport,
        async_transport=transport,
        clock=clock,
        sleep=clock.sleep,
        async_sleep=clock.asleep,
    )
    return adapter, clock


def _token_url(adapter: CarrierAdapter) -> str | None:
    oauth = getattr(adapter, "oauth", None)
    source = oauth() if callable(oauth) else None
    url = getattr(source, "token_url", None)
    return url if isinstance(url, str) else None


def _text_of(request: httpx.Request) -> str:
    body = request.content.decode("utf-8", errors="replace")
    return f"{unquote(str(request.url))}\n{body}"


def _carried(request: httpx.Request, numbers: Sequence[str]) -> list[str]:
    text = _text_of(request)
    return [
        n
        for n in numbers
        if re.search(rf"(?<![0-9A-Za-z]){re.escape(str(n))}(?![0-9A-Za-z])", text)
    ]


def _secrets(adapter: CarrierAdapter) -> tuple[str, ...]:
    values = getattr(adapter, "secret_values", None)
    found = values() if callable(values) else ()
    return tuple(v for v in found if isinstance(v, str) and v)


def _auth_failures(adapter: CarrierAdapter, spec: RequestSpec, fake: _FakeCarrier) -> list[str]:
    kind = adapter.capabilities.auth
    failures: list[str] = []
    for request in fake.tracking:
        where = f"{request.method} {request.url.copy_with(query=None)}"
        authorization = request.headers.get("authorization", "")
        if kind == "oauth2" and authorization != f"Bearer {KIT_TOKEN}":
            failures.append(f"requests: {where} does not carry the OAuth bearer token")
        elif kind == "basic" and not authorization.lower().startswith("basic "):
            failures.append(f"requests: {where} has no HTTP basic authorization")
        elif kind == "api_key":
            carried = "\n".join(request.headers.values()) + _text_of(request)
            if not any(secret in carried for secret in _secrets(adapter)):
                failures.append(f"requests: {where} carries none of the configured credentials")
    if kind == "oauth2":
        failures += _token_failures(adapter, spec, fake)
    return failures


def _token_failures(adapter: CarrierAdapter, spec: RequestSpec, fake: _FakeCarrier) -> list[str]:
    if not fake.tokens:
        return ["requests: auth is oauth2 but no token was requested from oauth().token_url"]
    failures = []
    token = fake.tokens[0]
    form = dict(parse_qsl(token.content.decode("utf-8", errors="replace")))
    if token.method != "POST" or form.get("grant_type") != "client_credentials":
        failures.append(
            "requests: the token request is not a POST with grant_type=client_credentials"
        )
    oauth = getattr(adapter, "oauth")()  # noqa: B009 - present: _token_url found it
    secret = oauth.secrets[0] if oauth.secrets else ""
    basic = token.headers.get("authorization", "")
    in_body = form.get("client_id") == oauth.client_id and form.get("client_secret") == secret
    pair = base64.b64encode(f"{oauth.client_id}:{secret}".encode()).decode()
    in_basic = basic == f"Basic {pair}"
    if spec.token_auth == "body" and not in_body:
        failures.append(
            "requests: the token request must send client_id and client_secret in the form body"
        )
    elif spec.token_auth == "basic" and not in_basic:
        failures.append(
            "requests: the token request must send the client credentials as HTTP basic auth"
        )
    elif spec.token_auth is None and not (in_body or in_basic):
        failures.append("requests: the token request carries no client credentials")
    return failures


def check_requests(spec: RequestSpec | NotHttp) -> list[str]:
    """The tracking requests use the documented method, URL and auth, carry every
    number, and no request carries more than ``batch_size`` of them."""
    if isinstance(spec, NotHttp):
        return []
    probe, _ = _build(spec, _FakeCarrier(None, [spec.answer]))
    batch = probe.capabilities.batch_size
    wanted = list(dict.fromkeys(str(n) for n in spec.numbers))
    if len(wanted) < batch + 1:
        return [f"requests: give at least batch_size + 1 = {batch + 1} distinct numbers"]
    numbers = wanted[: batch + 1]
    fake = _FakeCarrier(_token_url(probe), [spec.answer])
    adapter, _ = _build(spec, fake)
    try:
        adapter.track(numbers)
    except Exception as exc:  # the kit reports, never raises
        return [f"requests: track() raised {type(exc).__name__}: {exc}"]
    if not fake.tracking:
        return ["requests: track() sent no tracking request"]
    failures: list[str] = []
    seen: set[str] = set()
    for request in fake.tracking:
        where = f"{request.method} {request.url.copy_with(query=None)}"
        if request.method != spec.method.upper():
            failures.append(f"requests: {where} should be {spec.method.upper()}")
        if not str(request.url).startswith(spec.url):
            failures.append(f"requests: {where} does not start with {spec.url}")
        if request.url.scheme != "https":
            failures.append(f"requests: {where} is not HTTPS")
        carried = _carried(request, numbers)
        if len(carried) > batch:
            failures.append(
                f"requests: {where} carries {len(carried)} numbers, batch_size is {batch}"
            )
        seen.update(carried)
    missing = [n for n in numbers if n not in seen]
    if missing:
        failures.append(f"requests: no request carries {', '.join(missing[:3])}")
    return failures + _auth_failures(adapter, spec, fake)


def _every_number(result: TrackResult, numbers: Sequence[str], code: ProblemCode) -> bool:
    return all(any(p.code == code for p in result.problems_for(n)) for n in numbers)


def _scenario(
    spec: RequestSpec, answers: Sequence[Answer], numbers: Sequence[str]
) -> tuple[TrackResult | Exception, FakeClock]:
    probe, _ = _build(spec, _FakeCarrier(None, answers))
    fake = _FakeCarrier(_token_url(probe), answers)
    adapter, clock = _build(spec, fake)
    try:
        return adapter.track(numbers), clock
    except Exception as exc:
        return exc, clock


def check_error_mapping(spec: RequestSpec | NotHttp) -> list[str]:
    """401 raises ``AuthError``; 404 is ``not_found``; 429 waits ``Retry-After`` and
    retries; lasting 429 and 5xx are ``carrier_error`` problems; a body that is not
    JSON is ``bad_payload``.  Every number gets its problem; nothing else raises."""
    if isinstance(spec, NotHttp):
        return []
    numbers = [str(n) for n in list(dict.fromkeys(spec.numbers))[:2]]
    if not numbers:
        return ["errors: give at least one number"]
    failures: list[str] = []
    limited = httpx.Response(
        429, headers={"Retry-After": f"{_RETRY_AFTER:g}"}, json={"error": "too many requests"}
    )
    cases: list[tuple[str, Sequence[Answer], Callable[[Any, FakeClock], str | None]]] = [
        ("401", [httpx.Response(401, json={"error": "unauthorized"})], _raised_auth),
        (
            "404",
            [httpx.Response(404, json=spec.not_found)],
            _problems(numbers, ProblemCode.NOT_FOUND),
        ),
        ("429 then success", [limited, spec.answer], _waited_and_recovered(numbers)),
        ("lasting 429", [limited], _problems(numbers, ProblemCode.CARRIER_ERROR)),
        (
            "503",
            [httpx.Response(503, text="Service Unavailable")],
            _problems(numbers, ProblemCode.CARRIER_ERROR),
        ),
        (
            "malformed body",
            [
                httpx.Response(
                    200, text="<html>gateway error</html>", headers={"content-type": "text/html"}
                )
            ],
            _problems(numbers, ProblemCode.BAD_PAYLOAD),
        ),
    ]
    for name, answers, judge in cases:
        outcome, clock = _scenario(spec, answers, numbers)
        verdict = judge(outcome, clock)
        if verdict:
            failures.append(f"errors: {name}: {verdict}")
    return failures


def _raised_auth(outcome: Any, clock: FakeClock) -> str | None:
    if isinstance(outcome, AuthError):
        return None
    if isinstance(outcome, Exception):
        return f"raised {type(outcome).__name__}, expected AuthError"
    return "track() returned instead of raising AuthError"


def _problems(numbers: Sequence[str], code: ProblemCode) -> Callable[[Any, FakeClock], str | None]:
    def judge(outcome: Any, clock: FakeClock) -> str | None:
        if isinstance(outcome, Exception):
            return f"track() raised {type(outcome).__name__}: {outcome}"
        if not _every_number(outcome, numbers, code):
            got = sorted({p.code.value for p in outcome.problems}) or ["no problem"]
            return f"expected a {code.value!r} problem for every number, got {', '.join(got)}"
        return None

    return judge


def _waited_and_recovered(numbers: Sequence[str]) -> Callable[[Any, FakeClock], str | None]:
    def judge(outcome: Any, clock: FakeClock) -> str | None:
        if isinstance(outcome, Exception):
            return f"track() raised {type(outcome).__name__}: {outcome}"
        if not any(abs(s - _RETRY_AFTER) < 1e-6 for s in clock.sleeps):
            return f"Retry-After: {_RETRY_AFTER:g} was not waited (slept {clock.sleeps})"
        failed = [p for p in outcome.problems if p.code == ProblemCode.CARRIER_ERROR]
        if failed:
            return f"the retry after the wait did not recover ({failed[0].message})"
        return None

    return judge
