"""``logix run`` as a new user meets it (issue 14): a run over nothing valid fails, skipped
lines are counted per file, and the naive-timestamp advice names the CLI flag."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logix_rules.cli._main import main

GOOD = {
    "tracking_number": "GOOD1",
    "carrier": "ups",
    "status": "in_transit",
    "occurred_at": "2026-03-01T10:00:00Z",
}
NAIVE = {**GOOD, "occurred_at": "2026-03-01T10:00:00"}


def _jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), "utf-8"
    )
    return path


def test_run_over_nothing_valid_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = _jsonl(tmp_path / "events.jsonl", ["{broken", NAIVE, {"bad": 1}])
    assert main(["run", "--pack", "default", "--events", str(events)]) == 1
    err = capsys.readouterr().err
    assert "no valid events or shipments were read" in err
    # With --at too: evaluating nothing is still not a clean run.
    at = ["--at", "2026-03-05T00:00:00Z", "--format", "json"]
    assert main(["run", "--pack", "default", "--events", str(events), *at]) == 1
    assert json.loads(capsys.readouterr().out)["incidents"] == []


def test_run_with_one_valid_line_exits_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = _jsonl(tmp_path / "events.jsonl", ["{broken", GOOD])
    assert main(["run", "--pack", "default", "--events", str(events)]) == 0
    assert "no valid events" not in capsys.readouterr().err


def test_run_with_a_store_over_nothing_valid_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = _jsonl(tmp_path / "events.jsonl", ["{broken"])
    store = f"sqlite:///{tmp_path / 'ops.db'}"
    argv = ["run", "--pack", "default", "--store", store, "--at", "2026-03-05T00:00:00Z"]
    assert main([*argv, "--events", str(events)]) == 1
    empty = _jsonl(tmp_path / "empty.jsonl", [])
    # An empty file only advances the store's clock: that is a clean run.
    assert main([*argv, "--events", str(empty)]) == 0
    capsys.readouterr()


def test_skipped_lines_are_counted_per_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = _jsonl(tmp_path / "events.jsonl", ["{broken", GOOD, "nope", GOOD])
    shipments = tmp_path / "shipments.csv"
    shipments.write_text(
        "tracking_number,carrier,origin_country,destination_country\n"
        "GOOD1,ups,CN,US\nGOOD2,ups,CN,US\nGOOD3,ups,CN,US\n",
        "utf-8",
    )
    argv = ["run", "--pack", "default", "--events", str(events), "--shipments", str(shipments)]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert f"{events}: skipped 2 of 4 lines; {shipments}: skipped 0 of 3 lines" in err
    assert "problem line(s)" not in err


def test_naive_timestamp_line_names_the_cli_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = _jsonl(tmp_path / "events.jsonl", [GOOD, NAIVE])
    assert main(["run", "--pack", "default", "--events", str(events)]) == 0
    err = capsys.readouterr().err
    line = next(x for x in err.splitlines() if x.startswith(f"skipped {events}:2:"))
    assert "--assume-tz Area/City" in line
    assert "assume_tz=" not in line
