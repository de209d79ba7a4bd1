"""An Engine shared between threads (issue 11 §7): one lock around every state change
and every snapshot read, so readers never see a half-applied batch."""

from __future__ import annotations

import contextlib
import threading

from logix_rules import Engine, UnknownIncident, generate_demo
from logix_rules.demo._generator import DEMO_AT


def _batches(events: list, size: int) -> list[list]:
    return [events[i : i + size] for i in range(0, len(events), size)]


def test_readers_racing_ingest_never_fail_and_the_result_is_the_single_threaded_one() -> None:
    demo = generate_demo(seed=11, shipments=120)
    events = list(demo.events)
    shared = Engine("default")
    errors: list[BaseException] = []
    done = threading.Event()

    def write() -> None:
        try:
            for fact in demo.shipments:
                shared.upsert_shipment(fact)
            for batch in _batches(events, 40):
                shared.ingest(batch)
            shared.advance(to=DEMO_AT)
        except BaseException as exc:  # recorded for the assertion below
            errors.append(exc)
        finally:
            done.set()

    def read(kind: str) -> None:
        try:
            while not done.is_set():
                if kind == "open":
                    for incident in shared.open_incidents():
                        # cleared by the writer since the list was taken: fine
                        with contextlib.suppress(UnknownIncident):
                            shared.incident(incident.id)
                elif kind == "dump":
                    Engine.load("default", shared.dump(mask=False))
                else:
                    len(shared)
                    shared.next_due()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write)]
    threads += [threading.Thread(target=read, args=(k,)) for k in ("open", "dump", "len")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []

    alone = Engine("default")
    for fact in demo.shipments:
        alone.upsert_shipment(fact)
    alone.ingest(events)
    alone.advance(to=DEMO_AT)
    assert [i.to_dict(mask=False) for i in shared.open_incidents()] == [
        i.to_dict(mask=False) for i in alone.open_incidents()
    ]


def test_follow_up_from_many_threads_records_each_incident_once() -> None:
    demo = generate_demo(seed=5, shipments=80)
    engine = Engine("default")
    for fact in demo.shipments:
        engine.upsert_shipment(fact)
    engine.ingest(list(demo.events))
    engine.advance(to=DEMO_AT)
    ids = [incident.id for incident in engine.open_incidents()]
    assert ids
    outcomes: list[str] = []
    lock = threading.Lock()

    def ack(worker: int) -> None:
        for incident_id in ids:
            try:
                engine.acknowledge(incident_id, by=f"w{worker}", at=DEMO_AT)
                result = "ok"
            except Exception as exc:  # a second acknowledge may be refused, never corrupt
                result = type(exc).__name__
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=ack, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 4 * len(ids)
    assert set(outcomes) <= {"ok", "UnknownIncident"}
    for incident_id in ids:
        assert engine.incident(incident_id).acknowledged_by in {"w0", "w1", "w2", "w3"}
