"""A bounded loopback load generator for the service: signed 17TRACK pushes built from
the recorded payload, sent at a fixed rate to one or more service processes, with a
share of duplicates (a delivery sent again) and of bad signatures.

Bounded: at most ``concurrency`` requests are in flight; a request that cannot start
on time waits for a slot (and its latency counts from its planned start, so a slow
service shows in the figures instead of slowing the schedule silently).
"""

from __future__ import annotations

import asyncio
import copy
import json
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from logix_carriers.carriers._seventeen_track import push_signature

TEMPLATE = json.loads(
    (
        Path(__file__).resolve().parents[1]
        / "carriers"
        / "payloads"
        / "seventeen_track"
        / "webhook_tracking_updated.json"
    ).read_text("utf-8")
)
#: Scans from an hour ago on, as a carrier pushes them: nothing falls due during a run.
START = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


def push(number: str, at: datetime) -> bytes:
    """The recorded push, for ``number``, with its scan at ``at``."""
    doc = copy.deepcopy(TEMPLATE)
    data = doc["data"]
    data["number"] = number
    stamp = {"time_iso": at.isoformat(), "time_utc": at.strftime("%Y-%m-%dT%H:%M:%SZ")}
    data["track_info"]["latest_event"].update(stamp)
    data["track_info"]["tracking"]["providers"][0]["events"][0].update(stamp)
    return json.dumps(doc).encode()


@dataclass
class Outcome:
    kind: str  # "valid", "duplicate" or "forged"
    status: int
    latency: float
    new: int = 0


@dataclass
class LoadReport:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    retries: int = 0
    valid_numbers: set[str] = field(default_factory=set)

    def of(self, kind: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == kind]

    def percentile(self, share: float) -> float:
        ordered = sorted(o.latency for o in self.outcomes)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def summary(self) -> str:
        return (
            f"{len(self.outcomes)} webhooks in {self.seconds:.1f} s "
            f"({len(self.outcomes) / self.seconds:.0f}/s): "
            f"{len(self.of('valid'))} valid, {len(self.of('duplicate'))} duplicates, "
            f"{len(self.of('forged'))} bad signatures; latency p50 "
            f"{self.percentile(0.50) * 1000:.1f} ms, p99 {self.percentile(0.99) * 1000:.1f} ms, "
            f"max {max(o.latency for o in self.outcomes) * 1000:.1f} ms; "
            f"{self.retries} sent again after a transport error"
        )


async def generate(
    urls: list[str],
    key: str,
    *,
    rate: float,
    seconds: float,
    parcels: int = 500,
    duplicates: float = 0.05,
    forged: float = 0.05,
    concurrency: int = 64,
    seed: int = 7,
) -> LoadReport:
    rng = random.Random(seed)
    report = LoadReport()
    slots = asyncio.Semaphore(concurrency)
    sent: list[bytes] = []
    total = int(rate * seconds)
    # Idle connections are dropped before uvicorn's 5 s keep-alive ends, so a request
    # never goes out on a connection the server is closing.
    limits = httpx.Limits(max_connections=concurrency, keepalive_expiry=1.0)
    clients = [httpx.AsyncClient(base_url=url, timeout=60.0, limits=limits) for url in urls]

    async def one(index: int, kind: str, body: bytes, sign: str, planned: float) -> None:
        async with slots:
            http = clients[index % len(clients)]
            for attempt in range(3):
                try:
                    answer = await http.post(
                        "/webhooks/17track",
                        content=body,
                        headers={"sign": sign, "content-type": "application/json"},
                    )
                    break
                except httpx.TransportError:
                    # As a carrier does: a delivery without an answer is sent again.
                    report.retries += 1
                    if attempt == 2:
                        raise
        latency = time.perf_counter() - planned
        new = answer.json().get("new", 0) if answer.status_code == 200 else 0
        report.outcomes.append(Outcome(kind, answer.status_code, latency, new))

    tasks = []
    began = time.perf_counter()
    try:
        for index in range(total):
            planned = began + index / rate
            delay = planned - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            draw = rng.random()
            if draw < duplicates and sent:
                kind, body = "duplicate", rng.choice(sent)
                sign = push_signature(body, key)
            elif draw < duplicates + forged:
                kind = "forged"
                body = push(f"LX{index:08d}", START)
                sign = push_signature(body, "not-the-key")
            else:
                kind = "valid"
                number = f"LD{rng.randrange(parcels):08d}"
                body = push(number, START + timedelta(seconds=index))
                sign = push_signature(body, key)
                sent.append(body)
                report.valid_numbers.add(number)
            tasks.append(asyncio.create_task(one(index, kind, body, sign, planned)))
        await asyncio.gather(*tasks)
    finally:
        for http in clients:
            await http.aclose()
    report.seconds = time.perf_counter() - began
    return report
