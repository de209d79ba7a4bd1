"""``logix report`` over a store in every format, its usage errors, the typed error
without matplotlib, and ``logix demo --report``."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from logix_rules.cli._main import main
from logix_rules.demo._history import History


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_json_is_the_versioned_document(
    capsys: pytest.CaptureFixture[str], history_store: str, small_history: History
) -> None:
    until = small_history.end.date().isoformat()
    status, out, _ = _run(
        capsys, "report", "--store", history_store, "--weekly", "--until", until, "--format", "json"
    )
    assert status == 0
    document = json.loads(out)
    assert (document["schema"], document["version"], document["kind"]) == (
        "logix.review",
        1,
        "weekly",
    )
    assert document["period"] == {"since": "2026-03-09T00:00:00Z", "until": "2026-03-16T00:00:00Z"}
    assert document["totals"]["shipped"] == document["breakdowns"]["carrier"]["total"]["shipped"]
    assert [k["name"] for k in document["kpis"]] == [
        "exception_rate",
        "first_contact_resolution",
        "mean_handling_time",
        "handling_cycle",
        "complaint_rate",
    ]
    assert {card["grade"] for card in document["scorecards"]} <= {"A", "B", "C", "D", None}
    # The default pack's FX table makes one reporting currency, when the pack has one.
    assert document["loss"]["currency_mode"] in ("converted", "per_currency")


def test_markdown_csv_and_html_by_the_file_suffix(
    capsys: pytest.CaptureFixture[str], history_store: str, small_history: History, tmp_path: Path
) -> None:
    since, until = "2026-02-16", small_history.end.isoformat()
    for suffix in ("md", "csv", "html"):
        target = tmp_path / f"review.{suffix}"
        status, out, err = _run(
            capsys, "report", "--store", history_store, "--since", since, "--until", until,
            "-o", str(target),
        )  # fmt: skip
        assert status == 0, err
        assert out == ""
        assert f"({suffix}) to {target}" in err
    assert (tmp_path / "review.md").read_text().startswith("# Review: 16 Feb 2026 – 15 Mar 2026")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "review.csv").read_text())))
    exception = next(r for r in rows if r["section"] == "kpi" and r["key"] == "exception_rate")
    assert exception["since"] == "2026-02-16T00:00:00Z"
    assert float(exception["value"]) == int(exception["numerator"]) / int(exception["denominator"])
    assert (tmp_path / "review.html").read_text().startswith("<!doctype html>")


def test_usage_errors(capsys: pytest.CaptureFixture[str], history_store: str) -> None:
    status, _, err = _run(capsys, "report", "--store", history_store)
    assert status == 2
    assert "give --since (and --until), or ask for --weekly or --monthly" in err
    status, _, err = _run(
        capsys, "report", "--store", history_store, "--since", "2026-03-09", "--until", "2026-03-02"
    )
    assert status == 2
    assert "bad_review_period" in err
    status, _, err = _run(capsys, "report", "--store", history_store, "--since", "yesterday")
    assert status == 2
    assert "--since 'yesterday' is not an ISO-8601 time" in err
    status, _, err = _run(capsys, "report", "--store", "mysql://x", "--weekly")
    assert status == 2
    assert err.startswith("logix report: --store: bad_store_url")


def test_html_without_matplotlib_names_the_extra(
    capsys: pytest.CaptureFixture[str], history_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in an install without the extra: importing matplotlib fails.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    status, out, err = _run(
        capsys, "report", "--store", history_store, "--weekly", "--format", "html"
    )
    assert status == 2
    assert out == ""
    assert "review_extra_missing" in err
    assert "pip install 'logix[review]'" in err
    status, out, _ = _run(capsys, "report", "--store", history_store, "--weekly")
    assert status == 0
    assert out.startswith("# Weekly brief")


def test_demo_report_writes_the_monthly_review(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "report.html"
    status, out, err = _run(capsys, "demo", "--report", str(target))
    assert status == 0
    assert out == ""
    assert "yanwen degrades, CN-IN has recurring delays" in err
    page = target.read_text("utf-8")
    assert page.startswith("<!doctype html>")
    assert "Monthly review: 16 Feb 2026 – 15 Mar 2026" in page
    assert page.count('class="chart"') == 4
    # What the history was built to show: the degrading carrier is a replacement
    # candidate and the delay lane is flagged.
    assert '<tr data-carrier="yanwen">' in page
    yanwen = page[page.index('<tr data-carrier="yanwen">') :].split("</tr>")[0]
    assert "replacement candidate" in yanwen
    assert '<span class="flag">⚑ CN-IN</span>' in page
