"""Helpers of the browser tests: serve a page, log in, press a button and wait for its job."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from broadcast.operations.drives import Drive
from broadcast.ui import server
from broadcast.ui.context import Config

VIEWPORT = {"width": 1366, "height": 768}
"""An office PC's screen."""


def stick_drives(folder: Path) -> Callable[[], list[Drive]]:
    """The drives the page offers: one folder standing in for a mounted stick."""
    def listed() -> list[Drive]:
        folder.mkdir(parents=True, exist_ok=True)
        return [Drive(folder, "USB", 8 * 10**9, 8 * 10**9)]
    return listed


def open_page(browser, config: Config, language: str = "vi") -> tuple[server.Serving, object]:
    """Serve ``config`` and open it in a new page, logged in through the printed URL."""
    serving = server.start(config)
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN" if language == "vi" else "en-US")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(serving.url)
    page.base = f"http://127.0.0.1:{serving.port}"
    return serving, page


def run_job(page, selector: str, timeout: float = 60_000) -> dict:
    """Press the button that starts a long operation and wait until the page shows it over:
    its final state, the outcome's lines and the fingerprint shown."""
    page.evaluate("() => { document.getElementById('job').dataset.state = 'starting'; }")
    page.click(selector)
    page.wait_for_selector("#job[data-state=done], #job[data-state=failed]", timeout=timeout)
    return {"state": page.get_attribute("#job", "data-state"),
            "outcome": page.inner_text("#job .job-outcome"),
            "fingerprint": page.inner_text("#job .job-fingerprint code")}
