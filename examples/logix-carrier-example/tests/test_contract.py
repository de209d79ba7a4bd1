"""The logix carrier contract, run on ParcelPoint's recorded payloads."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import httpx
from logix_carrier_example import CODES, ParcelPointAdapter

from logix_carriers.testing import (
    AdapterContract,
    FakeClock,
    RecordedWebhook,
    RequestSpec,
    load_payloads,
)

HERE = Path(__file__).parent
DELIVERY = json.loads((HERE / "webhooks" / "tracking_updated.json").read_text("utf-8"))
FOUND = json.loads((HERE / "payloads" / "track_found.json").read_text("utf-8"))


def answer(request: httpx.Request) -> httpx.Response:
    """ParcelPoint's answer to POST /v1/track: the recorded journey for every number."""
    journey = FOUND["results"][0]
    numbers = json.loads(request.content)["numbers"]
    return httpx.Response(200, json={"results": [{**journey, "number": n} for n in numbers]})


class TestParcelPointContract(AdapterContract):
    payloads = load_payloads(HERE / "payloads")
    mapping = CODES
    unknown_code_payload: ClassVar[dict[str, Any]] = {
        "results": [
            {
                "number": "PP1",
                "status": "found",
                "events": [{"code": "NEW", "at": "2026-03-01T10:00:00+01:00", "text": "?"}],
            }
        ]
    }
    webhooks = (
        RecordedWebhook(
            headers=DELIVERY["headers"],
            body=DELIVERY["body"].encode("utf-8"),
            secret=DELIVERY["secret"],
            name="tracking_updated",
        ),
    )
    # Where the raw events sit, so the kit can check that none is silently dropped.
    events_at = "results[*].events[*]"
    # How the requests must look (ParcelPoint's API reference), and a fake answer.
    requests = RequestSpec(
        make_adapter=lambda **io: ParcelPointAdapter(api_key="pp-test-key-123456", **io),
        numbers=[f"PP{n:09d}FR" for n in range(51)],  # batch_size + 1
        method="POST",
        url="https://api.parcelpoint.example/v1/track",
        answer=answer,
    )

    def make_adapter(self) -> ParcelPointAdapter:
        # Recorded deliveries are only fresh at the moment they were received.
        clock = FakeClock(datetime.fromisoformat(DELIVERY["received_at"]))
        return ParcelPointAdapter(clock=clock)
