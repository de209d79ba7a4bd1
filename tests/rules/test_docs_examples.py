"""Every ```python example of a top-level docs page runs, unless another test runs it.

Pages with a dedicated test (one that names the page and extracts its ```python blocks)
are left to that test, so no example runs twice; pages under ``docs/<folder>/`` have
their own runners.  The blocks of a page run in order in one namespace, like a reader
typing them into one session, in an empty working directory.
"""

from __future__ import annotations

import contextlib
import io
import linecache
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
TESTS = ROOT / "tests"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
FENCE_MARK = "`" * 3 + "python"  # spelled so that this file does not count as a runner


def _runner_sources() -> list[str]:
    here = Path(__file__).resolve()
    return [
        path.read_text("utf-8") for path in sorted(TESTS.rglob("*.py")) if path.resolve() != here
    ]


def _covered_elsewhere(page: Path, sources: list[str]) -> bool:
    return any(page.name in source and FENCE_MARK in source for source in sources)


def _pages() -> list[Path]:
    sources = _runner_sources()
    return [
        page
        for page in sorted(DOCS.glob("*.md"))
        if BLOCK.search(page.read_text("utf-8")) and not _covered_elsewhere(page, sources)
    ]


PAGES = _pages()


def test_the_rule_pack_reference_is_run_here() -> None:
    # The pack reference has no dedicated runner; guard against losing it silently.
    assert DOCS / "packs.md" in PAGES


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_python_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem.replace('-', '_')}"}
    output = io.StringIO()
    for number, block in enumerate(BLOCK.findall(page.read_text("utf-8")), 1):
        filename = f"docs/{page.name} (python block {number})"
        # So that a failing example shows its own line in the traceback.
        linecache.cache[filename] = (len(block), None, block.splitlines(keepends=True), filename)
        code = compile(block, filename, "exec")
        with contextlib.redirect_stdout(output):
            exec(code, namespace)
