"""The ``logix`` command line: ``demo``, ``run``, ``check``, errors and docs/cli.md."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from logix_rules.cli._main import build_parser, main
from logix_rules.demo._files import write_demo_files
from logix_rules.demo._generator import DEMO_AT, generate_demo

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
KINDS = 16  # 13, wismo and delivery_at_risk (issue 13 §2), insurance_missing (§3)


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_demo_files(tmp_path_factory.mktemp("demo"), shipments=120, seed=5)


def _no_traceback(text: str) -> None:
    assert "Traceback" not in text


# ------------------------------------------------------------------------------ demo


def test_demo_prints_a_table_and_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("logix demo: 300 parcels")
    assert "2026-03-16 12:00 UTC" in lines[0]
    header = next(line for line in lines if line.startswith("SEV"))
    for column in ("KIND", "TRACKING NUMBER", "OPENED (UTC)", "RESPOND BY", "REMEDY"):
        assert column in header
    rows = [line for line in lines if re.match(r"P[123]  ", line)]
    assert len(rows) > 50
    # Aligned: every row has its kind where the header has KIND.
    kind_at = header.index("KIND")
    assert all(row[kind_at - 2 : kind_at] == "  " for row in rows)
    assert "By kind" in out
    assert "By carrier" in out
    assert re.search(r"\d+ open incidents on \d+ of 300 parcels", out)


def test_demo_json_and_jsonl(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--format", "json", "--shipments", "60", "--seed", "3"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["pack"] == "default"
    assert document["at"] == "2026-03-16T12:00:00Z"
    assert document["seed"] == 3
    incidents = document["incidents"]
    assert incidents
    assert {"id", "kind", "severity", "respond_by", "remedy"} <= set(incidents[0])
    assert document["summary"]["incidents"] == len(incidents)
    assert sum(c["parcels"] for c in document["summary"]["by_carrier"].values()) == 60

    assert main(["demo", "--format", "jsonl", "--shipments", "60", "--seed", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [i["id"] for i in incidents]


def test_demo_covers_every_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert len(document["summary"]["by_kind"]) == KINDS


def test_demo_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--write", str(tmp_path / "files"), "--shipments", "20"]) == 0
    err = capsys.readouterr().err
    assert (tmp_path / "files" / "events.jsonl").is_file()
    assert (tmp_path / "files" / "shipments.jsonl").is_file()
    assert "logix run --pack default --events" in err


def test_demo_rejects_a_bad_count(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--shipments", "0"]) == 2
    err = capsys.readouterr().err
    assert "--shipments" in err
    _no_traceback(err)


# ------------------------------------------------------------------------------- run


def test_run_on_demo_files_matches_demo(
    demo_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    events, shipments = demo_files
    at = "2026-03-16T12:00:00Z"
    argv = ["run", "--pack", "default", "--events", str(events), "--shipments", str(shipments)]
    assert main([*argv, "--at", at, "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    ran = json.loads(captured.out)
    assert main(["demo", "--format", "json", "--shipments", "120", "--seed", "5"]) == 0
    demo = json.loads(capsys.readouterr().out)
    assert [i["id"] for i in ran["incidents"]] == [i["id"] for i in demo["incidents"]]
    assert ran["skipped_lines"] == 0

    assert main([*argv, "--at", at]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"logix run: {ran['events']} events from {events}, 120 shipments")
    assert "By carrier" in out


def test_run_defaults_to_the_latest_event(
    demo_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    events, _ = demo_files
    assert main(["run", "--pack", "default", "--events", str(events), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    latest = max(
        generate_demo(shipments=120, seed=5).events, key=lambda e: e.occurred_at
    ).occurred_at
    assert document["at"] == latest.isoformat().replace("+00:00", "Z")


def test_run_reports_and_skips_bad_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = generate_demo(shipments=15, seed=2)
    events, _ = write_demo_files(tmp_path, data=data)
    lines = events.read_text("utf-8").splitlines()
    lines[2] = "{broken"
    lines[5] = lines[5].replace('"status": "', '"status": "x')
    naive = json.loads(lines[7])
    naive["occurred_at"] = naive["occurred_at"][:19]
    lines[7] = json.dumps(naive)
    events.write_text("\n".join(lines) + "\n", "utf-8")
    argv = ["run", "--pack", "default", "--events", str(events), "--at", "2026-03-16T12:00:00Z"]
    assert main([*argv, "--format", "jsonl"]) == 0
    captured = capsys.readouterr()
    err = captured.err
    assert f"skipped {events}:3: invalid_event: " in err
    assert f"skipped {events}:6: invalid_event: status" in err
    assert f"skipped {events}:8: invalid_event: occurred_at" in err
    assert f"{events}: skipped 3 of " in err
    assert "--assume-tz" in err  # the hint for the naive timestamp
    _no_traceback(err)
    assert all(json.loads(line) for line in captured.out.splitlines())

    assert main([*argv, "--format", "json", "--assume-tz", "Asia/Shanghai"]) == 0
    captured = capsys.readouterr()
    assert f"{events}: skipped 2 of " in captured.err
    assert json.loads(captured.out)["skipped_lines"] == 2


def test_run_lists_a_limited_number_of_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "e.jsonl"
    events.write_text("nope\n" * 30, "utf-8")
    assert main(["run", "--pack", "default", "--events", str(events), "--max-problems", "5"]) == 1
    err = capsys.readouterr().err
    assert len([line for line in err.splitlines() if line.startswith("skipped ")]) == 5
    assert "and 25 more skipped line(s)" in err
    assert "no valid events" in err


def test_run_reads_stdin(
    demo_files: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events, _ = demo_files
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(events.read_bytes())))
    assert main(["run", "--pack", "default", "--events", "-", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["incidents"]


def test_run_with_csv_shipments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "e.jsonl"
    events.write_text(
        json.dumps(
            {
                "tracking_number": "A1",
                "carrier": "dhl",
                "occurred_at": "2026-03-10T08:00:00+01:00",
                "status": "in_transit",
            }
        )
        + "\n",
        "utf-8",
    )
    shipments = tmp_path / "s.csv"
    shipments.write_text(
        "tracking_number,carrier,origin_country,destination_country,promised_at,freight_cost,currency\n"
        "A1,dhl,DE,DE,2026-03-11T18:00:00+01:00,5.00,EUR\n",
        "utf-8",
    )
    argv = ["run", "--pack", "default", "--events", str(events), "--shipments", str(shipments)]
    assert main([*argv, "--at", "2026-03-13T12:00:00+01:00", "--format", "json"]) == 0
    kinds = {i["kind"] for i in json.loads(capsys.readouterr().out)["incidents"]}
    # Three days in line haul: the transit delay superseded the stall (issue 13 §1).
    assert {"delivery_delay", "transit_delay"} <= kinds
    assert "tracking_stall" not in kinds


def test_run_ignores_events_after_at(
    demo_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    events, _ = demo_files
    argv = ["run", "--pack", "default", "--events", str(events), "--at", "2026-03-10T00:00:00Z"]
    assert main([*argv, "--format", "jsonl"]) == 0
    assert re.search(
        r"ignored \d+ event\(s\) after --at 2026-03-10 00:00 UTC", capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--at", "yesterday"], "--at 'yesterday' is not an ISO-8601 time"),
        (["--at", "2026-03-16T12:00"], "has no UTC offset"),
        (["--assume-tz", "Mars/Olympus"], "'Mars/Olympus' is not an IANA time zone"),
        (["--shipments", "missing.csv"], "missing.csv: no such file"),
    ],
)
def test_run_usage_errors(
    demo_files: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    events, _ = demo_files
    assert main(["run", "--pack", "default", "--events", str(events), *extra]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("logix run: ")
    assert message in captured.err
    assert captured.err.count("\n") == 1
    _no_traceback(captured.err)


def test_run_naive_at_with_assume_tz(
    demo_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    events, _ = demo_files
    argv = ["run", "--pack", "default", "--events", str(events), "--format", "json"]
    assert main([*argv, "--at", "2026-03-16T13:00", "--assume-tz", "Europe/Berlin"]) == 0
    assert json.loads(capsys.readouterr().out)["at"] == "2026-03-16T12:00:00Z"


def test_run_missing_events_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--pack", "default", "--events", str(tmp_path / "nope.jsonl")]) == 2
    err = capsys.readouterr().err
    assert err == f"logix run: {tmp_path / 'nope.jsonl'}: no such file; check the path\n"


def test_run_both_from_stdin_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--pack", "default", "--events", "-", "--shipments", "-"]) == 2
    assert "cannot both read stdin" in capsys.readouterr().err


def test_run_with_a_bad_pack_prints_its_problems(
    tmp_path: Path, demo_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "bad.yaml"
    pack.write_text(BAD_PACK, "utf-8")
    events, _ = demo_files
    assert main(["run", "--pack", str(pack), "--events", str(events)]) == 2
    err = capsys.readouterr().err
    assert "does not compile" in err
    assert f"{pack}:14:" in err
    _no_traceback(err)
    assert main(["run", "--pack", "defualt", "--events", str(events)]) == 2
    assert "Did you mean 'default'?" in capsys.readouterr().err


# ----------------------------------------------------------------------------- check

#: Three independent mistakes: a bad duration (line 6), an unknown name in a
#: condition (line 14) and an unknown severity (line 21).
BAD_PACK = """\
format: 1
name: mine
description: A pack with three mistakes.
params:
  stall_after: {type: duration, default: 24h}
  grace: {type: duration, default: 2 days}
