"""The Python examples of the core docs pages run as written."""

from __future__ import annotations

import pathlib
import re

import pytest

DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"
PAGES = ["quickstart.md", "model.md", "engine.md"]


@pytest.mark.parametrize("page", PAGES)
def test_examples_run(page: str) -> None:
    text = (DOCS / page).read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, f"{page} has no python example"
    for number, block in enumerate(blocks, 1):
        exec(compile(block, f"{page} example {number}", "exec"), {"__name__": "docs"})
