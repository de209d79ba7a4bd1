"""``logix carriers`` and ``logix track`` (the subcommands in logix_rules.cli._carriers)."""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sdk_support import write_distribution

from logix_carriers import clear_adapter_cache
from logix_rules.cli._carriers import add_parsers


def run(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="logix")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    out, err = io.StringIO(), io.StringIO()
    if args.command == "track":
        status = args.handler(args, out=out, err=err)
    else:
        status = args.handler(args, out=out)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def toy_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    write_distribution(tmp_path, "toy-carrier", "0.1", {"toy": "sdk_support:ToyAdapter"})
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("LOGIX_DISABLE_PLUGINS", raising=False)
    clear_adapter_cache()
    yield
    sys.path.remove(str(tmp_path))
    clear_adapter_cache()


EVENTS = [
    {
        "tracking_number": "JD1",
        "carrier": "dhl",
        "occurred_at": "2026-03-01T08:00:00+01:00",
        "status": "picked_up",
        "location": {"city": "Leipzig", "country": "DE"},
        "description": "Shipment picked up",
    },
    {
        "tracking_number": "JD1",
        "carrier": "dhl",
        "occurred_at": "2026-03-02T09:30:00+01:00",
        "status": "exception",
        "reason": "customs_hold",
        "location": {"city": "Frankfurt", "country": "DE"},
    },
]


def export(tmp_path: Path, *extra: str) -> Path:
    path = tmp_path / "export.jsonl"
    lines = [json.dumps(e) for e in EVENTS] + list(extra)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_carriers_lists_adapters_with_distribution_and_capabilities(toy_installed: None) -> None:
    status, out, _ = run("carriers")
    assert status == 0
    assert "file         JSONL export file" in out
    assert "from logix 0.1.0 (built-in" in out
    assert "toy          Toy Parcel" in out
    assert "from toy-carrier 0.1 (plugin, sdk_support:ToyAdapter)" in out
    assert "batch 2, 2 requests/s, auth api_key, signed webhooks" in out
    assert "settings: LOGIX_TOY_API_KEY (required), LOGIX_TOY_BASE_URL" in out


def test_carriers_json(toy_installed: None) -> None:
    status, out, _ = run("carriers", "--json")
    rows = {row["code"]: row for row in json.loads(out)}
    assert status == 0
    assert rows["toy"]["distribution"] == "toy-carrier"
    assert rows["toy"]["rate_limit"] == "2 requests/s"
    assert rows["file"]["builtin"] is True


def test_track_file_works_offline(tmp_path: Path) -> None:
    status, out, err = run("track", "file", str(export(tmp_path)))
    assert status == 0
    assert err == ""
    assert out.splitlines() == [
        "JD1  (2 events)",
        "  2026-03-01T08:00+01:00  picked_up  Leipzig, DE  Shipment picked up",
        "  2026-03-02T09:30+01:00  exception (customs_hold)  Frankfurt, DE",
    ]


def test_track_json_output_reads_back(tmp_path: Path) -> None:
    status, out, _ = run("track", "file", str(export(tmp_path)), "--json")
    assert status == 0
    again = tmp_path / "again.jsonl"
    again.write_text(out, encoding="utf-8")
    status, out2, _ = run("track", "file", str(again), "--json")
    assert out2 == out
    assert [json.loads(line)["status"] for line in out.splitlines()] == ["picked_up", "exception"]


def test_track_reports_problems_and_exits_1(tmp_path: Path) -> None:
    status, out, err = run("track", "file", str(export(tmp_path, "{oops")))
    assert status == 1
    assert "JD1  (2 events)" in out
    assert err.startswith("problem: -: bad_payload at line 3: not JSON")


def test_track_missing_file_exits_2(tmp_path: Path) -> None:
    status, _, err = run("track", "file", str(tmp_path / "nope.jsonl"))
    assert status == 2
    assert "cannot read" in err
    assert "nope.jsonl" in err


def test_track_names_the_missing_credential(
    toy_installed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LOGIX_TOY_API_KEY", raising=False)
    status, out, err = run("track", "toy", "A1")
    assert status == 2
    assert out == ""
    assert "LOGIX_TOY_API_KEY" in err
    assert "hint: export LOGIX_TOY_API_KEY=..." in err


def test_track_unknown_carrier_exits_2() -> None:
    status, _, err = run("track", "nosuchcarrier", "123")
    assert status == 2
    assert "no carrier adapter 'nosuchcarrier'" in err
