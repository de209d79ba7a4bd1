"""The HTML report in real headless Chromium, offline: no console error, every chart
drawn with a size, the carrier grades visible; screenshots kept as test artifacts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser import Browser
from logix_rules.demo._history import History
from logix_rules.review import build_review, render_html
from logix_rules.store import open_store


def _page(url: str, history: History, kind: str, folder: Path) -> Path:
    with open_store(url) as store:
        review = build_review(store, kind=kind, until=history.end)
    path = folder / f"{kind}.html"
    path.write_text(render_html(review), encoding="utf-8")
    return path


def test_the_report_needs_nothing_from_outside(
    history_store: str, small_history: History, tmp_path: Path
) -> None:
    text = _page(history_store, small_history, "monthly", tmp_path).read_text("utf-8")
    assert "<script" not in text
    # Only the SVG namespace may name a URL; nothing is fetched (src, href, url(), @import).
    assert set(re.findall(r"https?://[^\s\"')]+", text)) <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }
    assert not re.search(r"\bsrc=|@import|href=\"(?!#)|data:", text)  # and no bitmaps


@pytest.mark.parametrize("kind", ["weekly", "monthly"])
def test_the_report_renders_offline_in_chromium(
    chromium: Browser, history_store: str, small_history: History, tmp_path: Path, kind: str
) -> None:
    page = _page(history_store, small_history, kind, tmp_path)
    chromium.offline()
    chromium.driver.get(page.as_uri())
    assert chromium.console_errors() == []
    sizes = chromium.driver.execute_script(
        "return [...document.querySelectorAll('svg.chart')].map(svg => {"
        "  const box = svg.getBoundingClientRect(); return [box.width, box.height]; })"
    )
    assert len(sizes) == (1 if kind == "weekly" else 4)
    assert all(width > 200 and height > 80 for width, height in sizes), sizes
    grades = chromium.driver.execute_script(
        "return [...document.querySelectorAll('table.carriers .grade')].map(g => {"
        "  const box = g.getBoundingClientRect(); const style = getComputedStyle(g);"
        "  return [g.textContent, box.width > 0 && box.height > 0 && "
        "          style.visibility === 'visible' && style.display !== 'none',"
        "          style.color, style.backgroundColor]; })"
    )
    assert grades
    assert all(text in "ABCD–" and shown for text, shown, _, _ in grades), grades
    assert all(colour != background for _, _, colour, background in grades)
    tiles = chromium.driver.find_elements("css selector", ".tile")
    assert len(tiles) == 5
    assert all(tile.is_displayed() for tile in tiles)
    shot = chromium.full_page_screenshot(f"review-{kind}")
    assert shot.stat().st_size > 10_000
