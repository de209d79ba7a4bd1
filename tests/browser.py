"""Real headless Chromium for the browser tests: Debian's ``chromium`` driven by Selenium.

The ``chromium`` fixture starts the system browser through the system ``chromedriver``
(Selenium Manager never downloads anything here: both paths are given). Where either is
missing, the test is skipped locally and *fails* under CI (``CI`` set), because
``.ci/run`` installs both with apt. Screenshots go to ``$LOGIX_TEST_ARTIFACTS`` (a
temporary folder when unset), so CI keeps them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

#: Chromium and its driver as Debian installs them; `which` first for other layouts.
_BROWSERS = ("chromium", "chromium-browser", "google-chrome")
_DRIVERS = ("chromedriver",)
_DEBIAN_DRIVER = "/usr/lib/chromium/chromedriver"


def _find(names: tuple[str, ...], fallback: str | None = None) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    if fallback and os.access(fallback, os.X_OK):
        return fallback
    return None


class Browser:
    """One headless Chromium window, with what the tests need around the driver."""

    def __init__(self, driver: Any, artifacts: Path) -> None:
        self.driver = driver
        self.artifacts = artifacts

    def offline(self) -> None:
        """Cut the network, so a page that loads anything from outside shows an error."""
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )

    def resize(self, width: int, height: int) -> None:
        self.driver.set_window_size(width, height)

    def console_errors(self) -> list[str]:
        """The SEVERE console entries since the last call (failed loads count)."""
        return [e["message"] for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]

    def screenshot(self, name: str) -> Path:
        """Save a PNG of the viewport as a test artifact and return its path."""
        path = self.artifacts / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def full_page_screenshot(self, name: str, *, width: int = 1280) -> Path:
        """Save a PNG of the whole page (the window grown to the document's height)."""
        height = self.driver.execute_script(
            "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)"
        )
        self.driver.set_window_size(width, max(int(height) + 100, 400))
        return self.screenshot(name)


@pytest.fixture(scope="session")
def browser_artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: ``$LOGIX_TEST_ARTIFACTS`` or a temporary folder."""
    configured = os.environ.get("LOGIX_TEST_ARTIFACTS")
    path = Path(configured) if configured else tmp_path_factory.mktemp("artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def chromium(browser_artifacts: Path) -> Iterator[Browser]:
    """A fresh headless Chromium (1280×800), closed after the test."""
    binary = _find(_BROWSERS)
    driver_path = _find(_DRIVERS, _DEBIAN_DRIVER)
    if binary is None or driver_path is None:
        missing = "chromium" if binary is None else "chromedriver"
        message = f"{missing} is not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {message}")
        pytest.skip(message)
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,800",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        driver.set_page_load_timeout(30)
        yield Browser(driver, browser_artifacts)
    finally:
        driver.quit()
