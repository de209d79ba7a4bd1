"""Reading ``logix run`` input: bad lines are reported with their line numbers and skipped."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from logix_rules.core._errors import ErrorCode
from logix_rules.runtime._io import PROGRESS_EVERY, InputFileError, read_events, read_shipments


def _event(number: str = "T1", **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "tracking_number": number,
        "carrier": "dhl",
        "occurred_at": "2026-03-10T08:00:00+01:00",
        "status": "in_transit",
        "location": {"country": "DE", "city": "Leipzig"},
    }
    data.update(changes)
    return data


def _jsonl(path: Path, *lines: str | dict[str, Any]) -> Path:
    text = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    path.write_text(text, "utf-8")
    return path


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_good_lines_are_read(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "e.jsonl", _event("A"), "", "   ", _event("B"))
    loaded = read_events(path)
    assert [e.tracking_number for e in loaded.items] == ["A", "B"]
    assert loaded.problems == ()
    assert loaded.lines == 2  # blank lines are not data


def test_bad_lines_are_reported_with_line_numbers_and_skipped(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "events.jsonl",
        _event("A"),
        '{"tracking_number": "B", ',  # line 2: truncated JSON
        "[1, 2]",  # line 3: not an object
        _event("C", status="delivred"),  # line 4: fails validation
        _event("D", occurred_at="2026-03-10T08:00:00"),  # line 5: no offset
        _event("E"),
    )
    loaded = read_events(path)
    assert [e.tracking_number for e in loaded.items] == ["A", "E"]
    assert [p.index for p in loaded.problems] == [2, 3, 4, 5]
    assert all(p.source == str(path) for p in loaded.problems)
    assert all(p.code is ErrorCode.INVALID_EVENT for p in loaded.problems)
    messages = [str(p) for p in loaded.problems]
    assert messages[0].startswith(f"{path}:2: invalid_event:")
    assert "not valid JSON" in messages[0]
    assert "expected a JSON object" in messages[1]
    assert "status" in messages[2]
    assert "Input should be" in messages[2]
    assert "occurred_at" in messages[3]
    assert "no UTC offset" in messages[3]
    # The validation errors keep pydantic's location, JSON-ready.
    # Only the real mistake: not also the stage that could not be derived from it.
    assert [err["loc"] for err in loaded.problems[2].errors] == [("status",)]
    json.dumps([p.errors for p in loaded.problems])


def test_assume_tz_reads_naive_timestamps(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "e.jsonl", _event("D", occurred_at="2026-03-10T08:00:00"))
    loaded = read_events(path, assume_tz="Asia/Shanghai")
    (event,) = loaded.items
    assert event.offset_source == "assumed"
    assert event.utc_offset_minutes == 480
    assert event.occurred_at.isoformat() == "2026-03-10T00:00:00+00:00"


def test_bad_bytes_and_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    first = json.dumps(_event("A")).encode()
    path.write_bytes(
        b"\xef\xbb\xbf" + first + b"\n\xff\xfe broken\n" + json.dumps(_event("B")).encode()
    )
    loaded = read_events(path)
    assert [e.tracking_number for e in loaded.items] == ["A", "B"]
    (problem,) = loaded.problems
    assert problem.index == 2
    assert "UTF-8" in str(problem)


def test_stdin(tmp_path: Path) -> None:
    data = (json.dumps(_event("A")) + "\nnope\n").encode()
    loaded = read_events("-", stdin=io.BytesIO(data))
    assert [e.tracking_number for e in loaded.items] == ["A"]
    assert str(loaded.problems[0]).startswith("<stdin>:2: ")


def test_unreadable_files_raise_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such file") as missing:
        read_events(tmp_path / "missing.jsonl")
    assert str(tmp_path / "missing.jsonl") in str(missing.value)
    with pytest.raises(InputFileError, match="is a directory"):
        read_events(tmp_path)
    with pytest.raises(InputFileError, match="no such file"):
        read_shipments(tmp_path / "missing.csv")


def test_shipments_jsonl(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "s.jsonl",
        {
            "tracking_number": "A",
            "carrier": "DHL",
            "origin_country": "DE",
            "destination_country": "FR",
            "freight_cost": "4.90",
            "currency": "eur",
        },
        {"tracking_number": "B", "carrier": "ups", "destination_country": "XX"},
    )
    loaded = read_shipments(path)
    (shipment,) = loaded.items
    assert shipment.carrier == "dhl"
    assert shipment.lane == "DE-FR"
    assert str(shipment.freight_cost) == "4.90"
    (problem,) = loaded.problems
    assert problem.index == 2
    assert problem.code is ErrorCode.INVALID_SHIPMENT
    assert "destination_country" in str(problem)


CSV = (
    "tracking_number,carrier,origin_country,destination_country,promised_at,declared_value,"
    "insured,notes\n"
    "A,dhl,DE,DE,2026-03-12T18:00:00+01:00,19.99,false,\n"
    "B,ups,US,ZZ,,,,\n"
    '"C",ups,US,US,,"1,299.00",yes,"two\nlines"\n'
    "D,ups,US,US,2026-03-12T18:00:00,,,\n"
    "E,ups\n"
    ",,,,,,,\n"
    "F,usps,US,US,,5,no,\n"
)


def test_shipments_csv(tmp_path: Path) -> None:
    path = tmp_path / "shipments.csv"
    path.write_text(CSV, "utf-8")
    loaded = read_shipments(path)
    assert [s.tracking_number for s in loaded.items] == ["A", "F"]
    first = loaded.items[0]
    assert first.promised_at is not None
    assert first.promised_at.isoformat() == "2026-03-12T17:00:00+00:00"
    assert first.insured is False
    assert first.declared_value is not None
    assert str(first.declared_value) == "19.99"
    where = {p.index: str(p) for p in loaded.problems}
    # Line 1: the unknown column, reported once; rows are still read without it.
    assert "unknown column 'notes'" in where[1]
    assert "destination_country" in where[3]
    assert "declared_value" in where[4]  # "1,299.00" is not a number; the row spans lines 4-5
    assert "promised_at" in where[6]
    assert "no UTC offset" in where[6]
    assert "2 cells" in where[7]
    assert sorted(where) == [1, 3, 4, 6, 7]
    assert loaded.lines == 6  # data rows, without the header and the empty row


def test_csv_with_assume_tz(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("tracking_number,carrier,promised_at\nD,ups,2026-03-12T18:00:00\n", "utf-8")
    (shipment,) = read_shipments(path, assume_tz="America/New_York").items
    assert shipment.promised_at is not None
    assert shipment.promised_at.isoformat() == "2026-03-12T22:00:00+00:00"


def test_csv_unknown_column_suggests_the_field(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("tracking_number,carrier,promised\nA,dhl,x\n", "utf-8")
    loaded = read_shipments(path)
    assert len(loaded.items) == 1
    assert "Did you mean 'promised_at'?" in str(loaded.problems[0])


def test_csv_without_key_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("number,carrier\nA,dhl\n", "utf-8")
    with pytest.raises(InputFileError, match="no tracking_number column"):
        read_shipments(path)


def test_format_is_sniffed_without_a_telling_suffix(tmp_path: Path) -> None:
    csv_path = tmp_path / "s.txt"
    csv_path.write_text("tracking_number,carrier\nA,dhl\n", "utf-8")
    assert [s.tracking_number for s in read_shipments(csv_path).items] == ["A"]
    jsonl_path = _jsonl(tmp_path / "s.data", {"tracking_number": "B", "carrier": "ups"})
    assert [s.tracking_number for s in read_shipments(jsonl_path).items] == ["B"]


def test_progress_on_a_terminal_only(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "big.jsonl", *([_event("A")] * (PROGRESS_EVERY * 2 + 5)))
    terminal = _Terminal()
    loaded = read_events(path, progress=terminal)
    assert len(loaded.items) == PROGRESS_EVERY * 2 + 5
    shown = terminal.getvalue()
    assert f"{PROGRESS_EVERY * 2:,} lines" in shown
    assert "%" in shown
    assert shown.endswith("\r\x1b[2K")  # the bar is wiped at the end
    pipe = io.StringIO()
    read_events(path, progress=pipe)
    assert pipe.getvalue() == ""


def test_csv_progress_on_a_terminal(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    rows = "".join(f"T{i},dhl\n" for i in range(PROGRESS_EVERY + 1))
    path.write_text("tracking_number,carrier\n" + rows, "utf-8")
    terminal = _Terminal()
    assert len(read_shipments(path, progress=terminal).items) == PROGRESS_EVERY + 1
    assert f"{PROGRESS_EVERY:,} lines" in terminal.getvalue()
