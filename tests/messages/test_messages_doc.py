"""docs/messages.md: its Python examples run, in order, as written; it is linked."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from logix_rules.messages import BUILTIN_TEMPLATES

PAGE = Path(__file__).resolve().parents[2] / "docs" / "messages.md"


def test_the_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the examples write template directories
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text("utf-8"), re.S)
    assert len(blocks) >= 5
    for number, block in enumerate(blocks, 1):
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            exec(compile(block, f"docs/messages.md example {number}", "exec"), {})
        assert output.getvalue(), f"example {number} shows nothing"


def test_the_counts_on_the_page_are_the_files() -> None:
    text = PAGE.read_text("utf-8")
    for lang in ("en", "zh", "pt-BR", "es", "de", "fr"):
        count = len(
            [p for p in (BUILTIN_TEMPLATES / lang).glob("*/*.j2") if not p.name.startswith("_")]
        )
        assert re.search(rf"\| `{re.escape(lang)}` [^|]* \| {count}:", text), lang


def test_the_page_is_linked() -> None:
    root = PAGE.parents[1]
    assert "docs/messages.md" in (root / "README.md").read_text("utf-8")
    assert "messages.md" in (root / "docs" / "architecture.md").read_text("utf-8")
    assert "logix message" in (root / "docs" / "cli.md").read_text("utf-8")
