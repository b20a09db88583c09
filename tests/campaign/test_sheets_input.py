"""Message sheets as offices save them (issue 10): encodings told by name, stray quotes told at
the row where they open, values under no header, sheets with a header and nothing else."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from badinput import edit, refused, sub

from broadcast.campaign import workspace

CSV_SETTINGS = sub("signing:", "messages: [tin.csv]\nsigning:")
XLSX_SETTINGS = sub("signing:", "messages: [tin.xlsx]\nsigning:")
HEADER = "Mã;Tiêu đề;Nội dung;Số lần đọc\n"
ROWS = ("csv-01;Tảo hôn;Không tảo hôn.;1\ncsv-02;Bạo lực gia đình;Không bạo lực.;2\n"
        "csv-03;Trẻ em;Bảo vệ trẻ em.;1\n")


@pytest.fixture
def ws(small_copy):
    edit(small_copy, {"broadcast.yaml": CSV_SETTINGS})
    return small_copy


def test_a_good_sheet_in_utf8_with_bom_or_cp1258_is_read(ws):
    from campaign.test_workspace import to_cp1258

    for data in ((HEADER + ROWS).encode("utf-8-sig"), to_cp1258(HEADER + ROWS)):
        (ws / "tin.csv").write_bytes(data)
        loaded, _ = workspace.load(ws)
        assert [m.title for m in loaded.messages] == ["Tảo hôn", "Bạo lực gia đình", "Trẻ em"]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_sheets_are_told_to_be_saved_as_utf8(codec, ws, run_cli, monkeypatch):
    edit(ws, {"tin.csv": (HEADER + ROWS).encode(codec)})
    vi, en = refused(ws, run_cli, monkeypatch, [("tin.csv", None, None)])
    assert "saved as UTF-16" in en and "UTF-16" in vi and "\x00" not in en


@pytest.mark.parametrize("name,data", [
    ("a workbook named .csv", "xlsx"),
    ("an MP3 named .csv", b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 8),
    ("a Word 97 document", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)),
])
def test_files_that_are_no_text_sheet_are_told_what_they_are(name, data, ws, run_cli, monkeypatch, tmp_path):
    if data == "xlsx":
        book = openpyxl.Workbook()
        book.active.append(["id", "title"])
        book.save(tmp_path / "x.xlsx")
        data = (tmp_path / "x.xlsx").read_bytes()
    edit(ws, {"tin.csv": data})
    refused(ws, run_cli, monkeypatch, [("tin.csv", None, None)])


QUOTES = {
    "in a title, swallowing two rows": ('csv-01;"Tảo hôn;Không tảo hôn.;1\n', 2, "title"),
    "in the text, rows after it": ('csv-02;Bạo lực;"Không bạo lực.;2\n', 3, "text"),
    "in an id": ('"csv-01;Tảo hôn;Không tảo hôn.;1\n', 2, "id"),
}


@pytest.mark.parametrize("name", QUOTES)
def test_a_stray_quote_is_told_at_the_row_where_it_opens(name, ws, run_cli, monkeypatch):
    row, line, field = QUOTES[name]
    rows = ROWS.splitlines(keepends=True)
    rows[line - 2] = row
    edit(ws, {"tin.csv": HEADER + "".join(rows) + "csv-04;Thêm;Tin thêm.;1\n"})
    vi, en = refused(ws, run_cli, monkeypatch, [("tin.csv", line, field)])
    assert f"opens in row {line} is never closed" in en and f"mở ở dòng {line}" in vi


def test_a_text_cell_may_hold_line_breaks(ws):
    edit(ws, {"tin.csv": HEADER + 'csv-01;Tảo hôn;"Dòng một,\nDòng hai.";1\ncsv-02;Hai;Nội dung.;1\n'})
    loaded, _ = workspace.load(ws)
    assert loaded.message("csv-01").text == "Dòng một,\nDòng hai."
    assert loaded.message("csv-02").source.line == 4  # the row a record starts on


@pytest.mark.parametrize("sheet", [HEADER.replace(";Số lần đọc", ";") + "csv-01;A;B;2\n",
                                   HEADER + "csv-01;A;B;1;ghi thêm\n",
                                   HEADER + "csv-01;A;B;1;;;x\n"])
def test_a_value_under_no_header_is_an_error(sheet, ws, run_cli, monkeypatch):
    edit(ws, {"tin.csv": sheet})
    _, en = refused(ws, run_cli, monkeypatch, [("tin.csv", 2, None)])
    assert "has no header" in en


@pytest.mark.parametrize("sheet", ["", "\n\n;;;\n", HEADER, HEADER + ";;;\n\n"])
def test_empty_and_header_only_sheets_are_errors(sheet, ws, run_cli, monkeypatch):
    edit(ws, {"tin.csv": sheet})
    refused(ws, run_cli, monkeypatch, [("tin.csv", 1 if sheet.startswith("Mã") else None, None)])


def test_xlsx_merged_blank_and_repeated_headers(ws, run_cli, monkeypatch):
    edit(ws, {"broadcast.yaml": XLSX_SETTINGS})
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã", "Tiêu đề", "Nội dung", None, "Ghi chú", "Ghi chú"])
    sheet.append(["x-01", "Trẻ em", "Bảo vệ", "trẻ em.", "", ""])
    sheet.append(["x-02", "Phụ nữ", "Bình đẳng.", None, dt.date(2026, 11, 20), None])
    sheet.merge_cells("C1:D1")  # a merged header: the text under D has no header of its own
    book.save(ws / "tin.xlsx")
    _, en = refused(ws, run_cli, monkeypatch, [("tin.xlsx", 1, "comment"), ("tin.xlsx", 2, None)])
    assert "column D holds a value but has no header" in en


@pytest.mark.parametrize("content", [b"not a zip", b"PK\x03\x04" + bytes(100),
                                     b"\xd0\xcf\x11\xe0" + bytes(100)])
def test_damaged_or_old_workbooks(content, ws, run_cli, monkeypatch):
    edit(ws, {"broadcast.yaml": XLSX_SETTINGS, "tin.xlsx": content})
    _, en = refused(ws, run_cli, monkeypatch, [("tin.xlsx", None, None)])
    assert "Zip" not in en and "zip" not in en  # our words, not zipfile's


def test_a_quote_opened_in_the_last_row_is_told_not_swallowed(ws, run_cli, monkeypatch):
    # The quote runs to the end of the file without a line break to give it away: the text
    # would silently become "Không bạo lực.;2" and 'repeat' vanish.
    edit(ws, {"tin.csv": HEADER + 'csv-01;Tảo hôn;Không tảo hôn.;1\ncsv-02;Bạo lực;"Không bạo lực.;2\n'})
    refused(ws, run_cli, monkeypatch, [("tin.csv", 3, "text")])


@pytest.mark.parametrize("row", ['csv-01;"Tảo hôn" sớm;Không tảo hôn.;1\n',
                                 'csv-01;"Tảo hôn;Không" tảo hôn.;1\n'])
def test_a_quote_that_glues_cells_together_is_told_at_its_row(row, ws, run_cli, monkeypatch):
    edit(ws, {"tin.csv": HEADER + row + "csv-02;Hai;Nội dung.;1\n"})
    vi, en = refused(ws, run_cli, monkeypatch, [("tin.csv", 2, None)])
    assert "goes on after its closing quote" in en and "ở dòng 2" in vi


def _book(ws, rows, others: dict | None = None) -> None:
    edit(ws, {"broadcast.yaml": lambda t: t.replace("[tin.csv]", "[tin.xlsx]")})
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    for title, more in (others or {}).items():
        sheet = book.create_sheet(title)
        for row in more:
            sheet.append(row)
    book.save(ws / "tin.xlsx")


@pytest.mark.parametrize("title,said", [(dt.date(2026, 11, 15), "the cell holds the date 2026-11-15"),
                                        (True, "'true' is read as a yes/no value"),
                                        ("#REF!", "shows Excel's error #REF!"),
                                        ("#N/A", "shows Excel's error #N/A")])
def test_xlsx_cells_that_are_no_title(title, said, ws, run_cli, monkeypatch):
    _book(ws, [["Mã", "Tiêu đề", "Nội dung"], ["x-01", title, "Bảo vệ trẻ em."]])
    _, en = refused(ws, run_cli, monkeypatch, [("tin.xlsx", 2, "title")])
    assert said in en


def test_xlsx_messages_on_a_later_sheet_are_pointed_at(ws, run_cli, monkeypatch):
    _book(ws, [], {"Danh sách tin": [["Mã", "Tiêu đề", "Nội dung"], ["x-01", "A", "B."]]})
    vi, en = refused(ws, run_cli, monkeypatch, [("tin.xlsx", None, None)])
    assert "sheet 'Danh sách tin' holds rows" in en and "trang 'Danh sách tin'" in vi


def test_xlsx_numbers_are_read_as_shown_and_line_breaks_leave_titles(ws):
    _book(ws, [["Mã", "Tiêu đề", "Nội dung", "Số lần đọc", "Trọng số"],
               [101, "Trẻ em\nan toàn", 115, 2, 1.5]])
    loaded, _ = workspace.load(ws)
    message = loaded.messages[0]
    assert (message.id, message.title, message.text, message.repeat, message.weight) == (
        "101", "Trẻ em an toàn", "115", 2, 1.5)
