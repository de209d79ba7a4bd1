"""The ``file`` adapter: normalized and raw JSONL exports, bad lines as problems."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sdk_support import ToyAdapter, toy_payload, write_distribution

from logix_carriers import (
    ConfigError,
    FileAdapter,
    ProblemCode,
    Status,
    TrackingEvent,
    clear_adapter_cache,
)


def event(number: str, when: str, status: str = "in_transit", **extra: object) -> dict[str, object]:
    return {
        "tracking_number": number,
        "carrier": "dhl",
        "occurred_at": when,
        "status": status,
        "location": {"city": "Leipzig", "country": "DE"},
        **extra,
    }


def write_lines(path: Path, *lines: object) -> Path:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return path


@pytest.fixture
def toy_registered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make the Toy adapter an installed plugin, so raw ``toy`` lines can be parsed."""
    monkeypatch.delenv("LOGIX_DISABLE_PLUGINS", raising=False)
    write_distribution(tmp_path / "site", "toy-carrier", "0.1", {"toy": "sdk_support:ToyAdapter"})
    sys.path.insert(0, str(tmp_path / "site"))
    clear_adapter_cache()
    yield
    sys.path.remove(str(tmp_path / "site"))
    clear_adapter_cache()


def test_normalized_lines_become_events(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "export.jsonl",
        event("JD1", "2026-03-02T10:00:00+01:00", "delivered"),
        "",
        event("JD1", "2026-03-01T08:00:00+01:00", "picked_up"),
        event("JD2", "2026-03-01T09:00:00Z"),
    )
    result = FileAdapter(path=path).track()
    assert result.ok
    assert [e.status for e in result.events_for("JD1")] == [Status.PICKED_UP, Status.DELIVERED]
    assert result.events_for("JD2")[0].carrier == "dhl"  # events keep their own carrier
    assert result.carrier == "file"


def test_malformed_lines_are_problems_with_line_numbers(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "export.jsonl",
        event("JD1", "2026-03-01T08:00:00+01:00"),
        '{"tracking_number": "JD1", "occurred_at": ',
        "[1, 2]",
        event("JD1", "2026-03-01T09:00:00"),
        event("JD1", "2026-03-01T10:00:00+01:00", "teleported"),
        {"hello": "world"},
        {"carrier": "nosuchcarrier", "payload": {}},
        event("JD1", "2026-03-01T11:00:00+01:00", "delivered"),
    )
    result = FileAdapter(path=path).track()
    assert len(result.events_for("JD1")) == 2  # lines 1 and 8 survive
    found = [(p.location, p.code) for p in result.problems]
    assert found == [
        ("line 2", ProblemCode.BAD_PAYLOAD),
        ("line 3", ProblemCode.BAD_PAYLOAD),
        ("line 4", ProblemCode.BAD_EVENT),
        ("line 5", ProblemCode.BAD_EVENT),
        ("line 6", ProblemCode.BAD_PAYLOAD),
        ("line 7", ProblemCode.BAD_PAYLOAD),
    ]
    messages = {p.location: p.message for p in result.problems}
    assert "not JSON" in messages["line 2"]
    assert "expected a JSON object, got list" in messages["line 3"]
    assert "no UTC offset" in messages["line 4"]
    assert "status" in messages["line 5"]
    assert "'nosuchcarrier'" in messages["line 7"]
    assert result.problems[2].tracking_number == "JD1"


def test_assume_tz_reads_naive_times_in_that_zone(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "e.jsonl", event("JD1", "2026-03-01T09:00:00"))
    adapter = FileAdapter(path=path, assume_tz="Asia/Shanghai")
    (parsed,) = adapter.track().events_for("JD1")
    assert parsed.offset_source == "assumed"
    assert parsed.utc_offset_minutes == 480
    assert parsed.occurred_at.isoformat() == "2026-03-01T01:00:00+00:00"


def test_exported_events_read_back_identically(tmp_path: Path) -> None:
    original = [
        TrackingEvent.parse(event("JD1", "2026-03-01T08:00:00+01:00", "picked_up")),
        TrackingEvent.parse(
            event("JD1", "2026-03-02T08:00:00-05:00", "exception", reason="customs_hold")
        ),
    ]
    path = write_lines(tmp_path / "e.jsonl", *(e.model_dump_json() for e in original))
    assert list(FileAdapter(path=path).track().events_for("JD1")) == original


def test_raw_lines_are_dispatched_to_the_carriers_parser(
    tmp_path: Path, toy_registered: None
) -> None:
    path = write_lines(
        tmp_path / "raw.jsonl",
        {"carrier": "toy", "payload": toy_payload("T1", "T2")},
        {"carrier": "TOY", **toy_payload("T3", code="ZZ")},
        {"carrier": "toy", "payload": {"no": "parcels"}},
    )
    result = FileAdapter(path=path).track()
    assert set(result.events) == {"T1", "T2", "T3"}
    assert result.events_for("T3")[0].status is Status.UNKNOWN
    unknown, broken = result.problems
    assert (unknown.code, unknown.location) == (
        ProblemCode.UNKNOWN_CODE,
        "line 2: parcels[0].events[0]",
    )
    assert (broken.code, broken.location) == (ProblemCode.BAD_PAYLOAD, "line 3")
    assert "toy parser rejected" in broken.message
    assert (
        result.events
        == ToyAdapter()
        .parse_payload(toy_payload("T1", "T2"))
        .merge(ToyAdapter().parse_payload(toy_payload("T3", code="ZZ")))
        .events
    )


def test_track_selects_numbers_and_reports_absent_ones(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "e.jsonl",
        event("JD1", "2026-03-01T08:00:00+01:00"),
        event("JD2", "2026-03-01T08:00:00+01:00"),
        "not json",
    )
    result = FileAdapter(path=path).track(["JD2", "JD9"])
    assert list(result.events) == ["JD2"]
    assert [(p.tracking_number, p.code) for p in result.problems] == [
        (None, ProblemCode.BAD_PAYLOAD),  # a broken line might have been JD9: keep it
        ("JD9", ProblemCode.NOT_FOUND),
    ]


def test_atrack_reads_the_file_too(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "e.jsonl", event("JD1", "2026-03-01T08:00:00+01:00"))
    result = asyncio.run(FileAdapter(path=path).atrack(["JD1"]))
    assert list(result.events) == ["JD1"]


def test_path_comes_from_the_environment(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "e.jsonl", event("JD1", "2026-03-01T08:00:00+01:00"))
    adapter = FileAdapter(environ={"LOGIX_FILE_PATH": str(path)})
    assert list(adapter.track().events) == ["JD1"]


def test_missing_path_names_the_variable() -> None:
    with pytest.raises(ConfigError) as info:
        FileAdapter(environ={}).track()
    assert info.value.variable == "LOGIX_FILE_PATH"


def test_unreadable_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot read .*missing\.jsonl"):
        FileAdapter(path=tmp_path / "missing.jsonl").track()
    latin1 = tmp_path / "latin1.jsonl"
    latin1.write_bytes(b'{"city": "K\xf6ln"}\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        FileAdapter(environ={}).read(latin1)


def test_parse_payload_takes_one_line_or_a_list() -> None:
    adapter = FileAdapter()
    one = adapter.parse_payload(event("JD1", "2026-03-01T08:00:00+01:00"))
    many = adapter.parse_payload([event("JD1", "2026-03-01T08:00:00+01:00"), 42])
    assert one.events == many.events
    assert [(p.location, p.code) for p in many.problems] == [("[1]", ProblemCode.BAD_PAYLOAD)]
