"""As-run logs: the blank sheet, filled sheets (CSV and XLSX) and platform exports read back,
bad rows reported with file and row, re-import counted once, and planned versus played."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from conftest import write_workspace

from broadcast.ledger import asrun, report, report_html
from broadcast.ledger.book import ContentLine, Delivery, Ledger
from broadcast.package import playlog
from broadcast.plan import schedule

TITLES = {"tin-01": "Phòng, chống tảo hôn", "tin-02": "Bình đẳng giới trong gia đình",
          "tin-03": "Tảo hôn (tiếng Bru)"}
COMMUNES = {"xa-a": "Xã Dân Hóa", "xa-b": "Xã Trọng Hóa"}
HEADER = ["Mã xã", "Ngày", "Thứ", "Buổi phát", "Giờ phát dự kiến", "Thứ tự", "Mã tin", "Tiêu đề", "Tệp",
          "Đã phát (có/không)", "Giờ phát thực tế", "Ghi chú"]


def _slot(name: str, hour: int, ids: list[str]) -> schedule.SlotPlan:
    items = [schedule.Item("jingle", "_station", "j.mp3", "Nhạc hiệu", 0.0, 5.0, "normal", "")]
    items += [schedule.Item("message", i, f"{i}.mp3", TITLES[i], 5.0 + 120 * n, 120.0, "normal", "vie")
              for n, i in enumerate(ids)]
    return schedule.SlotPlan(name, dt.time(hour), 15, 900.0, tuple(items))


def _plan() -> schedule.Schedule:
    """xa-a: 15 and 16 Nov, morning tin-01, tin-02; evening tin-02 (6 items). xa-b: 15 Nov tin-01, tin-03."""
    a_day = (_slot("sang", 6, ["tin-01", "tin-02"]), _slot("chieu", 17, ["tin-02"]))
    a = schedule.CommunePlan("xa-a", tuple(schedule.DayPlan(dt.date(2026, 11, d), a_day) for d in (15, 16)))
    b_day = (_slot("sang", 6, ["tin-01", "tin-03"]),)
    b = schedule.CommunePlan("xa-b", (schedule.DayPlan(dt.date(2026, 11, 15), b_day),))
    return schedule.Schedule("bdg-2026", dt.date(2026, 11, 15), dt.date(2026, 11, 16), (a, b), ())


PLAN = _plan()


def path_of(day: dt.date, slot: schedule.SlotPlan, index: int) -> str:
    return f"{day:%d%m}_{slot.slot}/{index + 1:03d}.mp3"


def blank_rows(commune: int = 0) -> list[list[str]]:
    text = playlog.blank_sheet(PLAN.communes[commune], path_of)
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_blank_sheet_has_one_row_per_planned_message():
    text = playlog.blank_sheet(PLAN.communes[0], path_of)
    assert text.startswith("\ufeff") and text.count("\r\n") == 7 and "\n" not in text.replace("\r\n", "")
    rows = blank_rows()
    assert rows[0] == HEADER
    # 2 days × (2 + 1) messages; jingles are not logged; order counts the jingle, like the schedule sheet.
    assert [r[1:9] for r in rows[1:4]] == [
        ["2026-11-15", "Chủ Nhật", "sang", "06:00:05", "2", "tin-01", TITLES["tin-01"], "1511_sang/002.mp3"],
        ["2026-11-15", "Chủ Nhật", "sang", "06:02:05", "3", "tin-02", TITLES["tin-02"], "1511_sang/003.mp3"],
        ["2026-11-15", "Chủ Nhật", "chieu", "17:00:05", "2", "tin-02", TITLES["tin-02"],
         "1511_chieu/002.mp3"]]
    assert len(rows) == 7 and {r[0] for r in rows[1:]} == {"xa-a"}
    assert {tuple(r[9:]) for r in rows[1:]} == {("", "", "")}  # left for the operator


def filled() -> list[list[object]]:
    """The operator's answers: 15th all played; 16th morning tin-01 not played, tin-02 played at
    6h10; the evening of the 16th not filled in yet."""
    rows = blank_rows()
    answers = ["có", "Có", "x", "không", "có", ""]
    for row, answer in zip(rows[1:], answers, strict=True):
        row[9] = answer
    rows[5][10] = "6h10"
    return rows


def expected() -> list[tuple]:
    return [("xa-a", dt.date(2026, 11, 15), "sang", 2, "tin-01", True, "06:00:05"),
            ("xa-a", dt.date(2026, 11, 15), "sang", 3, "tin-02", True, "06:02:05"),
            ("xa-a", dt.date(2026, 11, 15), "chieu", 2, "tin-02", True, "17:00:05"),
            ("xa-a", dt.date(2026, 11, 16), "sang", 2, "tin-01", False, "06:00:05"),
            ("xa-a", dt.date(2026, 11, 16), "sang", 3, "tin-02", True, "06:10:00")]


def summary(plays) -> list[tuple]:
    return [(p.commune, p.date, p.slot, p.order, p.message, p.played, p.time) for p in plays]


def write_csv(path: Path, rows: list[list[object]], delimiter: str = ",") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8", newline="")
    return path


def test_a_filled_csv_sheet_is_imported(tmp_path):
    path = write_csv(tmp_path / "nhat-ky-phat.csv", filled(), ";")  # Excel on a Vietnamese PC uses ";"
    plays, problems = asrun.import_sheets([path], PLAN, COMMUNES)
    assert problems == []
    assert summary(plays) == expected()
    assert {(p.source, p.row) for p in plays} == {(str(path), n) for n in range(2, 7)}


def test_a_filled_sheet_saved_by_excel_as_xlsx_is_imported(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in filled()[1:]:  # as Excel keeps them: real dates, times and numbers
        row[1] = dt.date.fromisoformat(row[1])
        row[4] = dt.time.fromisoformat(row[4])
        row[5] = int(row[5])
        row[10] = dt.time(6, 10) if row[10] else None
        sheet.append(row)
    book.save(tmp_path / "xa-a.xlsx")
    plays, problems = asrun.import_sheets([tmp_path / "xa-a.xlsx"], PLAN, COMMUNES)
    assert problems == []
    assert summary(plays) == expected()


def test_a_platform_export_with_its_own_columns(tmp_path):
    export = write_csv(tmp_path / "export-thang-11.csv", [
        ["thoi_gian", "ma_xa", "cum_loa", "ten_ban_tin", "ma_ban_tin", "trang_thai", "thoi_luong"],
        ["15/11/2026 06:00:05", "xa-a", "Cụm 1", "Phòng, chống tảo hôn", "", "Đã phát", "120"],
        ["15/11/2026 06:00:05", "xa-a", "Cụm 2", "Phòng, chống tảo hôn", "", "Lỗi", "0"],
        ["2026-11-15 17:00:05", "UBND xã Dân Hóa", "Cụm 1", "", "tin-02", "Thành công", "120"],
        ["16/11/2026 06:02", "Dân Hóa", "Cụm 1", "", "tin-02", "Lỗi", "0"],
        ["16/11/2026 06:05", "xa-a", "Cụm 1", "", "tin-01", "Chờ phát", ""]])
    # No commune column: the file name says xa-b; the title carries extra words around ours.
    # A title line above the header, as many platforms export.
    named = write_csv(tmp_path / "xa-b_ttt.csv", [
        ["LỊCH SỬ PHÁT BẢN TIN THÁNG 11/2026"], [],
        ["Thời gian phát", "Tên bản tin", "Trạng thái"],
        ["2026-11-15T06:00:05", "Bản tin: PHÒNG, CHỐNG TẢO HÔN - lần 1", "Hoàn thành"]], ";")
    plays, problems = asrun.import_sheets([export, named], PLAN, COMMUNES)
    assert problems == []
    assert summary(plays) == [
        ("xa-a", dt.date(2026, 11, 15), "", 0, "tin-01", True, "06:00:05"),  # two clusters, one played
        ("xa-a", dt.date(2026, 11, 15), "", 0, "tin-02", True, "17:00:05"),
        ("xa-a", dt.date(2026, 11, 16), "", 0, "tin-02", False, "06:02:00"),
        ("xa-b", dt.date(2026, 11, 15), "", 0, "tin-01", True, "06:00:05")]
    assert [(p.source, p.row) for p in plays if p.commune == "xa-b"] == [(str(named), 4)]


def test_bad_rows_are_reported_with_file_and_row_and_do_not_stop_the_import(tmp_path):
    rows = filled()[:3]
    rows += [["xa-a", "2026-11-15", "", "sang", "06:04:05", "4", "tin-99", "Tin lạ", "", "có", "", ""],
             ["xa-a", "31/02/2026", "", "sang", "06:00:05", "2", "tin-01", "", "", "có", "", ""],
             ["xa-a", "2026-11-16", "", "chieu", "17:00:05", "2", "tin-02", "", "", "maybe", "", ""],
             ["xa-z", "2026-11-16", "", "sang", "06:00:05", "2", "tin-01", "", "", "không", "", ""],
             ["xa-a", "16/11/2026", "", "sang", "06:00:05", "2", "tin-01", "", "", "không", "7 giờ", ""]]
    bad = write_csv(tmp_path / "bad.csv", rows)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    plays, problems = asrun.import_sheets([tmp_path / "missing.csv", broken, bad], PLAN, COMMUNES)
    found = [(p.key, p.file, p.line, p.severity) for p in problems]
    assert found == [("asrun.file_missing", str(tmp_path / "missing.csv"), None, "error"),
                     ("asrun.unreadable", str(broken), None, "error"),
                     ("asrun.unknown_message", str(bad), 4, "error"),
                     ("asrun.bad_date", str(bad), 5, "error"),
                     ("asrun.bad_played", str(bad), 6, "error"),
                     ("asrun.unknown_commune", str(bad), 7, "error"),
                     ("asrun.bad_time", str(bad), 8, "warning")]
    assert problems[4].render().startswith(f"{bad}:6: error: field 'played': 'maybe' is not yes/no")
    assert [(p.row, p.message, p.time) for p in plays] == [
        (2, "tin-01", "06:00:05"), (3, "tin-02", "06:02:05"), (8, "tin-01", "06:00:05")]


def test_played_but_not_planned_is_a_warning(tmp_path):
    path = write_csv(tmp_path / "xa-a.csv", [["Ngày", "Mã tin", "Đã phát"], ["15/11/2026", "tin-03", "có"],
                                             ["15/11/2026", "tin-01", "có"]])
    plays, problems = asrun.import_sheets([path], PLAN, COMMUNES)
    assert [p.message for p in plays] == ["tin-03", "tin-01"]
    # tin-03 is planned for xa-b only: xa-a's plan never had it.
    assert [(p.key, p.line, p.severity) for p in problems] == [("asrun.never_planned", 2, "warning")]
    assert "tin-03" in problems[0].render() and str(path) in problems[0].render()
    # Without a plan nothing can be checked and nothing is refused, but the file says so once.
    assert [(p.key, p.line) for p in asrun.import_sheets([path], None, COMMUNES)[1]] == [("asrun.no_plan", 1)]


def test_a_play_on_a_day_its_message_was_not_planned_for_is_a_warning(tmp_path):
    path = write_csv(tmp_path / "xa-a.csv", [["Ngày", "Mã tin", "Đã phát"], ["17/11/2026", "tin-01", "có"],
                                             ["16/11/2026", "tin-01", "không"]])
    plays, problems = asrun.import_sheets([path], PLAN, COMMUNES)
    assert len(plays) == 2
    assert [(p.key, p.line) for p in problems] == [("asrun.not_planned", 2)]


def test_a_sheet_that_says_nothing_about_its_commune_is_refused_whole(tmp_path):
    path = write_csv(tmp_path / "log.csv", [["Ngày", "Mã tin", "Đã phát"], ["15/11/2026", "tin-01", "có"]])
    no_played = write_csv(tmp_path / "xa-a-2.csv", [["Ngày", "Mã tin"], ["15/11/2026", "tin-01"]])
    plays, problems = asrun.import_sheets([path, no_played], PLAN, COMMUNES)
    assert plays == []
    assert [(p.key, p.line) for p in problems] == [("asrun.no_commune", 1), ("asrun.missing_columns", 1)]


def _ledger(path: Path) -> Ledger:
    """xa-a built with the plan, then delivered by USB; xa-b delivered by USB without a plan."""
    book = Ledger(path)
    lines = (ContentLine("tin-01", TITLES["tin-01"], "vie", ("tảo hôn",), 2, 120.0),
             ContentLine("tin-02", TITLES["tin-02"], "vie", ("bình đẳng giới",), 4, 120.0))
    for action, channel in (("build", "folder"), ("usb", "usb")):
        book.record(Delivery(action, "bdg-2026", "xa-a", COMMUNES["xa-a"], "v1", 1, channel, "/x", 9, 9,
                             lines, "2026-11-14T12:00:00Z"), PLAN.communes[0])
    book.record(Delivery("usb", "bdg-2026", "xa-b", COMMUNES["xa-b"], "v1", 1, "usb", "/x", 9, 9,
                         lines[:1], "2026-11-14T12:00:00Z"))
    return book


def test_reimport_counts_once_and_the_report_shows_planned_versus_played(tmp_path):
    book = _ledger(tmp_path / "ledger.sqlite")
    sheet = write_csv(tmp_path / "nhat-ky-phat.csv", filled())
    first = asrun.import_into(book, [sheet])
    assert (first.imported, first.new, first.skipped, first.problems) == (5, 5, 0, ())
    again = asrun.import_into(book, [sheet])
    assert (again.imported, again.new) == (5, 0)
    assert len(book.plays()) == 5
    made = report.build_report(book)
    a = {f.commune: f for f in made.communes}["xa-a"]
    # The ledger's plan of v1: 6 items; 4 logged played, 1 not played, the 6th not yet reported.
    assert (a.planned, a.played, a.not_played, a.unplanned) == (6, 4, 1, 0)
    assert a.rate == pytest.approx(100 * 4 / 6)
    assert made.has_plays and "Kế hoạch và thực tế phát" in report_html.to_html(made)


@pytest.fixture
def cli(run_cli):
    """The real CLI with these commands registered as the lead will register them."""
    from broadcast.cli import app
    from broadcast.cli import asrun as asrun_cli
    from broadcast.cli import report as report_cli

    app.cli.add_command(asrun_cli.command)
    app.cli.add_command(report_cli.command)
    return run_cli


def test_cli_import_reports_rows_and_keeps_going(cli, tmp_path):
    ws = write_workspace(tmp_path / "ws")
    rows = [[*HEADER[:3], "Mã tin", "Đã phát (có/không)"], ["xa-a", "15/11/2026", "", "tin-01", "có"],
            ["xa-a", "15/11/2026", "", "tin-02", "maybe"]]
    sheet = write_csv(tmp_path / "xa-a.csv", rows)
    result = cli("-w", str(ws), "asrun", "import", str(sheet), str(tmp_path / "missing.csv"))
    assert result.exit_code == 0, result.output
    assert f"{sheet}:3: error: field 'played': 'maybe'" in result.stderr
    assert "missing.csv: error: file not found" in result.stderr
    assert "Imported 1 rows (1 new), skipped 1 rows with errors, 1 warnings." in result.stdout
    assert f"{sheet}:1: warning: the ledger holds no delivered plan yet" in result.stderr
    assert (ws / "ledger.sqlite").is_file()
    nothing = cli("-w", str(ws), "asrun", "import", str(tmp_path / "missing.csv"))
    assert nothing.exit_code == 2 and "file not found" in nothing.stderr


def test_cli_report_formats(cli, tmp_path):
    ws = write_workspace(tmp_path / "ws")
    none = cli("-w", str(ws), "report")
    assert none.exit_code == 2 and "no distribution ledger yet" in none.stderr
    _ledger(ws / "ledger.sqlite").close()
    table = cli("-w", str(ws), "report", "--from", "14/11/2026", "--to", "2026-11-30")
    assert table.exit_code == 0 and "Từ ngày 14/11/2026 đến ngày 30/11/2026" in table.stdout
    assert cli("-w", str(ws), "report", "--format", "xlsx").exit_code == 2
    assert cli("-w", str(ws), "report", "--from", "2026-12-01", "--to", "2026-11-01").exit_code == 2
    for fmt in ("csv", "html", "xlsx"):
        out = tmp_path / f"bao-cao.{fmt}"
        result = cli("-w", str(ws), "report", "--format", fmt, "-o", str(out))
        assert result.exit_code == 0 and str(out) in result.stderr
    assert (tmp_path / "bao-cao.csv").read_bytes().startswith("\ufeff".encode())  # Excel reads it as UTF-8
    assert openpyxl.load_workbook(tmp_path / "bao-cao.xlsx")["Tổng hợp theo xã"]["A2"].value == "xa-a"
    assert "<svg" in (tmp_path / "bao-cao.html").read_text(encoding="utf-8")
