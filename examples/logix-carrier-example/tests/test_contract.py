"""The logix carrier contract, run on ParcelPoint's recorded payloads."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from logix_carrier_example import CODES, ParcelPointAdapter

from logix_carriers.testing import AdapterContract, FakeClock, RecordedWebhook, load_payloads

HERE = Path(__file__).parent
DELIVERY = json.loads((HERE / "webhooks" / "tracking_updated.json").read_text("utf-8"))


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

    def make_adapter(self) -> ParcelPointAdapter:
        # Recorded deliveries are only fresh at the moment they were received.
        clock = FakeClock(datetime.fromisoformat(DELIVERY["received_at"]))
        return ParcelPointAdapter(clock=clock)
