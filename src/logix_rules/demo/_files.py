"""Demo data as JSON lines: ``events.jsonl`` and ``shipments.jsonl`` for ``logix run``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from logix_carriers import Shipment, TrackingEvent

from ._generator import DemoData, generate_demo

__all__ = ["event_to_json", "shipment_to_json", "write_demo_files"]


def event_to_json(event: TrackingEvent) -> dict[str, Any]:
    """An event as a JSON-ready dict, with ``occurred_at`` in its original local offset."""
    data = event.model_dump(
        mode="json", exclude_none=True, exclude={"utc_offset_minutes", "offset_source"}
    )
    data["occurred_at"] = event.local_time.isoformat()
    return data


def shipment_to_json(shipment: Shipment) -> dict[str, Any]:
    """A shipment as a JSON-ready dict (amounts as strings, times in ISO-8601)."""
    return shipment.model_dump(mode="json", exclude_none=True, exclude={"lane", "cross_border"})


def write_demo_files(
    directory: str | os.PathLike[str],
    *,
    seed: int = 7,
    shipments: int = 300,
    data: DemoData | None = None,
) -> tuple[Path, Path]:
    """Write the demo data as ``events.jsonl`` and ``shipments.jsonl`` in ``directory``.

    Returns ``(events_path, shipments_path)``.  ``data`` writes an already generated
    set instead of generating one from ``seed`` and ``shipments``.
    """
    if data is None:
        data = generate_demo(seed=seed, shipments=shipments)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    events_path, shipments_path = folder / "events.jsonl", folder / "shipments.jsonl"
    with events_path.open("w", encoding="utf-8", newline="\n") as out:
        for event in data.events:
            out.write(json.dumps(event_to_json(event), ensure_ascii=False) + "\n")
    with shipments_path.open("w", encoding="utf-8", newline="\n") as out:
        for shipment in data.shipments:
            out.write(json.dumps(shipment_to_json(shipment), ensure_ascii=False) + "\n")
    return events_path, shipments_path
