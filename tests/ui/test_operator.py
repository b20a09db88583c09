"""A commune operator's path in a real browser, with no campaign folder: paste a share link
served by a local store (a file:// store and its share document work offline), receive the
package, see the sender's fingerprint, verify it, write it to a stick, verify the stick."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SETTINGS, write_workspace

from broadcast.operations import deliver
from broadcast.operations import records as keys
from broadcast.operations.campaign import Campaign
from broadcast.ui.context import Config
from ui.pages import open_page, run_job, stick_drives


@pytest.fixture(scope="module")
def state_folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("operator-state")


@pytest.fixture(autouse=True)
def _one_state_folder(monkeypatch, state_folder):
    """The operator's received packages and remembered keys last across this module's tests."""
    monkeypatch.setenv("BROADCAST_STATE_DIR", str(state_folder))


@pytest.fixture(scope="module")
def link(tmp_path_factory) -> str:
    """A published campaign and a share link to its one commune's package."""
    base = tmp_path_factory.mktemp("sender")
    root = write_workspace(base / "ws", settings=SETTINGS.replace("end: 2026-11-28", "end: 2026-11-16")
                           .replace("minutes: 15", "minutes: 2"))
    store = (base / "store").as_uri()
    deliver.publish(Campaign(root), store, offline=True)
    return deliver.share(store, "xa-a", expires="1d").link


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory, state_folder):
    with pytest.MonkeyPatch.context() as patch:  # from the first request on, never the real home
        patch.setenv("BROADCAST_STATE_DIR", str(state_folder))
        yield from _opened(browser, tmp_path_factory)


def _opened(browser, tmp_path_factory):
    stick = tmp_path_factory.mktemp("stick") / "USB"
    serving, page = open_page(browser, Config(None, operator=True, drives=stick_drives(stick)))
    page.stick = stick
    yield page
    page.context.close()
    serving.stop()


def test_a_share_link_is_received_with_the_senders_fingerprint(page, link, shots):
    assert page.locator("nav.tabs").count() == 0  # no campaign pages for an operator
    page.fill("#link", link)
    job = run_job(page, "#pull")
    assert job["state"] == "done", job
    assert job["fingerprint"] == keys.show_key().fingerprint  # the test's office key
    assert "xa-a" in job["outcome"]
    shots(page, "operator-received")
    page.reload()
    assert keys.show_key().fingerprint in page.inner_text("code.fingerprint")
    number = page.locator("table.list tbody tr td").nth(1).inner_text()
    assert number == "1"  # under "Số gói", the package's number (its creation time was shown)


def test_the_received_package_is_verified_and_written_to_a_stick(page, shots):
    job = run_job(page, "button.verify-received")
    assert job["state"] == "done" and "đúng như kế hoạch" in job["outcome"], job
    job = run_job(page, "#write-stick")
    assert job["state"] == "done", job
    assert (page.stick / "xa-a" / "manifest.json").is_file()
    job = run_job(page, "#verify-stick")
    assert job["state"] == "done" and "đúng như kế hoạch" in job["outcome"], job
    shots(page, "operator-stick")


def test_a_link_that_is_no_share_link_is_refused_in_words(page, tmp_path: Path):
    (tmp_path / "x.json").write_text('{"format": "something else"}', encoding="utf-8")
    page.reload()
    page.fill("#link", (tmp_path / "x.json").as_uri())
    job = run_job(page, "#pull")
    assert job["state"] == "failed" and "x.json" in job["outcome"], job