severities:
  P2: {label: urgent, respond: 15m, resolve: 8h, escalate_after: 2h}
  P3: {label: general, respond: 30m, resolve: 24h, escalate_after: 48h}
rules:
  - id: stall
    kind: tracking_stall
    title: The trail went silent
    when: not final and stag != 'pre_transit'
    anchor: last_scan
    after: stall_after
    severity: P3
  - id: lost
    kind: lost
    when: status == 'exception' and reason == 'lost'
    severity: P1
"""


def test_check_reports_every_mistake_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "mine.yaml"
    pack.write_text(BAD_PACK, "utf-8")
    assert main(["check", str(pack)]) == 1
    lines = capsys.readouterr().out.splitlines()
    problems = [line for line in lines if line.startswith(f"{pack}:")]
    assert len(problems) == 4  # three issues and the count
    assert lines[-1] == f"{pack}: 3 problems"
    located = [
        re.match(rf"{re.escape(str(pack))}:(\d+):(\d+): (\w+): ", line) for line in lines[:3]
    ]
    assert all(located)
    assert [(int(m.group(1)), m.group(3)) for m in located if m] == [
        (6, "bad_duration"),
        (14, "unknown_name"),
        (21, "unknown_severity"),
    ]
    assert "Did you mean 'stage'?" in lines[1]
    assert "(rule stall)" in lines[1]


def test_check_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "mine.yaml"
    pack.write_text(BAD_PACK, "utf-8")
    assert main(["check", "--format", "json", str(pack), "default"]) == 1
    bad, good = json.loads(capsys.readouterr().out)
    assert bad["ok"] is False
    assert [i["line"] for i in bad["issues"]] == [6, 14, 21]
    assert good["ok"] is True
    assert len(good["kinds"]) == KINDS


def test_check_valid_pack_prints_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "default"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert out.startswith("default: pack 'default' OK: ")
    assert f"{KINDS} kinds" in out


def test_check_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "nope.yaml")]) == 2
    out = capsys.readouterr().out
    assert "file_not_found" in out
    _no_traceback(out)


def test_check_unreadable_pack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "binary.yaml"
    pack.write_bytes(b"name: \xff\xfe\n")
    assert main(["check", str(pack)]) == 1
    out = capsys.readouterr().out
    # A byte that is not UTF-8 is a located problem of the pack, like any reader error.
    assert out.startswith(f"{pack}:1:7: yaml_syntax: the byte 0xff is not UTF-8 text")
    _no_traceback(out)


# ---------------------------------------------------------------------------- parser


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main(["run", "--events", "x.jsonl"]) == 2
    assert main(["demo", "--format", "xml"]) == 2
    err = capsys.readouterr().err
    assert "usage: logix" in err
    _no_traceback(err)


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("demo", "run", "check"):
        assert command in out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("logix ")


def test_carrier_commands_are_wired() -> None:
    parser = build_parser()
    args = parser.parse_args(["carriers"])
    assert callable(args.handler)


def test_demo_time_is_fixed() -> None:
    assert DEMO_AT.isoformat() == "2026-03-16T12:00:00+00:00"


# ------------------------------------------------------------------------------ docs


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)


def test_docs_python_examples_run(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = _python_blocks(DOCS.read_text("utf-8"))
    assert blocks, "docs/cli.md has no python example"
    for block in blocks:
        exec(compile(block, str(DOCS), "exec"), {"__name__": "docs_cli"})


def test_docs_mention_every_option() -> None:
    text = DOCS.read_text("utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in ("demo", "run", "check"):
        command = sub.choices[name]  # type: ignore[index]
        for action in command._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert option in text, f"docs/cli.md does not mention {name} {option}"
