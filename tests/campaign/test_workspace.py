"""The workspace format: loading, discovery, and every kind of input error reported at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import COMMUNES, MESSAGES, SETTINGS, write_workspace

from broadcast.campaign import workspace
from broadcast.errors import InputError, InputProblems


def problems_of(root: Path) -> list:
    with pytest.raises(InputProblems) as caught:
        workspace.load(root)
    return caught.value.problems


def keys(problems) -> list[str]:
    return [p.key for p in problems if p.is_error]


def test_loads_a_valid_workspace(workspace: Path):
    ws, warnings = workspace_load(workspace)
    assert [m.id for m in ws.messages] == ["tin-01", "tin-02"]
    assert ws.messages[1].repeat == 2
    assert ws.messages[0].language == "vie"
    assert ws.settings.campaign.start == dt.date(2026, 11, 15)
    commune = ws.communes[0]
    assert [s.name for s in commune.slots] == ["sang", "chieu"]
    # "17:00" must stay a time: YAML 1.1 would have read it as the number 1020.
    assert commune.slots[1].start == dt.time(17, 0)
    assert warnings == []


def workspace_load(root: Path):
    return workspace.load(root)


def test_every_error_is_reported_at_once_with_file_and_line(tmp_path: Path):
    messages = """\
    messages:
      - id: tin-01
        title: Một
        text: Nội dung.
        valid_from: 2026-13-01
      - id: tin-01
        title: Hai
        text: "   "
      - id: tin-03
        titel: Ba
        text: Nội dung.
        language: xyz
      - id: tin-04
        title: Bốn
        recording: recordings/khong-co.wav
    """
    communes = """\
    communes:
      - id: xa-a
        name: Xã A
        province: Quảng Trị
        languages: [vie]
        slots: [sang, {name: trua, start: "06:10", minutes: 10}]
    """
    root = write_workspace(tmp_path / "ws", messages=messages, communes=communes)
    found = problems_of(root)
    by_key = {p.key: p for p in found if p.is_error}
    assert by_key["field.bad_date"].line == 5 and by_key["field.bad_date"].field == "valid_from"
    assert by_key["workspace.duplicate_message"].line == 6
    assert "messages.yaml:2" in by_key["workspace.duplicate_message"].params["other"]
    assert by_key["field.empty"].field == "text" and by_key["field.empty"].line == 8
    assert by_key["field.unknown_close"].params["close"] == "title"
    assert "field.missing" not in by_key  # 'titel' is told once, as the misspelling of 'title'
    assert by_key["field.bad_language"].line == 12
    assert by_key["field.file_not_found"].line == 15
    assert by_key["workspace.slots_overlap"].file == "communes.yaml"
    assert all(p.file for p in found)


def test_check_cli_reports_all_and_exits_2(tmp_path: Path, run_cli):
    messages = MESSAGES + ("  - id: tin-01\n    title: Trùng\n    text: x.\n"
                           "  - id: tin-09\n    title: ''\n    text: y.\n")
    root = write_workspace(tmp_path / "ws", messages=messages)
    result = run_cli("-w", str(root), "check")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert any(line.startswith("messages.yaml:11: error: item 'tin-01'") for line in lines)
    assert any(line.startswith("messages.yaml:15: error: item 'tin-09', field 'title'") for line in lines)
    assert lines[-1] == "In all: 2 error(s), 0 warning(s)."
    assert "Traceback" not in result.stderr


def test_check_speaks_vietnamese_by_default(tmp_path: Path, run_cli, monkeypatch):
    monkeypatch.delenv("BROADCAST_LANG")
    monkeypatch.setenv("LANG", "C.UTF-8")
    root = write_workspace(tmp_path / "ws", messages=MESSAGES.replace("title: Phòng", "titl: Phòng"))
    result = run_cli("-w", str(root), "check", env={"BROADCAST_LANG": "vi"})
    assert result.exit_code == 2
    assert "lỗi: mục 'tin-01', trường 'titl': không có trường này; có phải ý bạn là 'title'?" in result.stderr


def test_yaml_syntax_error_names_the_line(tmp_path: Path):
    root = write_workspace(tmp_path / "ws", communes="communes:\n  - id: xa-a\n    name: [Xã A\n")
    found = problems_of(root)
    # The bracket opens on line 3; nothing echoes the error (no "expected a list", no warnings).
    assert [(p.key, p.file, p.line) for p in found] == [("yaml.unclosed_bracket", "communes.yaml", 3)]


def test_minority_language_without_recording_is_a_warning(tmp_path: Path, run_cli):
    messages = MESSAGES + "  - id: bru-01\n    title: Tảo hôn (tiếng Bru)\n    language: bru\n"
    communes = COMMUNES.replace("languages: [vie]", "languages: [vie, bru]")
    root = write_workspace(tmp_path / "ws", messages=messages, communes=communes)
    ws, warnings = workspace.load(root)
    assert ws.message("bru-01").awaiting_recording
    assert [w.key for w in warnings] == ["workspace.awaiting_recording", "workspace.language_no_content"]
    result = run_cli("-w", str(root), "check")
    assert result.exit_code == 0
    assert "1 awaiting a recording" in result.stdout


def test_vietnamese_message_needs_text_or_recording(tmp_path: Path):
    root = write_workspace(tmp_path / "ws", messages="messages:\n  - id: a\n    title: Không nội dung\n")
    assert keys(problems_of(root)) == ["workspace.text_or_recording"]


def test_reversed_validity_and_bad_weekday(tmp_path: Path):
    messages = MESSAGES + ("  - id: c\n    title: C\n    text: x.\n    valid_from: 20/11/2026\n"
                           "    valid_until: 2026-11-16\n  - id: d\n    title: D\n    text: x.\n"
                           "    weekdays: [t2, thứ 9]\n")
    found = problems_of(write_workspace(tmp_path / "ws", messages=messages))
    assert sorted((p.key, p.record) for p in found) == [
        ("field.bad_weekday", "d"), ("workspace.validity_reversed", "c")]


def test_dates_in_vietnamese_order_and_weekday_names(tmp_path: Path):
    messages = MESSAGES + ("  - id: c\n    title: C\n    text: x.\n    valid_from: 20/11/2026\n"
                           "    weekdays: [T2, thứ 4, CN]\n    priority: khẩn cấp\n")
    ws, _ = workspace.load(write_workspace(tmp_path / "ws", messages=messages))
    message = ws.message("c")
    assert message.valid_from == dt.date(2026, 11, 20)
    assert message.weekdays == ("mon", "wed", "sun")
    assert message.priority == "emergency"


def test_messages_from_csv_with_vietnamese_headers_and_cp1258(tmp_path: Path):
    root = write_workspace(tmp_path / "ws", settings=SETTINGS + "messages: [kich-ban.csv]\n")
    rows = ("Mã;Tiêu đề;Nội dung;Số lần đọc;Thứ\n"
            "csv-01;Tảo hôn;Không tảo hôn.;2;t2, t4\n"
            ";;;;\n"
            "csv-02;Bạo lực gia đình;;x;t2\n")
    (root / "kich-ban.csv").write_bytes(to_cp1258(rows))
    found = problems_of(root)
    # Row 4 is the fourth line of the sheet (the blank row 3 is skipped but still counted).
    # The record with a bad field is not checked further, so its missing text is not echoed.
    assert {(p.file, p.line, p.field, p.key) for p in found if p.is_error} == {
        ("kich-ban.csv", 4, "repeat", "field.bad_number")}
    (root / "kich-ban.csv").write_bytes(to_cp1258(rows.replace(";;x;", ";Không bạo lực.;1;")))
    ws, _ = workspace.load(root)
    assert ws.message("csv-01").title == "Tảo hôn"  # decoded from cp1258 and NFC-normalized
    assert ws.message("csv-01").weekdays == ("mon", "wed")
    assert ws.message("csv-02").source.line == 4


def to_cp1258(text: str) -> bytes:
    """Encode as Excel does on a Vietnamese Windows PC: cp1258 keeps tone marks as combining marks."""
    import unicodedata

    out = []
    for char in unicodedata.normalize("NFC", text):
        try:
            out.append(char.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            tone = next(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", parts.replace(tone, ""))
            out.append((base + tone).encode("cp1258"))
    return b"".join(out)


def test_messages_from_xlsx(tmp_path: Path):
    openpyxl = pytest.importorskip("openpyxl")
    root = write_workspace(tmp_path / "ws", settings=SETTINGS + "messages: [messages.yaml, tin.xlsx]\n")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "Tiêu đề", "Nội dung", "Từ ngày", "Cột lạ"])
    sheet.append(["x-01", "Trẻ em", "Bảo vệ trẻ em.", dt.datetime(2026, 11, 20)])
    book.save(root / "tin.xlsx")
    found = problems_of(root)
    assert [(p.file, p.line, p.key, p.params.get("column")) for p in found] == [
        ("tin.xlsx", 1, "workspace.unknown_column", "Cột lạ")]
    book.active.delete_cols(5)
    book.active["E1"] = None
    sheet.cell(row=1, column=5).value = None
    book.save(root / "tin.xlsx")
    ws, _ = workspace.load(root)
    assert ws.message("x-01").valid_from == dt.date(2026, 11, 20)
    assert ws.message("x-01").source.file == "tin.xlsx" and ws.message("x-01").source.line == 2


def test_nfd_text_is_normalized(tmp_path: Path):
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Bình đẳng giới")
    messages = f"messages:\n  - id: a\n    title: {nfd}\n    text: {nfd}.\n"
    root = write_workspace(tmp_path / "ws", messages=messages)
    ws, _ = workspace.load(root)
    assert ws.message("a").title == "Bình đẳng giới"


def test_discovery_order(tmp_path: Path, workspace: Path, monkeypatch):
    other = write_workspace(tmp_path / "other")
    monkeypatch.chdir(workspace)
    assert workspace_discover(None) == workspace.resolve()
    monkeypatch.setenv("BROADCAST_WORKSPACE", str(other))
    assert workspace_discover(None) == other.resolve()
    assert workspace_discover(str(workspace)) == workspace.resolve()
    with pytest.raises(InputError) as caught:
        workspace_discover(str(tmp_path))
    assert "broadcast.yaml" in caught.value.message()


def workspace_discover(option):
    return workspace.discover(option)


def test_workspace_profiles_extend_builtins(tmp_path: Path):
    settings = SETTINGS + "profiles:\n  loa-lon: {base: loudspeaker, target_lufs: -14, tempo: 0.9}\n"
    ws, _ = workspace.load(write_workspace(tmp_path / "ws", settings=settings))
    assert ws.profiles["loa-lon"].target_lufs == -14
    assert ws.profiles["loa-lon"].highpass_hz == ws.profiles["loudspeaker"].highpass_hz
    assert ws.profiles["ebu-r128"].target_lufs == -23


def test_init_copies_the_sample_and_refuses_a_full_folder(tmp_path: Path, run_cli):
    result = run_cli("init", str(tmp_path / "moi"))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "moi" / "broadcast.yaml").is_file()
    again = run_cli("init", str(tmp_path / "moi"))
    assert again.exit_code == 2
    assert "already holds files" in again.stderr
