"""Issue 11 §8: every parse failure of an answer is a problem, never an exception.

``track()`` is documented to raise only ``ConfigError`` and ``AuthError``.  A
deeply nested 200 answer, a number where a list belongs, an integer too long to
print: each becomes a problem for the numbers it concerns, and the other pieces
of the answer are kept.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from sdk_support import ToyAdapter

from logix_carriers import (
    AfterShipAdapter,
    BaseAdapter,
    DhlAdapter,
    FileAdapter,
    ProblemCode,
    SeventeenTrackAdapter,
    TrackResult,
    UpsAdapter,
    WebhookError,
    hmac_signature,
)
from logix_carriers.testing import FakeClock

PAYLOADS = Path(__file__).parent / "payloads"
DEEP = "[" * 100_000 + "]" * 100_000

TOKEN = {"access_token": "token-value-123456", "expires_in": 3600}

# (adapter class, settings, a number it accepts, its recorded answer)
ADAPTERS: dict[str, tuple[type[BaseAdapter[Any]], dict[str, Any], str, str]] = {
    "dhl": (DhlAdapter, {"api_key": "dhl-key-123456"}, "7777777770", "dhl/docs_example_unified"),
    "ups": (
        UpsAdapter,
        {"client_id": "client", "client_secret": "ups-secret-123456"},
        "1Z023E2X0214323462",
        "ups/docs_example",
    ),
    "17track": (
        SeventeenTrackAdapter,
        {"api_key": "17track-key-123456", "auto_register": False},
        "1234567890",
        "seventeen_track/gettrackinfo_docs_example",
    ),
    "aftership": (
        AfterShipAdapter,
        {"api_key": "AS-KEY-123456"},
        "9405511202575421535949",
        "aftership/trackings_docs_example",
    ),
}


def make(code: str, answer: Callable[[httpx.Request], httpx.Response]) -> BaseAdapter[Any]:
    cls, settings, _, _ = ADAPTERS[code]
    clock = FakeClock()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth/token"):
            return httpx.Response(200, json=TOKEN)
        return answer(request)

    transport = httpx.MockTransport(handler)
    return cls(
        transport=transport,
        async_transport=transport,
        clock=clock,
        sleep=clock.sleep,
        async_sleep=clock.asleep,
        environ={},
        **settings,
    )


def recorded(code: str) -> Any:
    return json.loads((PAYLOADS / f"{ADAPTERS[code][3]}.json").read_text("utf-8"))


def assert_every_number_accounted(result: TrackResult, numbers: Sequence[str]) -> None:
    for number in numbers:
        assert result.events_for(number) or result.problems_for(number), number
    json.dumps(result.as_dict(), default=str)  # and it can always be printed


# -- deeply nested answers -------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(ADAPTERS))
def test_a_deeply_nested_200_answer_is_a_bad_payload_problem(code: str) -> None:
    number = ADAPTERS[code][2]
    adapter = make(code, lambda r: httpx.Response(200, text=DEEP))
    [problem] = adapter.track([number]).problems
    assert problem.tracking_number == number
    assert problem.code is ProblemCode.BAD_PAYLOAD
    assert "nests too deeply" in problem.message
    assert len(problem.raw) < 5000  # an excerpt, not the 200 kB body


@pytest.mark.parametrize("code", sorted(ADAPTERS))
def test_async_tracking_reports_it_the_same_way(code: str) -> None:
    number = ADAPTERS[code][2]
    adapter = make(code, lambda r: httpx.Response(200, text=DEEP))
    result = asyncio.run(adapter.atrack([number]))
    assert [p.code for p in result.problems] == [ProblemCode.BAD_PAYLOAD]


def test_a_deep_but_readable_answer_keeps_a_bounded_raw() -> None:
    nested: Any = "bottom"
    for _ in range(500):
        nested = [nested]
    answer = {"shipments": [{"id": "7777777770", "events": [{"timestamp": nested}]}]}
    result = make("dhl", lambda r: httpx.Response(200, json=answer)).track(["7777777770"])
    [problem] = result.problems
    assert problem.code is ProblemCode.BAD_EVENT
    assert "nested too deep" in json.dumps(problem.raw)


def test_a_deeply_nested_webhook_is_a_webhook_error() -> None:
    secret = "whsec-0123456789"
    body = DEEP.encode()
    adapter = AfterShipAdapter(api_key="AS-KEY-123456", webhook_secret=secret, environ={})
    with pytest.raises(WebhookError, match="nests too deeply"):
        adapter.webhook_result({"aftership-hmac-sha256": hmac_signature(secret, body)}, body)


def test_the_file_adapter_reports_hostile_lines_and_reads_on() -> None:
    good = {
        "tracking_number": "LX1",
        "carrier": "file",
        "occurred_at": "2026-03-01T10:00:00Z",
        "status": "delivered",
    }
    lines = [
        DEEP,
        "1" * 5000,
        '{"carrier": "dhl", "payload": ' + DEEP[:2000] + "]" * 0 + "}",
        json.dumps(good),
    ]
    result = FileAdapter(environ={}).parse_lines(lines)
    assert [e.tracking_number for e in result.all_events()] == ["LX1"]
    assert [p.location for p in result.problems] == ["line 1", "line 2", "line 3"]
    assert "nested too deeply" in result.problems[0].message
    assert "ValueError" in result.problems[1].message


# -- odd shapes, piece by piece --------------------------------------------------------------

HOSTILE_VALUES: list[Any] = [5, "", None, [], {}, [[["deep", {"": [1e308]}]]]]


def positions(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], bool]]:
    """Every position in a decoded JSON document, and whether a container sits there."""
    container = isinstance(value, dict | list)
    yield path, container
    if isinstance(value, dict):
        for key, child in value.items():
            yield from positions(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from positions(child, (*path, index))


def mutations(document: Any) -> Iterator[str]:
    """The document as JSON with one position replaced by a hostile value.

    Containers get every hostile value; leaves get one each, in turn, which keeps
    the sweep to a few hundred answers per carrier.
    """
    for count, (path, container) in enumerate(positions(document)):
        values = HOSTILE_VALUES if container else [HOSTILE_VALUES[count % len(HOSTILE_VALUES)]]
        if not path:
            yield from map(json.dumps, values)
            continue
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        original = parent[path[-1]]
        for value in values:
            parent[path[-1]] = value
            yield json.dumps(document)
        parent[path[-1]] = original


@pytest.mark.parametrize("code", sorted(ADAPTERS))
def test_any_value_anywhere_in_an_answer_never_escapes_track(code: str) -> None:
    document = recorded(code)
    number = ADAPTERS[code][2]
    answer = [json.dumps(document)]
    adapter = make(
        code,
        lambda r: httpx.Response(
            200, content=answer[0].encode(), headers={"Content-Type": "application/json"}
        ),
    )
    assert adapter.track([number]).events_for(number)  # the recorded answer reads fine
    tried = 0
    for text in mutations(document):
        answer[0] = text
        result = adapter.track([number])  # raises nothing
        assert_every_number_accounted(result, [number])
        tried += 1
    assert tried > 80


def test_one_bad_tracking_in_a_batch_costs_only_that_number() -> None:
    document = recorded("aftership")
    good = document["data"]["trackings"][0]
    odd = copy.deepcopy(good)
    odd["tracking_number"] = "ODD0000001"
    odd["checkpoints"] = [{"checkpoint_time": {"not": "a time"}, "tag": ["InTransit"]}]
    document["data"]["trackings"] = [odd, good]
    number = good["tracking_number"]
    alone = make("aftership", lambda r: httpx.Response(200, json=recorded("aftership")))
    adapter = make("aftership", lambda r: httpx.Response(200, json=document))
    result = adapter.track([number, "ODD0000001"])
    expected = alone.track([number])
    assert result.events_for(number) == expected.events_for(number)
    assert [p.message for p in result.problems_for(number)] == [
        p.message for p in expected.problems_for(number)
    ]
    assert result.problems_for("ODD0000001")


# -- a plugin whose parser blows up ------------------------------------------------------------


class Exploding(ToyAdapter):
    code = "exploding"
    failure: BaseException = RecursionError("maximum recursion depth exceeded")

    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        raise self.failure


@pytest.mark.parametrize(
    "failure",
    [
        RecursionError("maximum recursion depth exceeded"),
        ZeroDivisionError("division by zero"),
        OverflowError("date value out of range"),
        UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
        LookupError("no such codec"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_whatever_a_parser_raises_becomes_a_bad_payload_problem(failure: BaseException) -> None:
    clock = FakeClock()
    adapter = Exploding(
        api_key="toy-key-123456",
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json={"parcels": []})),
        clock=clock,
        sleep=clock.sleep,
        environ={},
    )
    adapter.failure = failure
    result = adapter.track(["A1", "B2"])
    assert [(p.tracking_number, p.code) for p in result.problems] == [
        ("A1", ProblemCode.BAD_PAYLOAD),
        ("B2", ProblemCode.BAD_PAYLOAD),
    ]
    assert type(failure).__name__ in result.problems[0].message
    assert result.problems[0].raw == {"parcels": []}
