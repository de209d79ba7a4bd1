"""The request-duration histogram: its exposition format, its buckets, and the route
label (a template, never a raw path) that the ASGI middleware gives each request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from service_support import AUTH, client, make_app, run

from logix_rules.service._metrics import BUCKETS, Metrics
from logix_rules.service._timing import METRIC, RequestTiming
from logix_rules.store import open_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Any]:
    opened = open_store(f"sqlite:///{tmp_path / 'ops.db'}")
    yield opened
    opened.close()


def test_a_histogram_is_cumulative_with_sum_and_count() -> None:
    metrics = Metrics()
    for seconds in (0.004, 0.005, 0.2, 0.2, 99.0):
        metrics.observe("logix_request_duration_seconds", seconds, route="/a", method="GET")
    lines = metrics.render({}).splitlines()
    assert "# TYPE logix_request_duration_seconds histogram" in lines
    series = 'logix_request_duration_seconds_bucket{method="GET",route="/a",le="%s"} %s'
    # 0.005 itself falls in the 0.005 bucket (le: less than or equal).
    assert series % ("0.005", 2) in lines
    assert series % ("0.1", 2) in lines
    assert series % ("0.25", 4) in lines
    assert series % ("30", 4) in lines
    assert series % ("+Inf", 5) in lines
    assert 'logix_request_duration_seconds_count{method="GET",route="/a"} 5' in lines
    assert 'logix_request_duration_seconds_sum{method="GET",route="/a"} 99.409' in lines
    buckets = [line for line in lines if line.startswith("logix_request_duration_seconds_bucket")]
    assert len(buckets) == len(BUCKETS) + 1
    assert metrics.count("logix_request_duration_seconds", route="/a") == 5
    assert metrics.count("logix_request_duration_seconds", route="/b") == 0


def test_an_unused_histogram_has_its_help_and_no_series() -> None:
    text = Metrics().render({})
    assert "# TYPE logix_request_duration_seconds histogram" in text
    assert "logix_request_duration_seconds_bucket" not in text


def _get(app: Any, url: str) -> httpx.Response:
    async def go() -> httpx.Response:
        async with client(app) as http:
            return await http.get(url, headers=AUTH)

    return run(go())


def test_requests_are_timed_by_route_template(store: Any) -> None:
    app = make_app(store)
    metrics = app.state.logix.metrics
    assert _get(app, "/healthz").status_code == 200
    assert _get(app, "/api/v1/incidents/no-such-incident").status_code == 404
    assert _get(app, "/api/v1/incidents/another-one").status_code == 404
    assert _get(app, "/no/such/page").status_code == 404
    assert metrics.count(METRIC, route="/healthz", method="GET", status="200") == 1
    # Two ids, one series: the label is the template.
    assert metrics.count(METRIC, route="/api/v1/incidents/{id}", status="404") == 2
    assert metrics.count(METRIC, route="unmatched", status="404") == 1
    assert _get(app, "/api/v1/nothing-here").status_code == 404
    assert metrics.count(METRIC, route="/api/v1/{path}", status="404") == 1
    text = _get(app, "/metrics").text
    assert (
        'logix_request_duration_seconds_count{method="GET",route="/healthz",status="200"} 1'
        in text.splitlines()
    )


def test_a_request_that_raises_counts_as_500_and_the_error_goes_on() -> None:
    metrics = Metrics()

    async def broken(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("boom")

    ticks = iter([10.0, 10.25])
    timing = RequestTiming(broken, metrics=metrics, clock=lambda: next(ticks))
    scope = {"type": "http", "method": "POST", "root_path": ""}

    async def go() -> None:
        await timing(scope, lambda: None, lambda message: None)

    with pytest.raises(RuntimeError, match="boom"):
        run(go())
    lines = metrics.render({}).splitlines()
    labels = '{method="POST",route="unmatched",status="500"}'
    assert f"logix_request_duration_seconds_sum{labels} 0.25" in lines


def test_lifespan_and_websocket_scopes_pass_untimed() -> None:
    metrics = Metrics()
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    timing = RequestTiming(app, metrics=metrics)

    async def go() -> None:
        await timing({"type": "lifespan"}, lambda: None, lambda message: None)

    run(go())
    assert seen == ["lifespan"]
    assert "_bucket" not in metrics.render({})
