"""docs/review.md: its ```python examples and ``logix`` commands (```bash) run, in order,
as written; the page is linked and its screenshot exists."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

from logix_rules.cli._main import main

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "review.md"
FENCE = re.compile(r"^```(python|bash)\n(.*?)^```", re.S | re.M)


def test_the_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the examples write ops.db, review.json...
    blocks = FENCE.findall(PAGE.read_text("utf-8"))
    assert [language for language, _ in blocks].count("python") >= 4
    commands = 0
    for number, (language, block) in enumerate(blocks, 1):
        output = io.StringIO()
        if language == "bash":
            for line in block.splitlines():
                argv = shlex.split(line.split("#")[0])
                if argv[:2] == ["logix", "demo"]:
                    continue  # 8 weeks of history: tests/review/test_review_cli.py runs it
                with contextlib.redirect_stdout(output), contextlib.redirect_stderr(io.StringIO()):
                    assert main(argv[1:]) == 0, line
                commands += 1
            continue
        with contextlib.redirect_stdout(output):
            exec(compile(block, f"docs/review.md example {number}", "exec"), {})
        # An example that shows printed lines in comments must print exactly them.
        shown = [line[2:] for line in re.findall(r"^# .*$", block, re.M)]
        assert output.getvalue().splitlines() == shown, f"example {number}"
    assert commands == 4
    assert Path("review.html").read_text("utf-8").startswith("<!doctype html>")
    assert Path("review.csv").read_text("utf-8").startswith("section,dimension,key,metric")


def test_the_page_is_linked_and_shows_the_weekly_brief() -> None:
    text = PAGE.read_text("utf-8")
    (image,) = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert (PAGE.parent / image).stat().st_size > 50_000
    assert "docs/review.md" in (ROOT / "README.md").read_text("utf-8")
    assert "review.md" in (ROOT / "docs" / "architecture.md").read_text("utf-8")
    assert "## `logix report`" in (ROOT / "docs" / "cli.md").read_text("utf-8")


def test_the_page_names_every_metric_and_every_json_key() -> None:
    from datetime import UTC, datetime

    from logix_rules.review import ReviewData, build_review

    text = PAGE.read_text("utf-8")
    review = build_review(
        ReviewData.from_lists(), kind="weekly", until=datetime(2026, 3, 9, tzinfo=UTC)
    )
    for kpi in review.kpis:
        assert f"`{kpi.name}`" in text
    document = review.to_dict()
    for key in document:
        assert f"`{key}`" in text, key
    for key in document["loss"]:
        assert key in text, key
    for key in document["settings"]:
        assert key in text, key
