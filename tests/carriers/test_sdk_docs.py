"""The Python examples of the carrier SDK pages run, and print what the pages say.

Blocks of one page run in order in one namespace, like a reader typing them in.
A ```text block shows the output of the closest Python block before it when that
block printed something, and must match it.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "carriers"
#: page -> how many ```text blocks show program output
PAGES = {"writing-an-adapter.md": 1, "http.md": 2}
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks(page: str) -> list[tuple[str, str, int]]:
    text = (DOCS / page).read_text("utf-8")
    return [
        (m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1) for m in FENCE.finditer(text)
    ]


@pytest.mark.parametrize("page", PAGES)
def test_page_examples_run_and_print_what_the_page_shows(page: str) -> None:
    namespace: dict[str, object] = {"__name__": f"docs_{page.replace('-', '_')[:-3]}"}
    last_output: str | None = None
    ran = compared = 0
    for language, code, line in blocks(page):
        if language == "python":
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(code, f"{page}:{line}", "exec", dont_inherit=True), namespace)
            last_output = out.getvalue() or None
            ran += 1
        elif language == "text" and last_output is not None:
            assert last_output.strip() == code.strip(), f"{page}:{line}: output differs"
            last_output = None
            compared += 1
    assert ran >= 3, f"{page} should have runnable examples"
    assert compared == PAGES[page]


def test_the_guide_shows_the_examples_entry_point() -> None:
    toml = next(code for language, code, _ in blocks("writing-an-adapter.md") if language == "toml")
    pyproject = (
        DOCS.parents[1] / "examples" / "logix-carrier-example" / "pyproject.toml"
    ).read_text()
    assert toml.strip() in pyproject
