"""The docs a pack author reads (issue 14): every in-docs link to a section lands on a
heading, and docs/testing.md documents every argument of every public strategy."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


# ------------------------------------------------------------------ strategies reference

REFERENCE_HEADING = "### Every argument of the strategies"


def _strategy_callables() -> list[tuple[str, Callable[..., Any]]]:
    hypothesis = pytest.importorskip("hypothesis")
    assert hypothesis  # the strategies module needs it
    from logix_rules import strategies

    found: list[tuple[str, Callable[..., Any]]] = []
    for name in strategies.__all__:
        obj = getattr(strategies, name)
        if inspect.isclass(obj):
            found.append((name, obj))
            found.extend(
                (f"{name}.{member}", value)
                for member, value in vars(obj).items()
                if not member.startswith("_") and inspect.isfunction(value)
            )
        elif callable(obj):
            found.append((name, obj))
    return found


def _reference() -> str:
    text = FENCED.sub("", (DOCS / "testing.md").read_text("utf-8"))
    start = text.index(REFERENCE_HEADING)
    end = text.find("\n## ", start)
    return text[start : end if end != -1 else len(text)]


def _in_code(word: str, text: str) -> bool:
    return any(
        re.search(rf"(?<![\w.]){re.escape(word)}\b", span)
        for span in re.findall(r"`([^`\n]+)`", text)
    )


def test_testing_md_documents_every_argument_of_every_public_strategy() -> None:
    reference = _reference()
    callables = _strategy_callables()
    assert {"shipments", "timelines", "Timeline.situation", "arrivals"} <= {n for n, _ in callables}
    missing = []
    for name, function in callables:
        if not _in_code(name, reference):
            missing.append(name)
        for parameter in inspect.signature(function).parameters:
            if parameter != "self" and not _in_code(parameter, reference):
                missing.append(f"{name}({parameter}=)")
    assert missing == [], "not in docs/testing.md's reference of the strategies"
