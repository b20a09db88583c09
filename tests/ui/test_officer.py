"""An officer's whole path on a fresh campaign, in a real browser: fix what ``check`` reports,
add a message, hear it, upload a studio recording, build, write a stick, verify it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import COMMUNES, MESSAGES, SETTINGS, make_audio, speechlike, write_workspace

from broadcast.ui.context import Config
from ui.pages import open_page, run_job, stick_drives

COMMENT = "# Tin của xã: sửa trên trang hay trong Notepad đều được."
BROKEN = MESSAGES.replace("  - id: tin-02\n",
                          f"  {COMMENT}\n  - id: tin-02\n    valid_from: 2026-13-01\n") + (
    "  - id: bru-01\n    title: Tảo hôn (tiếng Bru)\n    language: bru\n"
    "    comment: Chờ bản thu của người đọc.\n")


@pytest.fixture(scope="module")
def campaign(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("officer") / "chien-dich"
    settings = SETTINGS.replace("end: 2026-11-28", "end: 2026-11-17").replace("minutes: 15", "minutes: 3")
    write_workspace(root, settings=settings, messages=BROKEN,
                    communes=COMMUNES.replace("languages: [vie]", "languages: [vie, bru]"))
    return root


@pytest.fixture(scope="module")
def page(browser, campaign, tmp_path_factory):
    stick = tmp_path_factory.mktemp("stick") / "USB"
    serving, page = open_page(browser, Config(campaign, drives=stick_drives(stick)))
    page.stick = stick
    yield page
    page.context.close()
    serving.stop()


def test_the_campaign_page_links_each_problem_to_its_form(page, shots):
    assert page.inner_text(".card.bad b") == "1"  # one error: the impossible date
    problem = page.locator(".problems li.error").first
    assert "2026-13-01" in problem.inner_text() and "messages.yaml:" in problem.inner_text()
    shots(page, "campaign-problem")
    problem.locator("a.fix").click()
    assert page.url.endswith("/messages/messages.yaml:1/edit#f-valid_from")
    assert "bad" in page.get_attribute("#f-valid_from", "class")


def test_fixing_the_date_writes_the_file_keeping_its_comments(page, campaign):
    page.fill("#in-valid_from", "2026-11-16")
    page.click("#message-form button[type=submit]")
    assert "tin-02" in page.inner_text(".banner.note")
    written = (campaign / "messages.yaml").read_text(encoding="utf-8")
    assert "valid_from: 2026-11-16" in written and COMMENT in written
    assert written.count("\n  - id: ") == 3  # the layout of the list is kept
    page.goto(page.base + "/")
    assert page.inner_text(".card.good b") == "0"


def test_a_new_message_is_added_and_heard(page, campaign, shots):
    page.goto(page.base + "/messages/new")
    page.fill("#in-id", "tin-03")
    page.fill("#in-title", "Đường dây nóng 111")
    page.fill("#in-topics", "trẻ em, bảo vệ trẻ em")
    page.fill("#in-text", "Khi trẻ em bị xâm hại, hãy gọi ngay Tổng đài 111.")
    page.click("#message-form button[type=submit]")
    assert "/messages/messages.yaml:3/edit" in page.url
    assert "id: tin-03" in (campaign / "messages.yaml").read_text(encoding="utf-8")
    page.click("[data-spoken]")
    page.wait_for_function("document.querySelectorAll('#spoken li').length > 1")
    assert "một một một" in page.inner_text("#spoken")  # the hotline read digit by digit
    job = run_job(page, "#listen")
    assert job["state"] == "done", job
    page.wait_for_function("document.querySelector('#job audio').readyState >= 1", timeout=15_000)
    seconds = page.evaluate("document.querySelector('#job audio').duration")
    assert 1.0 < seconds < 30.0  # the browser decoded the clip just rendered
    assert (campaign / "build" / "clips" / "tin-03.mp3").is_file()
    shots(page, "message-listen")


def test_a_recording_is_uploaded_checked_and_kept(page, campaign, tmp_path):
    wav = make_audio(tmp_path / "bru-tao-hon.wav", speechlike(2.0), 2.0)
    page.goto(page.base + "/messages/messages.yaml:2/edit")
    page.set_input_files("input[type=file][name=file]", str(wav))
    page.click("form[enctype] button[type=submit]")
    assert "recordings/bru-tao-hon.wav" in page.inner_text(".banner.note")
    assert (campaign / "recordings" / "bru-tao-hon.wav").read_bytes() == wav.read_bytes()
    assert "recording: recordings/bru-tao-hon.wav" in (campaign / "messages.yaml").read_text("utf-8")


def test_build_write_the_stick_and_verify(page, campaign, shots):
    page.goto(page.base + "/deliver/")
    job = run_job(page, "#build")
    assert job["state"] == "done", job
    assert "xa-a" in job["outcome"]
    shots(page, "deliver-build")
    page.reload()
    job = run_job(page, "#write-stick")
    assert job["state"] == "done", job
    manifest = page.stick / "xa-a" / "manifest.json"
    assert manifest.is_file()
    assert "bru-01" in manifest.read_text("utf-8")  # the uploaded recording went into the package
    job = run_job(page, "#verify-stick")
    assert job["state"] == "done" and "đúng như kế hoạch" in job["outcome"], job
    shots(page, "deliver-stick")


def test_publish_and_share_with_a_qr_code_in_the_page(page, tmp_path):
    store = (tmp_path / "kho").as_uri()
    page.goto(page.base + "/deliver/")
    page.fill("form[action$='/publish'] input[name=url]", store)
    job = run_job(page, "#publish")
    assert job["state"] == "done" and store in job["outcome"], job
    page.fill("form[action$='/share'] input[name=url]", store)
    page.click("#share")
    link = page.input_value("#shared textarea.link")
    assert link.startswith(store + "/shares/xa-a/") and link.endswith(".json")
    assert page.locator("#shared .qr svg").count() == 1


def test_schedule_and_records_show_what_was_done(page, shots):
    page.goto(page.base + "/schedule/")
    assert run_job(page, "#plan")["state"] == "done"
    page.reload()
    assert page.locator("table.calendar tbody tr").count() == 3  # three campaign days
    assert "Đường dây nóng 111" in page.inner_text("table.calendar")
    shots(page, "schedule")
    page.goto(page.base + "/records/")
    history = page.inner_text("table.list")
    assert "chép USB" in history and "đóng gói" in history and "đưa lên kho" in history
    # Times on the office's own clock, day first, as the report counts days; not UTC stamps.
    first = page.locator("table.list tbody tr td").first.inner_text()
    assert "UTC" not in history and re.fullmatch(r"\d\d/\d\d/20\d\d \d\d:\d\d:\d\d", first), first
    report = page.frame_locator("iframe.report")
    assert report.locator("svg").count() >= 2  # the report's charts, drawn in the page's frame
    shots(page, "records")


def test_the_page_speaks_english_when_asked(page):
    page.goto(page.base + "/")
    page.click("button[name=lang][value=en]")
    assert page.inner_text("nav.tabs").split()[0] == "Campaign"
    page.click("button[name=lang][value=vi]")
    assert "Chiến dịch" in page.inner_text("nav.tabs")
