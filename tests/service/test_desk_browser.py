"""The desk in a real browser: headless Chromium (Debian's, through Selenium) against
the service under uvicorn on 127.0.0.1, over a SQLite store seeded with demo data.

Log in, filter the queue, open an incident, acknowledge and resolve it with the
keyboard, and see the queue without it; screenshots at 1280×800 and at a phone's
width go to the test artifacts (``LOGIX_TEST_ARTIFACTS``)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
import uvicorn
from desk_seed import PASSWORD, USER, seed_store
from pydantic import SecretStr

from browser import Browser
from logix_rules.service import ServiceSettings
from logix_rules.service._app import create_app

#: The P1 customs hold the seed writes: unacknowledged, its response due in minutes.
HELD = "1Z999AA10123456784"
#: The lost parcel the seed writes, with its shipment's facts: a claim to file.
LOST = "LX123456785CN"
PHONE = (390, 844)


@contextlib.contextmanager
def serve_desk(db: Path, *, refresh: int) -> Iterator[tuple[str, datetime]]:
    """The service under uvicorn on a free port of 127.0.0.1, over a seeded store; the
    queue reloads itself every ``refresh`` seconds (0: never)."""
    store, now = seed_store(db)
    settings = ServiceSettings(
        api_tokens=(SecretStr("t" * 32),),
        session_secret=SecretStr("s" * 48),
        desk_refresh=refresh,
    )
    # The whole service, as `logix serve` runs it, without its background jobs: the
    # clock stays at the seed's instant.
    app = create_app(
        store, "default", adapters={}, settings=settings, clock=lambda: now, background=False
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped before it started"
        assert time.monotonic() < deadline, "uvicorn did not start in 20 s"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", now
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        store.close()


@pytest.fixture
def desk_url(tmp_path: Path) -> Iterator[tuple[str, datetime]]:
    # The long walk below holds elements from one step to the next; on a loaded machine
    # it can outlast the queue's minute, and a reload would leave them stale.  The
    # reload has a test of its own.
    with serve_desk(tmp_path / "desk.db", refresh=0) as served:
        yield served


def log_in(browser: Browser, base: str) -> None:
    """Log in with the keyboard only, from the login page ``/`` redirects to."""
    from selenium.webdriver.common.keys import Keys

    browser.driver.get(base + "/")
    assert browser.driver.current_url == base + "/login?next=/"
    browser.driver.switch_to.active_element.send_keys(USER)  # the name field has the focus
    navigate(browser, lambda: press(browser, Keys.TAB, PASSWORD, Keys.ENTER))


def navigate(browser: Browser, act: Callable[[], object], *, timeout: float = 15) -> None:
    """Do ``act`` (a click, a key) and wait until the next page has loaded."""
    mark_page(browser)
    act()
    wait_for_new_page(browser, timeout=timeout)


def mark_page(browser: Browser) -> None:
    """Mark the document on screen, so that its successor can be told from it."""
    browser.driver.execute_script("window.__logixOld = true")


def wait_for_new_page(browser: Browser, *, timeout: float) -> None:
    """Wait until a document without the mark has loaded.  The mark lives on the old
    document's window, so no element of it is held: Chrome answers a held element of a
    replaced document with "Node with given id does not belong to the document", not
    with a stale-element error (SeleniumHQ/selenium#15401), and that broke CI once."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    script = "return !window.__logixOld && document.readyState === 'complete'"
    WebDriverWait(
        browser.driver, timeout, poll_frequency=0.1, ignored_exceptions=(WebDriverException,)
    ).until(lambda d: d.execute_script(script))


def press(browser: Browser, *keys: str) -> None:
    """Type ``keys`` into whatever has the focus, as a person at the keyboard would (no
    element is held, so a key that submits a form leaves nothing stale behind)."""
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(browser.driver).send_keys(*keys).perform()


def rows(browser: Browser) -> list[dict[str, str]]:
    script = """return Array.from(document.querySelectorAll('tr[data-incident]')).map(r => ({
        id: r.dataset.incident, cls: r.className, text: r.innerText}))"""
    found: list[dict[str, str]] = browser.driver.execute_script(script)
    return found


def loaded_from_elsewhere(browser: Browser, base: str) -> list[str]:
    names: list[str] = browser.driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    return [name for name in names if not name.startswith(base)]


def test_the_desk_in_a_real_browser(chromium: Browser, desk_url: tuple[str, datetime]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait

    base, _ = desk_url
    driver = chromium.driver
    chromium.resize(1280, 800)

    # Log in, with the keyboard only.
    driver.get(base + "/login")
    chromium.screenshot("desk-login-1280")
    log_in(chromium, base)
    header = driver.find_element(By.CSS_SELECTOR, "h1")
    assert header.text.startswith("Open incidents")
    everything = rows(chromium)
    assert len(everything) > 20
    total = int(driver.find_element(By.CSS_SELECTOR, "h1 .count").text)
    chromium.screenshot("desk-queue-1280")

    # Filter the queue: P1 only.
    Select(driver.find_element(By.ID, "f-severity")).select_by_value("P1")
    navigate(
        chromium,
        driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click,
    )
    assert "severity=P1" in driver.current_url
    p1 = rows(chromium)
    assert p1
    assert len(p1) < total
    assert all("P1" in r["text"] for r in p1)
    held = next(r for r in p1 if HELD in r["text"])
    assert "alarm" in held["cls"].split()  # an unacknowledged P1 stands out
    assert "UNACKNOWLEDGED" in held["text"].upper()
    chromium.screenshot("desk-queue-filtered-1280")

    # The countdown runs: the held parcel's response is due in a couple of minutes.
    countdown = driver.find_element(
        By.CSS_SELECTOR, f'tr[data-incident="{held["id"]}"] time[data-countdown]'
    )
    first = countdown.text
    assert first.startswith("in ")
    # It ticks every second; a loaded machine may be late by a tick or two.
    WebDriverWait(driver, 10, poll_frequency=0.2).until(lambda _: countdown.text != first)

    # Open the incident.
    navigate(
        chromium, driver.find_element(By.CSS_SELECTOR, f'tr[data-incident="{held["id"]}"] a').click
    )
    assert driver.current_url == f"{base}/incidents/{held['id']}"
    assert HELD in driver.find_element(By.CSS_SELECTOR, "h1").text
    assert "ups:X-CH1" in driver.page_source  # the trail with the carrier's raw code
    chromium.full_page_screenshot("desk-incident-1280")
    chromium.resize(1280, 800)

    # Acknowledge it (Enter on the focused button).
    button = driver.find_element(By.ID, "acknowledge")
    driver.execute_script("arguments[0].focus()", button)
    navigate(chromium, lambda: press(chromium, Keys.ENTER))
    flash = driver.find_element(By.CSS_SELECTOR, ".flash.good")
    assert "Acknowledged" in flash.text
    assert not driver.find_elements(By.ID, "acknowledge")
    assert USER in driver.find_element(By.CSS_SELECTOR, ".log").text
    chromium.screenshot("desk-incident-acknowledged-1280")

    # Resolve it: cause and note with the keyboard.
    cause = driver.find_element(By.ID, "cause")
    driver.execute_script("arguments[0].focus()", cause)
    Select(cause).select_by_value("customer")
    driver.find_element(By.ID, "note").send_keys("Duties paid by the recipient")
    driver.execute_script("arguments[0].focus()", driver.find_element(By.ID, "resolve"))
    navigate(chromium, lambda: press(chromium, Keys.ENTER))
    assert "Resolved" in driver.find_element(By.CSS_SELECTOR, ".flash.good").text
    assert "Duties paid by the recipient" in driver.find_element(By.CSS_SELECTOR, ".log").text

    # The queue no longer holds it; the filter is kept on the way back.
    driver.get(base + "/?severity=P1")
    after = rows(chromium)
    assert held["id"] not in {r["id"] for r in after}
    assert len(after) == len(p1) - 1
    chromium.screenshot("desk-queue-after-1280")

    # A phone: the queue and an incident, one column, nothing cut off sideways.
    chromium.resize(*PHONE)
    driver.get(base + "/")
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= PHONE[0]
    chromium.screenshot("desk-queue-phone")
    navigate(chromium, driver.find_element(By.CSS_SELECTOR, "tr[data-incident] a").click)
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= PHONE[0]
    chromium.screenshot("desk-incident-phone")
    for incident in [r["id"] for r in everything][:20]:  # every kind of page fits
        driver.get(f"{base}/incidents/{incident}")
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= PHONE[0], incident

    # A lost parcel: its trail with local times, the claim amount, the claim package.
    chromium.resize(1280, 800)
    lost = next(r for r in p1 if LOST in r["text"])
    driver.get(f"{base}/incidents/{lost['id']}")
    assert driver.find_element(By.PARTIAL_LINK_TEXT, "Claim package")
    assert "+08:00" in driver.find_element(By.CSS_SELECTOR, "table.trail").text
    chromium.full_page_screenshot("desk-incident-lost-1280")

    # In greyscale, severity still reads (badge text and shape, row marks).
    chromium.resize(1280, 800)
    driver.get(base + "/")
    driver.execute_script("document.documentElement.style.filter = 'grayscale(1)'")
    chromium.screenshot("desk-queue-greyscale-1280")

    assert loaded_from_elsewhere(chromium, base) == []
    assert chromium.console_errors() == []


def test_an_idle_queue_reloads_itself_and_a_busy_one_does_not(
    chromium: Browser, tmp_path: Path
) -> None:

    with serve_desk(tmp_path / "desk.db", refresh=1) as (base, _):
        driver = chromium.driver
        log_in(chromium, base)
        # Nobody touches it: within a few ticks the page is a new document.
        mark_page(chromium)
        wait_for_new_page(chromium, timeout=20)
        # Someone is in the filters: the page stays, ticks or not.
        driver.execute_script("document.getElementById('f-severity').focus()")
        mark_page(chromium)
        time.sleep(3)
        assert driver.execute_script("return window.__logixOld === true")  # not reloaded
