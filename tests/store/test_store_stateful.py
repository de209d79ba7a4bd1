"""A Hypothesis state machine: any interleaving of ingest, advance, acknowledge,
resolve, closing and reopening the store, and dump/load leaves an engine over a
store answering exactly as the engine in memory, after every step."""

from __future__ import annotations

import shutil
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from store_support import PACK, stream

from logix_rules import Engine, UnknownIncident
from logix_rules.store import Store, open_store

SHIPMENTS, EVENTS, AT = stream(seed=3, shipments=12)
START = min(e.occurred_at for e in EVENTS)
SPAN_HOURS = int((AT - START).total_seconds() // 3600) + 48


def _states(engine: Engine) -> bytes:
    return engine.dump(mask=False)  # states in tracking-number order: the same for equal engines


class StoreMatchesMemory(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="logix-stateful-"))
        self.url = f"sqlite:///{self.folder / 'store.db'}"
        self.store: Store = open_store(self.url, cache_size=5)
        self.durable = Engine(PACK, store=self.store)
        self.memory = Engine(PACK)

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def both(self, call: str, *args: Any, **kwargs: Any) -> None:
        outcomes = []
        for engine in (self.durable, self.memory):
            try:
                outcomes.append(("ok", getattr(engine, call)(*args, **kwargs)))
            except UnknownIncident as error:
                outcomes.append(("unknown", str(error)))
        assert outcomes[0] == outcomes[1]

    @initialize(facts=st.lists(st.sampled_from(SHIPMENTS), max_size=4, unique_by=id))
    def facts_first(self, facts: list[Any]) -> None:
        for shipment in facts:
            self.both("upsert_shipment", shipment)

    @rule(picked=st.lists(st.integers(0, len(EVENTS) - 1), min_size=1, max_size=25))
    def ingest(self, picked: list[int]) -> None:
        self.both("ingest", [EVENTS[i] for i in picked])

    @rule(index=st.integers(0, len(SHIPMENTS) - 1), data=st.randoms(use_true_random=False))
    def ingest_a_parcel(self, index: int, data: Any) -> None:
        """Every event of one parcel, in a random order: most parcels then have
        something open to follow up."""
        number = SHIPMENTS[index].tracking_number
        trail = [e for e in EVENTS if e.tracking_number == number]
        data.shuffle(trail)
        self.both("ingest", trail)

    @rule(hours=st.integers(0, SPAN_HOURS))
    def advance(self, hours: int) -> None:
        self.both("advance", to=START + timedelta(hours=hours))

    @rule(index=st.integers(0, len(SHIPMENTS) - 1))
    def upsert_shipment(self, index: int) -> None:
        self.both("upsert_shipment", SHIPMENTS[index])

    @precondition(lambda self: self.memory.next_due() is not None or len(self.memory) > 0)
    @rule(pick=st.integers(0, 50), minutes=st.integers(0, 600), resolve=st.booleans())
    def follow_up(self, pick: int, minutes: int, resolve: bool) -> None:
        opened = self.memory.open_incidents()
        if not opened:
            return
        incident = opened[pick % len(opened)]
        at = incident.opened_at + timedelta(minutes=minutes)
        if resolve:
            self.both("resolve", incident.id, by="bo", at=at, note=f"note {pick}")
        else:
            self.both("acknowledge", incident.id, by="ana", at=at)

    @rule(raw=st.text(min_size=1, max_size=8))
    def unknown_incident(self, raw: str) -> None:
        self.both("acknowledge", f"inc_{raw}", by="ana", at=AT)

    @rule()
    def reopen_the_store(self) -> None:
        self.store.close()
        self.store = open_store(self.url, cache_size=5)
        self.durable = Engine(PACK, store=self.store)

    @rule()
    def dump_and_load(self) -> None:
        assert _states(self.durable) == _states(self.memory)
        self.memory = Engine.load(PACK, self.memory.dump(mask=False))

    @invariant()
    def same_answers(self) -> None:
        durable, memory = self.durable, self.memory
        opened = memory.open_incidents()
        assert durable.open_incidents() == opened
        assert len(durable) == len(memory)
        assert durable.next_due() == memory.next_due()
        for incident in opened[:3]:
            assert durable.incident(incident.id) == incident
            assert durable.actions(incident.id) == memory.actions(incident.id)
        for kind in {i.kind for i in opened}:
            assert durable.open_incidents(kind=kind, limit=2) == memory.open_incidents(
                kind=kind, limit=2
            )


current = settings()
StoreMatchesMemory.TestCase.settings = settings(
    max_examples=min(current.max_examples, 25),
    stateful_step_count=15,
    deadline=None,
)
test_store_matches_memory = pytest.mark.slow(StoreMatchesMemory.TestCase)
