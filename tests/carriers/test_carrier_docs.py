"""The per-carrier pages in docs/carriers: their examples run and their tables are current."""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from logix_carriers._status_docs import markdown_table
from logix_carriers.carriers._ups_codes import markdown_table as ups_table

DOCS = Path(__file__).resolve().parents[2] / "docs" / "carriers"
PAGES = ("dhl", "ups", "17track", "aftership", "usps")
TABLES: dict[str, Callable[[], str]] = {
    "dhl": lambda: markdown_table("dhl"),
    "ups": ups_table,
    "17track": lambda: markdown_table("17track"),
    "aftership": lambda: markdown_table("aftership"),
    "usps": lambda: markdown_table("usps"),
}
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


@pytest.mark.parametrize("page", PAGES)
def test_python_examples_run(page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The examples pass credentials explicitly; a developer's real ones must not leak in.
    for name in list(os.environ):
        if name.startswith("LOGIX_"):
            monkeypatch.delenv(name)
    text = (DOCS / f"{page}.md").read_text("utf-8")
    blocks = BLOCK.findall(text)
    assert len(blocks) >= 2, f"docs/carriers/{page}.md should show parsing and tracking"
    namespace: dict[str, object] = {"__name__": f"docs_{page}"}
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        for number, block in enumerate(blocks, 1):
            code = compile(block, f"docs/carriers/{page}.md (python block {number})", "exec")
            exec(code, namespace)
    if "rejected:" in text:
        assert "rejected:" in output.getvalue()


@pytest.mark.parametrize("page", PAGES)
def test_status_table_is_current(page: str) -> None:
    path = DOCS / f"{page}.md"
    text = path.read_text("utf-8")
    pattern = re.compile(
        rf"(<!-- generated:{page} -->\n)(.*?)(\n<!-- /generated:{page} -->)", re.DOTALL
    )
    match = pattern.search(text)
    assert match, f"{path.name} lacks its <!-- generated:{page} --> table markers"
    fresh = TABLES[page]()
    if match.group(2) != fresh and os.environ.get("LOGIX_REGEN_DOCS") == "1":
        path.write_text(text[: match.start(2)] + fresh + text[match.end(2) :], "utf-8")
        return
    assert match.group(2) == fresh, (
        f"the status table in docs/carriers/{page}.md is stale; regenerate it with "
        f"LOGIX_REGEN_DOCS=1 pytest {Path(__file__).name}"
    )
