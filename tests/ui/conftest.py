"""A real page in a real browser: the server in this process (on 127.0.0.1, a free port) and
Debian's chromium driven by Playwright (never a browser Playwright downloads).

One browser per test module; each test gets a fresh page. Screenshots go to the run's temporary
folder (``ui-screenshots/``), or to ``$BROADCAST_UI_SCREENSHOTS`` when set (to refresh docs/).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import require_tool

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = require_tool("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Callable[[object, str], Path]:
    """``shots(page, name)`` saves a full-page screenshot and returns its path."""
    chosen = os.environ.get("BROADCAST_UI_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.getbasetemp() / "ui-screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.evaluate("window.scrollTo(0, 0)")  # the job's panel and the page's head in view
        page.screenshot(path=str(path), full_page=False)
        return path
    return take
