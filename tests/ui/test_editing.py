"""Edits from the page are written back into the office's own files keeping every comment, the
order of keys and the layout; what the format cannot read is refused before anything is
written; messages come in from a spreadsheet all or none."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from conftest import write_workspace

from broadcast.campaign.sheets import write_xlsx
from broadcast.campaign.workspace import sample_dir
from broadcast.errors import InputError, InputProblems
from broadcast.operations import drives, editing, settings, sheetimport, yamledit


@pytest.fixture
def sample(tmp_path) -> Path:
    root = tmp_path / "mau"
    shutil.copytree(sample_dir(), root, ignore=shutil.ignore_patterns("build", "dist"))
    return root


def comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


@pytest.mark.parametrize("name", ["broadcast.yaml", "messages.yaml", "communes.yaml", "lexicon.yaml"])
def test_an_untouched_file_is_written_back_byte_for_byte(sample, name):
    before = (sample / name).read_bytes()
    doc = yamledit.Document.load(sample / name, name)
    doc.save(doc.digest)
    assert (sample / name).read_bytes() == before


def test_editing_a_message_keeps_every_comment_and_the_other_records(sample):
    path = sample / "messages.yaml"
    before = path.read_text("utf-8")
    saved = editing.save_record(sample, "message", "tong-dai-111", {
        "priority": "emergency", "valid_from": dt.date(2026, 11, 20), "comment": "Ghi chú mới",
        "weekdays": editing.weekdays_written(["mon", "wed"]), "repeat": None})
    after = path.read_text("utf-8")
    assert comments(after) == comments(before)  # every comment, in its place in the order
    assert saved.record.problems == [] and saved.checked.errors == []
    lines = after.splitlines()
    start = lines.index("  - id: tong-dai-111")
    record = lines[start:start + 8]
    priority = next(line for line in record if line.startswith("    priority:"))
    assert priority.split("#")[0].split() == ["priority:", "emergency"]
    assert priority.index("#") == 32  # the comment stays in its column
    assert priority.endswith("# tin ưu tiên: được xếp phát trước các tin thường")
    assert "    valid_from: 2026-11-20" in record and "    weekdays: [t2, t4]" in record
    assert not any(line.startswith("    repeat:") for line in record)
    # Everything outside that record is unchanged, line for line.
    old = before.splitlines()
    end_old = next(i for i, line in enumerate(old) if line.startswith("  # --- Phòng, chống xâm hại trẻ em"))
    end_new = lines.index(old[end_old])
    assert lines[:start] == old[:start] and lines[end_new:] == old[end_old:]
    assert lines[end_new - 2].strip() == "comment: Ghi chú mới"  # added last, before the next heading


def test_a_new_message_goes_at_the_end_after_a_blank_line(sample):
    editing.save_record(sample, "message", None, {"id": "tin-moi", "title": "Tin mới", "topics": ["a", "b"],
                                                  "text": ("Kính thưa bà con! " * 10).strip()})
    text = (sample / "messages.yaml").read_text("utf-8")
    assert text.endswith("  - id: tin-moi\n    title: Tin mới\n    topics: [a, b]\n    text: >-\n"
                         + "".join(f"      {line}\n" for line in _folded("Kính thưa bà con! " * 10)))
    assert "\n\n  - id: tin-moi\n" in text


def _folded(text: str) -> list[str]:
    import textwrap

    return textwrap.wrap(text.strip(), yamledit.FOLD_WIDTH)


def test_what_the_format_cannot_read_is_refused_and_nothing_written(sample):
    before = (sample / "messages.yaml").read_bytes()
    for values in ({"valid_from": "2026-13-01"}, {"repeat": 9}, {"id": "Tổng đài"},
                   {"id": "tin-01x", "title": None}, {"id": "TAO-HON-TUOI-KET-HON"}):
        with pytest.raises(InputProblems):
            editing.save_record(sample, "message", "luat-binh-dang-gioi", values)
    assert (sample / "messages.yaml").read_bytes() == before


def test_a_file_changed_elsewhere_is_not_overwritten(sample):
    digest = yamledit.Document.load(sample / "communes.yaml", "communes.yaml").digest
    with open(sample / "communes.yaml", "a", encoding="utf-8") as fh:
        fh.write("# sửa trong Notepad\n")
    with pytest.raises(InputError, match="elsewhere"):
        editing.save_record(sample, "commune", "qt-lia", {"name": "Xã Lìa mới"}, digest=digest)
    assert "Xã Lìa mới" not in (sample / "communes.yaml").read_text("utf-8")


def test_a_commune_and_the_settings_are_edited_in_place(sample):
    editing.save_record(sample, "commune", "qt-lia", {"languages": ["vie", "bru"], "channel": "image"})
    text = (sample / "communes.yaml").read_text("utf-8")
    assert "      # Buổi phát riêng của xã: thêm 15 phút vào trưa thứ Bảy và Chủ nhật." in text
    assert "    languages: [vie, bru]\n" in text
    checked = settings.save_settings(sample, {"campaign.name": "Chiến dịch 2027", "slots.sang.minutes": 20,
                                              "slots.trua.start": "11:30", "slots.trua.minutes": 15})
    settings_text = (sample / "broadcast.yaml").read_text("utf-8")
    assert '  sang: {start: "06:00", minutes: 20, title: "Buổi sáng"}' in settings_text
    assert '  trua: {start: "11:30", minutes: 15}' in settings_text
    assert "  name: Chiến dịch 2027\n" in settings_text
    assert comments(settings_text) == comments((sample_dir() / "broadcast.yaml").read_text("utf-8"))
    assert checked.errors == []
    with pytest.raises(InputProblems):
        settings.save_settings(sample, {"campaign.start": "31/02/2026"})


def test_messages_from_a_spreadsheet_all_or_none(tmp_path):
    root = write_workspace(tmp_path / "ws")
    sheet = tmp_path / "kich-ban.xlsx"
    header = ["mã", "tiêu đề", "nội dung", "chủ đề", "từ ngày"]
    write_xlsx(sheet, {"Tin": [header,
                               ["tin-10", "Tin mười", "Nội dung mười.", "a; b", dt.date(2026, 11, 16)],
                               ["tin-11", "Tin mười một", "Nội dung mười một.", "", None]]})
    imported = sheetimport.import_sheet(root, sheet, sheet.name)
    assert imported.ids == ["tin-10", "tin-11"] and imported.checked.errors == []
    text = (root / "messages.yaml").read_text("utf-8")
    assert "  - id: tin-10\n    title: Tin mười\n    topics: [a, b]\n    valid_from: 2026-11-16\n" in text
    before = text
    write_xlsx(sheet, {"Tin": [header, ["tin-12", "Tốt", "Tốt.", "", None],
                               ["tin-01", "Trùng mã", "x", "", None],
                               ["tin-13", "Ngày sai", "y", "", "2026-13-01"]]})
    with pytest.raises(InputProblems) as refused:
        sheetimport.import_sheet(root, sheet, sheet.name)
    rows = sorted((p.line, p.field) for p in refused.value.problems)
    assert rows == [(3, "id"), (4, "valid_from")]  # the sheet's rows, the fields
    assert (root / "messages.yaml").read_text("utf-8") == before


def test_removable_drives_include_the_folders_named_for_them(tmp_path, monkeypatch):
    stick = tmp_path / "USB KINGSTON"
    stick.mkdir()
    monkeypatch.setenv(drives.ENV_VAR, f"{stick}{__import__('os').pathsep}{tmp_path / 'missing'}")
    found = drives.removable_drives()
    assert stick in [d.path for d in found] and tmp_path / "missing" not in [d.path for d in found]
    assert all(d.total >= d.free > 0 for d in found if d.path == stick)
