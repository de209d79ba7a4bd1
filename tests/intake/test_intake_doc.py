"""docs/intake.md: its Python examples run, in order, as written."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "intake.md"


def test_the_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the lexicon example writes shop.yaml
    text = PAGE.read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 4
    for number, block in enumerate(blocks, 1):
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            exec(compile(block, f"docs/intake.md example {number}", "exec"), {})
        # An example that shows printed lines in comments must print exactly them.
        shown = [line[2:] for line in re.findall(r"^# .*$", block, re.M)]
        if shown and output.getvalue():
            assert output.getvalue().splitlines() == shown


def test_the_page_is_linked() -> None:
    root = PAGE.parents[1]
    assert "docs/intake.md" in (root / "README.md").read_text("utf-8")
    assert "intake.md" in (root / "docs" / "architecture.md").read_text("utf-8")
