"""The browser harness itself: a real page, an offline network, a screenshot."""

from __future__ import annotations

from pathlib import Path

from browser import Browser


def test_offline_chromium_reports_outside_loads_and_renders_svg(
    chromium: Browser, tmp_path: Path
) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<!doctype html><html><body>"
        "<svg width='100' height='50'><rect width='100' height='50'/></svg>"
        "<img src='https://example.com/x.png'></body></html>"
    )
    chromium.offline()
    chromium.driver.get(page.as_uri())
    errors = chromium.console_errors()
    # The offline switch is what lets report tests prove they load nothing from outside.
    assert any("ERR_INTERNET_DISCONNECTED" in error for error in errors), errors
    width = chromium.driver.execute_script(
        "return document.querySelector('svg').getBoundingClientRect().width"
    )
    assert width == 100
    shot = chromium.screenshot("browser-fixture")
    assert shot.stat().st_size > 0
