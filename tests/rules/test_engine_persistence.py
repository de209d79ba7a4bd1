"""Engine dumps that cannot be silently wrong (issue 11 §6): checksummed, every
malformed input a StateError, and ``save`` atomic under SIGKILL."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from logix_rules import Engine, StateError, generate_demo, load_pack

PACK = load_pack("default")
DEMO = generate_demo(seed=31, shipments=30)


def demo_engine() -> Engine:
    engine = Engine(PACK)
    for shipment in DEMO.shipments[::2]:
        engine.upsert_shipment(shipment)
    engine.ingest(DEMO.events)
    engine.advance(to=DEMO.at)
    for incident in engine.open_incidents()[::2]:
        engine.acknowledge(incident.id, by="ana")
    return engine


ENGINE = demo_engine()
DUMP = ENGINE.dump(mask=False)


def picture(engine: Engine) -> Any:
    return (
        [i.to_dict(mask=False) for i in engine.open_incidents()],
        engine.next_due(),
        len(engine),
        engine.dump(mask=False),
    )


def test_300_single_byte_flips_load_the_same_engine_or_raise_state_error() -> None:
    rng = random.Random(11)
    expected = picture(Engine.load(PACK, DUMP))
    refused = 0
    for _ in range(300):
        flipped = bytearray(DUMP)
        flipped[rng.randrange(len(DUMP))] ^= rng.randrange(1, 256)
        try:
            engine = Engine.load(PACK, bytes(flipped))
        except StateError:
            refused += 1
            continue
        assert picture(engine) == expected  # never a different engine
    assert refused == 300  # the digest covers every byte


def test_a_dump_listing_a_parcel_twice_is_refused() -> None:
    one = Engine(PACK)
    one.ingest(
        [
            {
                "tracking_number": "T1",
                "carrier": "dhl",
                "status": "in_transit",
                "occurred_at": "2026-03-02T10:00:00Z",
            }
        ]
    )
    dump = one.dump(mask=False)
    header, _, body = dump.partition(b"\n")
    head, _, records = body.partition(b"\n")
    doc = json.loads(head)
    doc["count"] = 2
    twice = json.dumps(doc, separators=(",", ":")).encode() + b"\n" + records + records
    forged = _with_digest(header, twice)
    with pytest.raises(StateError, match="twice"):
        Engine.load(PACK, forged)


def _with_digest(header: bytes, body: bytes) -> bytes:
    import hashlib

    magic, version, _ = header.split(b" ")
    digest = hashlib.blake2b(body, digest_size=16).hexdigest().encode()
    return b"%s %s blake2b=%s\n%s" % (magic, version, digest, body)


def _forged(change_head: Any = None, records: bytes | None = None) -> bytes:
    header, _, body = DUMP.partition(b"\n")
    head, _, rest = body.partition(b"\n")
    doc = json.loads(head)
    if change_head is not None:
        change_head(doc)
    text = head if change_head is None else json.dumps(doc).encode()
    return _with_digest(header, text + b"\n" + (rest if records is None else records))


MALFORMED: dict[str, Any] = {
    "not bytes": "a string",
    "empty": b"",
    "another file": b"%PDF-1.7\n...",
    "a header without digest": b"logix-engine-dump 2\n{}",
    "a future version": b"logix-engine-dump 9 blake2b=00\n{}",
    "now a string": _forged(lambda d: d.update(now="tomorrow")),
    "now out of range": _forged(lambda d: d.update(now=10**30)),
    "count wrong": _forged(lambda d: d.update(count=d["count"] + 1)),
    "head not an object": _forged(lambda d: None, None).replace(b"{", b"[", 1),
    "a truncated state": _forged(records=b"\xff\xff\x00\x00abc"),
    "a state of garbage": _forged(
        lambda d: d.update(count=1), records=(12).to_bytes(4, "little") + b"garbage-here"
    ),
    "deep nesting, version 1": b'{"v":1,"shipments":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "version 1 shipments not a list": b'{"v":1,"shipments":{"a":1}}',
    "version 1 shipment of the wrong type": b'{"v":1,"shipments":[{"v":1,"tn":5}]}',
    "version 1 now a float": b'{"v":1,"now":1.5,"shipments":[]}',
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
@pytest.mark.filterwarnings("ignore:the dump was made with")
def test_malformed_dumps_are_state_errors(case: str) -> None:
    with pytest.raises(StateError):
        Engine.load(PACK, MALFORMED[case])


def test_version_1_dumps_still_load() -> None:
    from test_state_v2 import v1_bytes

    numbers = dict.fromkeys(i.tracking_number for i in ENGINE.open_incidents())
    states = [ENGINE.shipment_state(tn) for tn in numbers]
    doc = {
        "v": 1,
        "pack": PACK.fingerprint,
        "now": ENGINE._host.clock(),  # type: ignore[attr-defined]
        "shipments": [json.loads(v1_bytes(ENGINE._kernel, s)) for s in states],
    }
    old = Engine.load(PACK, json.dumps(doc).encode())
    assert [i.id for i in old.open_incidents()] == [i.id for i in ENGINE.open_incidents()]


def test_save_and_open(tmp_path: Path) -> None:
    path = tmp_path / "engine.logix"
    ENGINE.save(path)
    assert picture(Engine.open(PACK, path)) == picture(ENGINE)
    assert [p.name for p in tmp_path.iterdir()] == ["engine.logix"]  # no temporary left
    with pytest.raises(StateError):
        Engine.open(PACK, tmp_path / "missing.logix")


SAVER = textwrap.dedent(
    """
    import os, sys
    from logix_rules import Engine, generate_demo
    demo = generate_demo(seed=5, shipments=200)
    events = list(demo.events)
    step = max(1, len(events) // 40)
    for line in sys.stdin:  # one worker per line; the test kills each with SIGKILL
        worker = os.fork()
        if worker == 0:
            engine, round = Engine("default"), 0
            while True:  # save over and over, the engine growing, until killed
                engine.ingest(events[(round * step) % len(events):][:step])
                engine.save(sys.argv[1])
                print("saved", flush=True)
                round += 1
        print("pid", worker, flush=True)
        os.waitpid(worker, 0)
    """
)


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_sigkill_during_save_leaves_a_file_that_loads(tmp_path: Path) -> None:
    path = tmp_path / "engine.logix"
    Engine(PACK).save(path)  # an old file to replace
    rng = random.Random(3)
    sizes = set()
    supervisor = subprocess.Popen(
        [sys.executable, "-c", SAVER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert supervisor.stdin is not None
    assert supervisor.stdout is not None
    try:
        for _ in range(12):
            supervisor.stdin.write("go\n")
            supervisor.stdin.flush()
            line = supervisor.stdout.readline()
            while not line.startswith("pid "):  # "saved" lines of the last worker
                line = supervisor.stdout.readline()
            worker = int(line.split()[1])
            # Kill after a random number of whole saves, then at a random instant: waiting
            # on the worker, not on a clock, keeps this test honest on a loaded machine.
            for _ in range(rng.randint(1, 6)):
                assert supervisor.stdout.readline() == "saved\n"
            time.sleep(rng.uniform(0.0, 0.05))
            os.kill(worker, signal.SIGKILL)
            time.sleep(0.05)
            engine = Engine.open(PACK, path)  # the old file or a new one, whole
            sizes.add(path.stat().st_size)
            assert engine.dump(mask=False) == Engine.open(PACK, path).dump(mask=False)
            for stale in tmp_path.iterdir():  # a killed save may leave its temporary file
                if stale.name != "engine.logix":
                    assert stale.name.startswith(".engine.logix.")
                    stale.unlink()
    finally:
        supervisor.stdin.close()
        supervisor.wait(timeout=30)
    assert len(sizes) > 3  # the file was being rewritten when the kills came
