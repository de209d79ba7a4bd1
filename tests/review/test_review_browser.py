"""The HTML report in real headless Chromium, offline: no console error, every chart
drawn with a size, the carrier grades visible; screenshots kept as test artifacts."""

from __future__ import annotations

import base64
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


def _luminance(css: str) -> float:
    """WCAG relative luminance of ``rgb(r, g, b)``: what a greyscale print keeps."""
    channels = [int(part) / 255 for part in re.findall(r"\d+", css)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_the_weekly_brief_prints_on_one_a4_page_and_reads_in_greyscale(
    chromium: Browser, history_store: str, small_history: History, tmp_path: Path
) -> None:
    page = _page(history_store, small_history, "weekly", tmp_path)
    chromium.offline()
    chromium.driver.get(page.as_uri())
    printed = chromium.driver.execute_cdp_cmd(
        "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}
    )
    pdf = base64.b64decode(printed["data"])
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    (chromium.artifacts / "review-weekly.pdf").write_bytes(pdf)
    # Grades and target badges: text and background far apart in lightness (WCAG AA).
    pairs = chromium.driver.execute_script(
        "return [...document.querySelectorAll('.grade, .badge')].map(e => {"
        "  const s = getComputedStyle(e); return [e.textContent, s.color, s.backgroundColor]; })"
    )
    assert pairs
    for text, colour, background in pairs:
        light, dark = sorted((_luminance(colour), _luminance(background)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, (text, colour, background)
    # The grades themselves differ in lightness, so D stays darkest on paper.
    shades = chromium.driver.execute_script(
        "return Object.fromEntries(['A', 'B', 'C', 'D'].map(g => {"
        "  const e = document.createElement('span'); e.className = 'grade grade-' + g;"
        "  document.body.append(e); return [g, getComputedStyle(e).backgroundColor]; }))"
    )
    lightness = [_luminance(shades[grade]) for grade in "ABCD"]
    assert lightness == sorted(lightness, reverse=True)
    assert len(set(lightness)) == 4


def test_names_from_the_data_are_escaped_everywhere_even_in_the_charts() -> None:
    from review_support import UNTIL, at, incident, parcel

    from logix_rules.review import ReviewData

    hostile = "<script>alert(1)</script>"
    shipped = parcel("X1", hostile, '"><img src=x>', hostile, at(3, 3), at(3, 5), at(3, 4),
                     at(3, 3, 1), "10", "EUR")  # fmt: skip
    trouble = incident("X", "X1", hostile, "tracking_stall", at(3, 4), at(3, 5))
    data = ReviewData.from_lists(shipments=[shipped], incidents=[trouble])
    page = render_html(build_review(data, kind="monthly", until=UNTIL))
    assert "<script" not in page
    assert "<img" not in page
    assert "&lt;script&gt;" in page
