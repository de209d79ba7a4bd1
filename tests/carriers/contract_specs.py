"""What the contract kit needs to check each built-in adapter's requests and events.

Shared by every adapter's own contract test and by ``test_sdk_contract_builtins``.
Methods, URLs, auth and 404 bodies follow each carrier's documentation (see the
adapter modules and the README of each payload folder).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from logix_carriers import (
    AfterShipAdapter,
    DhlAdapter,
    SeventeenTrackAdapter,
    UpsAdapter,
    UspsAdapter,
)
from logix_carriers.testing import RequestSpec

PAYLOADS = Path(__file__).parent / "payloads"


def load(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text("utf-8"))


#: Where each built-in adapter's raw events sit in its answers.
EVENTS_AT: dict[str, str] = {
    "dhl": "shipments[*].events[*]",
    "ups": "trackResponse.shipment[*].package[*].activity[*]",
    "17track": "data.accepted[*].track_info.tracking.providers[*].events[*]",
    "aftership": "data.trackings[*].checkpoints[*]",
    "usps": "trackingEvents[*]",
}

REQUESTS: dict[str, RequestSpec] = {
    "dhl": RequestSpec(
        make_adapter=lambda **io: DhlAdapter(api_key="dhl-kit-key-123456", environ={}, **io),
        numbers=["00340434161094042557", "00340434161094042558"],
        method="GET",
        url="https://api-eu.dhl.com/track/shipments?",
        answer=load("dhl/parcel_de_journey"),
        not_found=load("dhl/not_found_404"),
    ),
    "ups": RequestSpec(
        make_adapter=lambda **io: UpsAdapter(
            client_id="ups-kit-client", client_secret="ups-kit-secret-123456", environ={}, **io
        ),
        numbers=["1Z023E2X0214323462", "1Z023E2X0214323463"],
        method="GET",
        url="https://onlinetools.ups.com/api/track/v1/details/",
        answer=load("ups/docs_example"),
        not_found={"response": {"errors": [{"code": "TW0001", "message": "Not Found"}]}},
        token_auth="basic",
    ),
    "17track": RequestSpec(
        make_adapter=lambda **io: SeventeenTrackAdapter(
            api_key="17track-kit-key-123456", environ={}, **io
        ),
        numbers=[f"RR{n:09d}CN" for n in range(41)],
        method="POST",
        url="https://api.17track.net/track/v2.2/",
        answer=load("seventeen_track/gettrackinfo_docs_example"),
    ),
    "aftership": RequestSpec(
        make_adapter=lambda **io: AfterShipAdapter(
            api_key="aftership-kit-key-123456", environ={}, **io
        ),
        numbers=[f"9405511202575421{n:06d}" for n in range(51)],
        method="GET",
        url="https://api.aftership.com/tracking/2025-01/trackings?",
        answer=load("aftership/trackings_docs_example"),
    ),
    "usps": RequestSpec(
        make_adapter=lambda **io: UspsAdapter(
            client_id="usps-kit-client", client_secret="usps-kit-secret-123456", environ={}, **io
        ),
        numbers=["9400100000000000000017", "9400100000000000000024"],
        method="GET",
        url="https://apis.usps.com/tracking/v3/tracking/",
        answer=load("usps/tracking_domestic"),
        not_found=load("usps/error_not_found_404"),
        token_auth="body",
    ),
}
