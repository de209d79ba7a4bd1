"""``logix run --jobs N`` prints what one process prints, byte for byte: the same
incidents in the same order, the same skipped lines with their line numbers, the
same counts and summary, the same exit status; and a failure in a worker process
surfaces as the error it was, never a hang."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_line_records import _line  # one JSON line, with changes

from logix_rules import generate_demo, load_pack
from logix_rules.cli import _run_jobs
from logix_rules.cli._main import main
from logix_rules.cli._run_jobs import JOBS_FROM_BYTES, jobs_for, run_sharded
from logix_rules.core._errors import CodedError, ErrorCode
from logix_rules.demo._files import event_to_json, shipment_to_json
from logix_rules.runtime._engine import Engine
from logix_rules.runtime._io import InputFileError
from logix_rules.runtime._line_records import FIRST_SHARE, RecordChunks, shard_of, shard_table

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="--jobs forks"
)

# Lines whose tracking number is not certain from their bytes, or that are bad: every
# shard reads them the full way; one keeps each.
ODD_LINES = [
    _line(tracking_number="LP\\u0041", event_id="esc_1"),  # an escape: LPA, read in full
    _line(tracking_number="LPA", event_id="esc_2", description='say "hi"'),
    '{"tracking_numbe\\u0072": "LPB", "carrier": "cainiao", "occurred_at": '
    '"2026-02-27T01:33:00+08:00", "status": "in_transit", "event_id": "esc_3", '
    '"attributes": {"tracking_number": "NESTED"}}',  # the top-level key escaped
    '{"tracking_number": "LP006", "carrier": "cainiao", "occurred_at": '
    '"2026-02-27T01:33:00+08:00", "status": "in_transit", "event_id": "dup_1", '
    '"tracking_number": "LP007"}',  # the key twice: the last one counts
    _line(tracking_number=" LP003 ", event_id="space_1"),  # stripped by validation
    _line(tracking_number="LP\u00e9\u4e2d", event_id="uni_1"),
    _line(tracking_number="L" * 81, event_id="long_tn"),
    _line(tracking_number="", event_id="empty_tn"),
    _line(event_id="naive_1", occurred_at="2026-02-27T01:33:00"),
    _line(tracking_number="LP009", event_id="bad_status", status="no_such_status"),
    _line(tracking_number="LP012", event_id="name_1", attributes={"recipient_name": "Wei Li"}),
    _line(tracking_number="LP012", event_id="name_2", description="Wei Li signed, 13812345678"),
    "",
    "   ",
    "[1, 2]",
    "null",
    '{"tracking_number": "LP016"',
    "not json at all",
    '{"tracking_number": "LP017", "event_id": "surrogate", "description": "\\ud83d"}',
]


def _demo_lines(seed: int, shipments: int) -> tuple[list[str], list[str]]:
    data = generate_demo(seed=seed, shipments=shipments)
    events = [json.dumps(event_to_json(e), ensure_ascii=False) for e in data.events]
    ships = [json.dumps(shipment_to_json(s), ensure_ascii=False) for s in data.shipments]
    return events, ships


def _mixed(seed: int) -> tuple[bytes, list[str]]:
    """Demo events (duplicates and late scans among them), shuffled a little so more
    arrive late, with the odd lines, a byte-order mark, a line that is not UTF-8 and
    one longer than any event strewn in."""
    events, ships = _demo_lines(seed, 40)
    rng = random.Random(seed)
    for _ in range(len(events) // 10):  # swap neighbours: later scans arrive first
        i = rng.randrange(len(events) - 1)
        events[i], events[i + 1] = events[i + 1], events[i]
    lines: list[bytes] = [line.encode() for line in events]
    for odd in ODD_LINES:
        lines.insert(rng.randrange(1, len(lines)), odd.encode())
    lines.insert(rng.randrange(1, len(lines)), b'{"tracking_number": "LP\xff", "x": 1}')
    lines.insert(rng.randrange(1, len(lines)), b'{"description": "' + b"x" * (1 << 20) + b'"}')
    lines[0] = "\ufeff".encode() + lines[0]
    return b"\n".join(lines) + b"\n", ships


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _same_for_every_jobs(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    one = _run([*argv, "--jobs", "1"], capsys)
    for jobs in ("2", "3"):
        assert _run([*argv, "--jobs", jobs], capsys) == one, jobs
    assert multiprocessing.active_children() == []
    return one[1]


@pytest.mark.parametrize("fmt", ["jsonl", "json", "table"])
@pytest.mark.parametrize("seed", [1, 2])
def test_jobs_print_what_one_process_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, seed: int
) -> None:
    data, ships = _mixed(seed)
    events = tmp_path / "events.jsonl"
    events.write_bytes(data)
    out = _same_for_every_jobs(
        ["run", "--pack", "default", "--events", str(events), "--format", fmt], capsys
    )
    assert out.strip()  # incidents, not an empty run
    shipments = tmp_path / "shipments.jsonl"
    shipments.write_text("\n".join([*ships, "{bad", ships[0]]) + "\n")
    argv = ["run", "--pack", "default", "--events", str(events), "--shipments", str(shipments)]
    _same_for_every_jobs([*argv, "--format", fmt, "--max-problems", "0"], capsys)
    _same_for_every_jobs([*argv, "--format", fmt, "--no-mask", "--assume-tz", "UTC"], capsys)


def test_jobs_with_at_ignore_the_same_later_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, _ = _mixed(3)
    events = tmp_path / "events.jsonl"
    events.write_bytes(data)
    argv = ["run", "--pack", "default", "--events", str(events), "--format", "json"]
    out = _same_for_every_jobs([*argv, "--at", "2026-03-02T00:00:00Z"], capsys)
    assert json.loads(out)["incidents"]
    _, _, err = _run([*argv, "--at", "2026-03-02T00:00:00Z", "--jobs", "2"], capsys)
    assert "after --at" in err


def test_jobs_over_a_file_of_bad_lines_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(["{bad", "[]", _line(status="nope"), ""]) + "\n")
    argv = ["run", "--pack", "default", "--events", str(events)]
    _same_for_every_jobs(argv, capsys)
    code, _, err = _run([*argv, "--jobs", "2"], capsys)
    assert code == 1
    assert "no valid events" in err
    assert [line.split(":")[1] for line in err.splitlines() if line.startswith("skipped")] == [
        "1",
        "2",
        "3",
    ]


def test_every_shard_counts_every_line_and_keeps_its_own(tmp_path: Path) -> None:
    data, _ = _mixed(4)
    path = tmp_path / "events.jsonl"
    path.write_bytes(data)
    kernel = Engine(load_pack("default"))._kernel
    whole = RecordChunks(path, kernel, names=True, size=50)
    want = _gathered(whole)
    for shards in (2, 3):
        readers = [
            RecordChunks(path, kernel, names=True, size=50, shard=(k, shards))
            for k in range(shards)
        ]
        parts = [_gathered(reader) for reader in readers]
        for k, (groups, _, _) in enumerate(parts):
            assert all(shard_of(tn, shards) == k for tn in groups)
        assert {tn: r for p in parts for tn, r in p[0].items()} == want[0]
        assert {tn: c for p in parts for tn, c in p[1].items()} == want[1]
        assert {tn: n for p in parts for tn, n in p[2].items()} == want[2]
        got = sorted((p.index, p.errors) for r in readers for p in r.problems)
        assert got == [(p.index, p.errors) for p in whole.problems]
        assert {r.lines for r in readers} == {whole.lines}


@pytest.mark.parametrize("shards", [1, 2, 3, 8])
def test_shard_0_keeps_a_smaller_share_the_others_even_ones(shards: int) -> None:
    # The first process also starts the run and merges the output: it keeps fewer
    # parcels, so it ends with the others.
    table = shard_table(shards)
    slots = [table.count(k) for k in range(shards)]
    assert sorted(set(table)) == list(range(shards))
    if shards > 1:
        assert max(slots[1:]) - min(slots[1:]) <= 1
        assert slots[0] == round(len(table) * FIRST_SHARE / (shards - 1 + FIRST_SHARE))
        assert slots[0] < min(slots[1:])
    kept = [0] * shards
    for i in range(20_000):
        kept[shard_of(f"LP{i:09d}CN", shards)] += 1
    for k in range(shards):
        assert abs(kept[k] / 20_000 - slots[k] / len(table)) < 0.02


def _gathered(reader: RecordChunks) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    groups: dict[str, list[Any]] = {}
    carriers: dict[str, str] = {}
    for found, found_carriers, _ in reader:
        for tn, recs in found.items():
            groups.setdefault(tn, []).extend(recs)
            carriers.setdefault(tn, found_carriers[tn])
    return groups, carriers, {tn: list(names) for tn, names in reader.names.items()}


def _sharded(path: Path, **changes: Any) -> Any:
    options: dict[str, Any] = {
        "zone": None,
        "at": None,
        "fmt": "jsonl",
        "mask": True,
        "shipments": tuple,
        "progress": None,
        **changes,
    }
    return run_sharded(str(path), load_pack("default"), 2, **options)


def _demo_file(tmp_path: Path) -> Path:
    events, _ = _demo_lines(5, 30)
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(events) + "\n")
    return path


def test_an_error_in_a_worker_is_raised_as_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _demo_file(tmp_path)
    finish = _run_jobs._Shard.finish

    def failing(self: Any, at: Any) -> Any:
        if self.index == 1:
            raise CodedError(ErrorCode.INVALID_EVENT, "events[3]", "it broke", input="x")
        return finish(self, at)

    monkeypatch.setattr(_run_jobs._Shard, "finish", failing)
    with pytest.raises(CodedError) as raised:
        _sharded(path)
    assert (raised.value.code, raised.value.loc, raised.value.msg) == (
        ErrorCode.INVALID_EVENT,
        "events[3]",
        "it broke",
    )
    assert any("in worker 1" in note for note in raised.value.__notes__)
    assert multiprocessing.active_children() == []


def test_an_error_that_cannot_travel_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _demo_file(tmp_path)
    read = _run_jobs._Shard.read

    class Odd(Exception):  # a local class: it cannot be found by name in another process
        def __init__(self, a: int, b: int) -> None:
            super().__init__(f"{a}/{b}")

    def failing(self: Any) -> Any:
        if self.index == 1:
            raise Odd(1, 2)
        return read(self)

    monkeypatch.setattr(_run_jobs._Shard, "read", failing)
    with pytest.raises(RuntimeError, match="Odd: 1/2"):
        _sharded(path)


def test_a_file_gone_before_a_worker_opens_it_is_an_input_file_error(tmp_path: Path) -> None:
    path = _demo_file(tmp_path)
    # This process opened the file; the workers start after the shipments are read.
    with pytest.raises(InputFileError) as raised:
        _sharded(path, shipments=lambda: (path.unlink(), ())[1])
    assert (raised.value.source, raised.value.message) == (
        str(path),
        "no such file; check the path",
    )


def test_a_worker_that_dies_is_reported_not_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _demo_file(tmp_path)
    read = _run_jobs._Shard.read

    def dying(self: Any) -> Any:
        if self.index == 1:
            os._exit(9)
        return read(self)

    monkeypatch.setattr(_run_jobs._Shard, "read", dying)
    argv = ["run", "--pack", "default", "--events", str(path), "--jobs", "2"]
    code, out, err = _run(argv, capsys)
    assert (code, out) == (2, "")
    assert "worker process 1 of 2 ended without an answer (exit status 9)" in err
    assert "--jobs 1" in err
    assert multiprocessing.active_children() == []


def test_how_many_jobs(tmp_path: Path) -> None:
    small = tmp_path / "small.jsonl"
    small.write_text(_line() + "\n")
    big = tmp_path / "big.jsonl"
    with big.open("wb") as out:
        out.truncate(JOBS_FROM_BYTES)
    assert jobs_for(None, str(small)) == 1
    assert jobs_for(None, str(big)) == min(_run_jobs.usable_cores(), _run_jobs.MAX_AUTO_JOBS)
    assert jobs_for(3, str(small)) == 3
    assert jobs_for(3, "-") == 1  # stdin is read once
    assert jobs_for(None, str(tmp_path / "missing.jsonl")) == 1


def test_jobs_option_is_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _demo_file(tmp_path)
    base = ["run", "--pack", "default", "--events", str(path)]
    assert _run([*base, "--jobs", "0"], capsys)[0] == 2
    assert _run([*base, "--jobs", "two"], capsys)[0] == 2
    assert _run([*base, "--jobs", "auto"], capsys)[0] == 0
    code, _, err = _run([*base, "--jobs", "2", "--store", f"sqlite:///{tmp_path}/s.db"], capsys)
    assert code == 2
    assert "--jobs applies to a run without --store" in err


_TEXT = st.text(alphabet=st.sampled_from('aZ09 _-:"\\\u00e9\t{}'), max_size=10)


@pytest.mark.slow
@given(
    st.lists(
        st.tuples(_TEXT, _TEXT, st.sampled_from(["tracking_number", "event_id", "description"])),
        min_size=1,
        max_size=5,
    )
)
def test_any_lines_are_kept_by_exactly_one_shard(
    tmp_path_factory: pytest.TempPathFactory, values: list[tuple[str, str, str]]
) -> None:
    path = tmp_path_factory.mktemp("shards") / "events.jsonl"
    lines = [_line(), _line(tracking_number="LP002")]
    for tn, other, key in values:
        lines.append(_line(tracking_number=tn, attributes={key: other}))
        lines.append(_line(**{key: other}))  # a known shape with a new value
    path.write_text("\n".join(lines) + "\n")
    kernel = Engine(load_pack("default"))._kernel
    whole = RecordChunks(path, kernel, names=True, size=2)
    want = _gathered(whole)
    readers = [RecordChunks(path, kernel, names=True, size=2, shard=(k, 2)) for k in range(2)]
    parts = [_gathered(reader) for reader in readers]
    assert {tn: r for p in parts for tn, r in p[0].items()} == want[0]
    assert sum(len(p[0]) for p in parts) == len(want[0])
    got = sorted((p.index, p.errors) for r in readers for p in r.problems)
    assert got == [(p.index, p.errors) for p in whole.problems]
    assert {r.lines for r in readers} == {whole.lines}


def test_a_worker_keeps_its_shard_to_the_end(tmp_path: Path) -> None:
    """A forked worker ends with ``os._exit``: its shard stays referenced, so its
    states are never freed one by one (called here in this process, and let go)."""
    events, _ = _demo_lines(3, 30)
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(events) + "\n")
    task = _run_jobs._Task(str(path), load_pack("default"), None, "jsonl", True, 2, (), frozenset())
    mine, theirs = multiprocessing.Pipe()
    mine.send(None)  # the common time: the shard's own latest
    try:
        _run_jobs._child(task, 1, theirs)
        kinds = [mine.recv()[0], mine.recv()[0]]
        assert kinds == ["read", "done"]
        (kept,) = _run_jobs._KEPT
        assert isinstance(kept, _run_jobs._Shard)
        assert len(kept.engine) > 0
    finally:
        _run_jobs._KEPT.clear()
        mine.close()
