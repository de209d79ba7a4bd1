"""``check_templates`` and ``logix templates check`` on a broken directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logix_rules.cli._main import main
from logix_rules.messages import check_templates


def _write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _broken(folder: Path) -> None:
    head = '{% extends "en/_layout.j2" %}\n{% block subject %}Hi{% endblock %}\n'
    _write(
        folder,
        "en/customer/lost.j2",
        head + "{% block body %}\n{{ parcel.owner }}\n{% endblock %}\n",
    )
    _write(
        folder,
        "en/customer/damaged.j2",
        head + "{% block body %}\n{{ kind | shout }}\n{% endblock %}\n",
    )
    _write(
        folder, "en/customer/refused.j2", head + "{% block body %}\n{% if x %}\n{% endblock %}\n"
    )
    _write(
        folder,
        "en/customer/revisit.j2",
        head + "{% block body %}Fine {{ tracking_number }}{% endblock %}\n",
    )
    _write(folder, "en/courier/lost.j2", head)
    _write(folder, "lost.j2", head)
    _write(folder, "ja/customer/lost.j2", head + "{% block body %}届きません{% endblock %}\n")


def test_a_broken_directory(template_dir: Path) -> None:
    _broken(template_dir)
    report = check_templates([template_dir])
    assert not report.ok
    found = {(Path(p.file).name, p.line, p.kind) for p in report.problems}
    assert ("lost.j2", 4, "missing_variable") in found  # en/customer/lost.j2, line 4
    assert ("damaged.j2", 4, "unknown_filter") in found
    assert any(name == "refused.j2" and kind == "syntax" for name, _, kind in found)
    misplaced = [p for p in report.problems if p.kind == "misplaced"]
    assert len(misplaced) == 2
    assert any("courier" in p.msg for p in misplaced)
    missing = next(p for p in report.problems if p.kind == "missing_variable")
    assert "parcel" in missing.msg
    assert missing.file.endswith("en/customer/lost.j2")
    # Gaps: the languages of the directory, built-ins counted; ja has only lost.
    assert report.languages == ("en", "ja")
    ja = {(g.audience, g.scenario) for g in report.gaps if g.lang == "ja"}
    assert ("customer", "lost") not in ja
    assert ("customer", "damaged") in ja
    assert not [g for g in report.gaps if g.lang == "en"]


def test_the_command(template_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _broken(template_dir)
    status = main(["templates", "check", str(template_dir)])
    text = capsys.readouterr().out
    assert status == 1
    assert f"{template_dir.resolve()}/en/customer/lost.j2:4: missing_variable:" in text
    assert "unknown_filter: No filter named 'shout'" in text
    assert "ja/customer (18):" in text  # every customer scenario but lost


def test_the_command_on_the_builtins_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates", "check", "--lang", "en", "--lang", "zh", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"]
    assert report["gaps"] == []
    assert report["templates"] >= 186
