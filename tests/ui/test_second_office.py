"""A second office in the page: a mountain province whose slots have names of their own
("Phiên chợ sáng"), communes speaking H'Mông, Thái and Dao, a contact phone. What the officer
reads names slots and languages as people say them; slot names and the contact are edited on
the page and land in the file beside its comments; hearing a message uses the campaign's voice."""

from __future__ import annotations

import json
import re

import pytest
from conftest import write_workspace

from broadcast.operations import preview
from broadcast.operations.campaign import Campaign
from broadcast.ui.context import Config
from ui.pages import open_page

SETTINGS = """\
# Cài đặt của Sở: sửa trên trang hay trong Notepad đều được.
organization: Sở Dân tộc và Tôn giáo tỉnh Sơn La
campaign: {id: sl-2026, name: Phòng chống thiên tai vùng cao, start: 2026-12-01, end: 2026-12-07}
language: vie
speech: {engine: espeak}
slots:
  # Buổi chợ phiên: chỉ những ngày có chợ.
  phien-cho: {start: "07:00", minutes: 10, title: "Phiên chợ sáng", weekdays: [t2, t4, t6, cn]}
  toi: {start: "18:30", minutes: 10}
"""
COMMUNES = """\
communes:
  - id: sl-ta-xua
    name: Xã Tà Xùa
    province: Sơn La
    languages: [hmn]
    slots: [phien-cho]
  - id: sl-long-he
    name: Xã Long Hẹ
    province: Sơn La
    languages: [hmn, blt, ium]
    slots: [phien-cho, toi]
"""
MESSAGES = """\
messages:
  - id: phong-chay
    title: Phòng cháy rừng mùa khô
    text: Bà con không đốt nương khi trời hanh khô.
  - id: lu-quet-hmn
    title: Cảnh báo lũ quét (tiếng H'Mông)
    language: hmn
    priority: emergency
"""


@pytest.fixture(scope="module")
def office(browser, tmp_path_factory):
    root = write_workspace(tmp_path_factory.mktemp("office") / "son-la", settings=SETTINGS,
                           messages=MESSAGES, communes=COMMUNES)
    serving, page = open_page(browser, Config(root))
    page.root = root
    yield page
    page.context.close()
    serving.stop()


def cells(page, selector: str) -> list[str]:
    return [c.strip() for c in page.locator(selector).all_inner_texts()]


def test_the_communes_list_names_languages_and_slots_as_people_say_them(office, shots):
    office.goto(office.base + "/communes/")
    row = office.locator("tr[data-id=sl-long-he] td")
    shots(office, "second-office-communes")
    languages, slots = row.nth(2).inner_text(), row.nth(3).inner_text()
    assert languages == "tiếng H'Mông, tiếng Thái Đen, tiếng Dao"  # not "hmn, blt, ium"
    assert slots == "Phiên chợ sáng, Buổi tối"  # the title, and the usual name of a code
    assert "phien-cho" not in office.inner_text("table.list")
    office.click("tr[data-id=sl-ta-xua] a")
    ticked = office.locator("#f-slots label.check").all_inner_texts()
    assert any(label.startswith("Phiên chợ sáng") for label in ticked), ticked


def test_slot_names_and_the_contact_are_edited_on_the_page_keeping_the_file(office, shots):
    office.goto(office.base + "/settings")
    office.fill("input[name=slot__toi__title]", "Buổi tối ở bản")
    office.fill("#in-contact\\.person", "Chị Lò Thị Mai, Phòng Dân tộc")
    office.fill("#in-contact\\.phone", "0212 3 852 123")
    shots(office, "second-office-settings")
    office.click("form.form button[type=submit]")
    assert office.locator(".banner.note").count() == 1, office.inner_text("main")
    written = (office.root / "broadcast.yaml").read_text(encoding="utf-8")
    assert '  toi: {start: "18:30", minutes: 10, title: Buổi tối ở bản}' in written
    assert "contact:\n  person: Chị Lò Thị Mai, Phòng Dân tộc\n  phone: 0212 3 852 123\n" in written
    for comment in ("# Cài đặt của Sở", "# Buổi chợ phiên: chỉ những ngày có chợ."):
        assert comment in written
    assert "weekdays: [t2, t4, t6, cn]" in written  # the other slot is left as it was written
    office.goto(office.base + "/communes/")
    assert "Buổi tối ở bản" in office.locator("tr[data-id=sl-long-he] td").nth(3).inner_text()


def test_hearing_a_message_uses_the_voice_the_campaign_was_made_with(small_copy):
    # Built with the offline voice (``build --offline``); the settings name Google's. "Nghe thử"
    # with the box unticked once asked Google (no internet in a mountain office: a minute of
    # retries, then a failure) instead of the campaign's own choice.
    settings = small_copy / "broadcast.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("engine: espeak", "engine: gtts"),
                        encoding="utf-8")
    assert json.loads((small_copy / "build" / "speech.json").read_text(encoding="utf-8")) == {"offline": True}
    clip = preview.preview_clip(Campaign(small_copy), "tin-01")
    assert clip.cached  # the build's own clip: nothing made again, nothing fetched


def test_no_code_of_a_slot_or_language_is_shown_where_its_name_is_known(office):
    office.goto(office.base + "/communes/")
    shown = office.inner_text("table.list tbody")
    assert not re.search(r"\b(hmn|blt|ium|phien-cho|toi)\b", shown.replace("sl-", "")), shown


def test_messages_and_problems_say_languages_and_fields_in_words(office):
    office.goto(office.base + "/messages/")
    assert office.locator("tr[data-id=lu-quet-hmn] td").nth(2).inner_text() == "tiếng H'Mông"
    office.goto(office.base + "/")
    fields = office.locator(".problems .field").all_inner_texts()
    # "no message ready in Thái": the field is the form's "Ngôn ngữ của bà con", not "languages"
    assert "Ngôn ngữ của bà con" in fields and "languages" not in fields, fields
    assert office.locator(".problems .field[title=languages]").count() >= 1  # the file's name kept


def test_the_report_warns_of_an_emergency_no_language_group_has_heard(office):
    from broadcast.ledger.book import Ledger

    with Ledger(office.root / "ledger.sqlite"):
        pass  # the office has recorded nothing yet: built nothing, delivered nothing
    office.goto(office.base + "/records/report.html")
    warned = office.locator("ul.warnings li").all_inner_texts()
    assert len(warned) == 1 and "“Cảnh báo lũ quét (tiếng H'Mông)” (lu-quet-hmn" in warned[0], warned
    assert "tiếng H'Mông, tiếng Thái Đen, tiếng Dao" in warned[0]


def test_the_page_gives_its_own_controls_where_the_command_line_gives_a_flag(tmp_path):
    from broadcast import i18n
    from broadcast.errors import InputError
    from broadcast.ui.jobs import page_message

    i18n.set_language("vi")
    there = InputError("usb.exists", path=tmp_path / "xa-a")
    said = page_message(there)
    assert "--replace" not in said and "“Thay gói cũ của xã này trên USB”" in said
    assert said.startswith(str(tmp_path / "xa-a"))  # still names the folder first
    assert "broadcast build" not in page_message(InputError("usb.no_package", path=tmp_path))
    assert page_message(InputError("usb.full", needed_mb=9, free_mb=1)) == \
        InputError("usb.full", needed_mb=9, free_mb=1).message()
