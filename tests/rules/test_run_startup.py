"""``logix run`` starts without importing the other commands' rooms, and parses as
the whole ``logix`` parser does."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from logix_rules.cli import _main


def _run_action(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    sub = next(a for a in parser._actions if a.dest == "command")
    assert isinstance(sub, argparse._SubParsersAction)
    found = sub.choices["run"]
    assert isinstance(found, argparse.ArgumentParser)
    return found


def test_the_run_parser_is_the_whole_parsers_run() -> None:
    whole, alone = _main.build_parser(), _main._run_parser()
    assert alone.format_usage() == whole.format_usage()
    assert _run_action(alone).format_help() == _run_action(whole).format_help()
    argv = ["run", "--pack", "default", "--events", "x.jsonl", "--format", "jsonl", "--jobs", "2"]
    assert vars(alone.parse_args(argv)) == vars(whole.parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--pack", "default"],  # --events missing
        ["run", "--pack", "default", "--events", "x", "--bogus"],
        ["run", "--pack", "default", "--events", "x", "--format", "xml"],
        ["run", "--help"],
    ],
)
def test_run_usage_errors_read_the_same(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _main.main(argv) in (0, 2)
    alone = capsys.readouterr()
    monkeypatch.setattr(_main, "_run_parser", _main.build_parser)
    assert _main.main(argv) in (0, 2)
    assert capsys.readouterr() == alone


def test_logix_run_imports_no_other_commands_room(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    event = {
        "tracking_number": "1Z999AA10123456784",
        "carrier": "ups",
        "occurred_at": "2026-03-02T10:00:00+00:00",
        "status": "in_transit",
        "event_id": "e1",
    }
    events.write_text(json.dumps(event) + "\n")
    code = (
        "import sys\n"
        "from logix_rules.cli._main import main\n"
        f"assert main(['run', '--pack', 'default', '--events', {str(events)!r}]) == 0\n"
        "rooms = ('store', 'review', 'intake', 'messages', 'service')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[:2] in "
        "[['logix_rules', r] for r in rooms]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
