"""``logix run``'s reader (``_line_records.RecordChunks``) gives what the full reader
gives: the same records by tracking number, carriers, names, problems and line count
as ``EventChunks`` followed by ``Kernel.group``, for lines that take the shortcut
(a known shape with three new values) and for every line that must not."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logix_rules import load_pack
from logix_rules.cli._main import main
from logix_rules.runtime._engine import Engine
from logix_rules.runtime._io import MAX_LINE_BYTES, EventChunks
from logix_rules.runtime._line_records import RecordChunks

BASE: dict[str, Any] = {
    "tracking_number": "LP001",
    "carrier": "cainiao",
    "occurred_at": "2026-02-27T01:33:00+08:00",
    "status": "in_transit",
    "location": {"country": "CN", "city": "Yiwu"},
    "description": "Departed facility",
    "attributes": {},
    "source": {"system": "aftership", "status": "InTransit"},
    "event_id": "ev_1",
}


def _line(**changes: Any) -> str:
    doc = {**BASE, **changes}
    return json.dumps({k: v for k, v in doc.items() if v is not _DROP}, ensure_ascii=False)


_DROP = object()


def _both(path: Path, assume_tz: str | None = None) -> tuple[Any, Any]:
    kernel = Engine(load_pack("default"))._kernel
    fast = RecordChunks(path, kernel, names=True, size=3, assume_tz=assume_tz)
    got = [(dict(g), dict(c), n) for g, c, n in fast]
    full = EventChunks(path, size=3, assume_tz=assume_tz)
    want_groups: dict[str, list[Any]] = {}
    want_carriers: dict[str, str] = {}
    count = 0
    for chunk in full:
        count += len(chunk)
        groups, carriers = kernel.group(chunk)
        for tn, recs in groups.items():
            want_groups.setdefault(tn, []).extend(recs)
            want_carriers.setdefault(tn, carriers[tn])
    got_groups: dict[str, list[Any]] = {}
    got_carriers: dict[str, str] = {}
    for groups, carriers, n in got:
        assert n == sum(len(r) for r in groups.values())
        for tn, recs in groups.items():
            got_groups.setdefault(tn, []).extend(recs)
            got_carriers.setdefault(tn, carriers[tn])

    def problems(reader: Any) -> list[Any]:
        return [(p.index, p.code, p.errors) for p in reader.problems]

    assert sum(n for *_, n in got) == count
    return (
        (got_groups, got_carriers, problems(fast), fast.lines),
        (want_groups, want_carriers, problems(full), full.lines),
    )


# Lines that follow a first line of the same shape: each must come out as the full
# reader reads it, whether it takes the shortcut or not.
VARIANTS = [
    _line(tracking_number="LP002", event_id="ev_2", occurred_at="2026-02-27T01:59:59+08:00"),
    _line(tracking_number="LP002", event_id="ev_3", occurred_at="2026-02-27T02:00:00+08:00"),
    _line(event_id="ev_4", occurred_at="2026-02-27T01:33:00.250+08:00"),
    _line(event_id="ev_5", occurred_at="2026-02-27T01:33:00Z"),
    _line(event_id="ev_6", occurred_at="2026-02-27T01:60:00+08:00"),
    _line(event_id="ev_7", occurred_at="2026-02-27T01:33:61+08:00"),
    _line(event_id="ev_8", occurred_at="2026-02-27T01:33:00"),
    _line(event_id="ev_9", occurred_at="2199-12-31T23:33:00+00:00"),
    _line(event_id="ev_10", occurred_at="1970-01-01T00:33:00+00:00"),
    _line(event_id="ev_11", occurred_at="1970-01-01T07:33:00+08:00"),
    _line(event_id="ev_12", occurred_at="2026-02-27T01:33:00+19:00"),
    _line(event_id="ev_13", occurred_at="2026-02-27 01:33:00+08:00"),
    _line(event_id="ev_14", occurred_at="2026-W09-5T01:33:00+08:00"),
    _line(event_id="ev_15", occurred_at="  2026-02-27T01:33:00+08:00"),
    _line(tracking_number=" LP003", event_id="ev_16"),
    _line(tracking_number="", event_id="ev_17"),
    _line(tracking_number="L" * 81, event_id="ev_18"),
    _line(tracking_number="LP\u00e9\u4e2d", event_id="ev_19"),
    _line(tracking_number="LP\\u0041", event_id="ev_20"),
    _line(event_id=""),
    _line(event_id="e" * 201),
    _line(event_id="ev_21 "),
    _line(event_id="ev\t22"),
    # Event ids at the edges of the inline check (``_PLAIN_ID``) and past them.
    _line(event_id="e" * 200),
    _line(event_id=" ev_33"),
    _line(event_id="ev 34"),
    _line(event_id="ev_\u00e935"),
    _line(event_id="ev\\36"),
    _line(event_id="ev\x7f37"),
    _line(event_id="~!ev#38}"),
    # Event ids at the edges of the letters-digits-``_-.:`` check and past them.
    _line(event_id="ev:12-34.5_6"),
    _line(event_id="-"),
    _line(event_id="_-.:"),
    _line(event_id="a-" * 100),
    _line(event_id="a-" * 100 + "b"),
    _line(event_id="ev_1\u0661"),
    _line(event_id="ev-1 "),
    _line(event_id="ev/1"),
    # Times the ``"MM:SS"`` table must not read past or misplace.
    _line(event_id="ev_39", occurred_at="2026-02-27T01"),
    _line(event_id="ev_40", occurred_at="2026-02-27T01:33"),
    _line(event_id="ev_41", occurred_at="2026-02-27T1:33:00+08:00"),
    _line(event_id="ev_42", occurred_at="2026-02-27T01:33:00+08"),
    _line(event_id="ev_43", occurred_at="2026-02-27T01-33:00+08:00"),
    _line(tracking_number="LP004", event_id="ev_23", description="tracking_number"),
    _line(tracking_number="LP005", event_id="ev_24", attributes={"event_id": "x"}),
    '{"tracking_number": "LP006", "carrier": "cainiao", "occurred_at": '
    '"2026-02-27T01:33:00+08:00", "status": "in_transit", "event_id": "ev_25", '
    '"tracking_number": "LP007"}',
    '{"tracking_numbe\\u0072": "LP008", "carrier": "cainiao", "occurred_at": '
    '"2026-02-27T01:33:00+08:00", "status": "in_transit", "event_id": "ev_26"}',
    _line(tracking_number="LP009", event_id="ev_27", status="no_such_status"),
    _line(tracking_number="LP010", event_id="ev_28", utc_offset_minutes=60),
    _line(tracking_number="LP011", event_id="ev_29", estimated_delivery="2026-03-01T00:00:00Z"),
    _line(tracking_number="LP012", event_id="ev_30", attributes={"recipient_name": "Wei Li"}),
    _line(tracking_number="LP013", event_id="ev_31", carrier=" CaiNiao "),
    _line(tracking_number="LP014", event_id=_DROP),
    _line(tracking_number="LP015", event_id="ev_32").replace('": "', '":"'),
    "",
    "[1, 2]",
    '{"tracking_number": "LP016"',
]


@pytest.mark.parametrize("variant", VARIANTS, ids=range(len(VARIANTS)))
def test_a_line_after_its_shape_reads_as_the_full_reader_reads_it(
    tmp_path: Path, variant: str
) -> None:
    path = tmp_path / "events.jsonl"
    # Line 1 never takes the shortcut; line 2 makes the shape known; then the variant,
    # twice (once as a new shape, once as a known one), and the first line again.
    first = _line(tracking_number="LP000", event_id="ev_0")
    path.write_text("\n".join([first, _line(), variant, variant, first]) + "\n")
    got, want = _both(path)
    assert got == want


def test_assumed_zone_reads_naive_times_the_same(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    lines = [_line(event_id=f"ev_{i}", occurred_at=f"2026-02-27T01:{i:02d}:00") for i in range(9)]
    path.write_text("\n".join(lines) + "\n")
    got, want = _both(path, assume_tz="Asia/Shanghai")
    assert got == want
    assert len(got[0]["LP001"]) == 9


def test_a_byte_order_mark_is_read_on_line_1_only(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    line = _line()
    path.write_bytes(("\ufeff" + line + "\n\ufeff" + line + "\n" + line + "\n").encode())
    got, want = _both(path)
    assert got == want
    assert [p[0] for p in got[2]] == [2]


def test_known_shapes_take_the_shortcut(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    lines = [
        _line(
            tracking_number=f"LP{i % 7}",
            event_id=f"ev_{i}",
            occurred_at=f"2026-02-27T{i % 24:02d}:{i % 60:02d}:{i % 59:02d}+08:00",
        )
        for i in range(500)
    ]
    path.write_text("\n".join(lines) + "\n")
    got, want = _both(path)
    assert got == want
    kernel = Engine(load_pack("default"))._kernel
    reader = RecordChunks(path, kernel)
    assert sum(n for *_, n in reader) == 500
    assert len(reader._shapes) == 1  # one shape stands for all 499 lines after line 1


def test_over_long_lines_are_problems_and_reading_goes_on(tmp_path: Path) -> None:
    # The reader reads its lines itself (not through _lines): an over-long line is
    # one problem, its rest skipped, the line after it read as the full reader does,
    # in one process and split in shards alike.
    fits = _line(event_id="ev_fits")
    fits += " " * (MAX_LINE_BYTES - len(fits))  # exactly the limit, without its line end
    lines = [
        _line(),
        fits,
        _line(event_id="ev_2"),
        "x" * (MAX_LINE_BYTES + 1),
        _line(event_id="ev_3"),
        "y" * (3 * MAX_LINE_BYTES),
        _line(tracking_number="LP002", event_id="ev_4"),
        "z" * (MAX_LINE_BYTES + 7),  # the last line, without a line end
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines))
    got, want = _both(path)
    assert got == want
    assert [p[0] for p in got[2]] == [4, 6, 8]
    assert got[3] == 8
    kernel = Engine(load_pack("default"))._kernel
    shards = [RecordChunks(path, kernel, names=True, shard=(k, 2)) for k in range(2)]
    kept = {tn: recs for reader in shards for found, _, _ in reader for tn, recs in found.items()}
    assert kept == got[0]
    assert sorted(p.index for r in shards for p in r.problems) == [4, 6, 8]
    assert [r.lines for r in shards] == [8, 8]


_TEXT = st.text(alphabet=st.sampled_from('aZ09 _-:+.T"\\\u00e9\t'), max_size=12)


@pytest.mark.slow
@given(
    tn=_TEXT,
    event_id=_TEXT,
    occurred=st.one_of(
        _TEXT,
        st.builds(
            "2026-02-{:02d}T{:02d}:{:02d}:{:02d}{}".format,
            st.integers(0, 31),
            st.integers(0, 25),
            st.integers(0, 61),
            st.integers(0, 61),
            st.sampled_from(["+08:00", "Z", "-18:00", "+18:01", "", ".5+01:00", "+05:30"]),
        ),
    ),
)
def test_any_three_values_read_as_the_full_reader_reads_them(
    tmp_path_factory: pytest.TempPathFactory, tn: str, event_id: str, occurred: str
) -> None:
    path = tmp_path_factory.mktemp("lines") / "events.jsonl"
    variant = _line(tracking_number=tn, event_id=event_id, occurred_at=occurred)
    path.write_text("\n".join([_line(), _line(), variant, _line()]) + "\n")
    got, want = _both(path)
    assert got == want


@pytest.mark.parametrize(
    "template",
    [
        # A duplicate key (JSON keeps the last) and a nested key, each with the same
        # value as the first occurrence on the line that makes the shape known.
        '{{"tracking_number": "{v}", "carrier": "cainiao", "occurred_at": '
        '"2026-02-27T01:33:00+08:00", "status": "in_transit", "event_id": "ev_1", '
        '"tracking_number": "LP001"}}',
        '{{"attributes": {{"event_id": "{v}"}}, "tracking_number": "LP001", "carrier": '
        '"cainiao", "occurred_at": "2026-02-27T01:33:00+08:00", "status": "in_transit", '
        '"event_id": "ev_1"}}',
        '{{"occurred_at": "{v}", "tracking_number": "LP001", "carrier": "cainiao", '
        '"occurred_at": "2026-02-27T01:33:00+08:00", "status": "in_transit", '
        '"event_id": "ev_1"}}',
    ],
)
def test_a_key_written_twice_never_stands_for_later_lines(tmp_path: Path, template: str) -> None:
    path = tmp_path / "events.jsonl"
    same = {
        "tracking_number": "LP001",
        "event_id": "ev_1",
        "occurred_at": "2026-02-27T01:33:00+08:00",
    }
    value = next(v for k, v in same.items() if f'"{k}": "{{v}}"' in template)
    other = "2026-02-27T01:34:00+08:00" if value.startswith("2026") else value + "X"
    lines = [_line(), template.format(v=value), template.format(v=other)]
    path.write_text("\n".join(lines) + "\n")
    got, want = _both(path)
    assert got == want


@pytest.mark.parametrize("enabled", [True, False])
def test_logix_run_pauses_the_collector_and_puts_it_back(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    enabled: bool,
) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join([_line(), _line(event_id="ev_2")]) + "\n")
    during: list[bool] = []
    original = Engine._apply

    def spy(self: Engine, *args: Any, **kwargs: Any) -> Any:
        during.append(gc.isenabled())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Engine, "_apply", spy)
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        assert main(["run", "--pack", "default", "--events", str(path), "--format", "jsonl"]) == 0
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()
    assert during == [False]
    capsys.readouterr()  # no incident in two scans: nothing to check there
