"""The report against a small campaign whose figures are worked out by hand below."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from html.parser import HTMLParser

import openpyxl
import pytest

from broadcast.ledger import report, report_html
from broadcast.ledger.book import ContentLine, Delivery, Ledger, Play
from broadcast.plan import schedule

# Three messages: id, title, language, topics, seconds per play.
M1 = ("tin-01", "Phòng, chống tảo hôn", "vie", ("tảo hôn",), 120.0)
M2 = ("tin-02", "Bình đẳng giới trong gia đình", "vie", ("bình đẳng giới", "bạo lực gia đình"), 90.0)
M3 = ("tin-03", "Tảo hôn (tiếng Bru)", "bru", ("tảo hôn",), 60.0)
DAY1, DAY2 = "2026-11-10T12:00:00Z", "2026-11-20T12:00:00Z"  # noon UTC: the same date in any zone ±11 h


def content(*pairs) -> tuple[ContentLine, ...]:
    return tuple(ContentLine(m[0], m[1], m[2], m[3], plays, m[4]) for m, plays in pairs)


A1 = content((M1, 10), (M2, 4))
B1 = content((M1, 6), (M3, 8))
B2 = content((M1, 6), (M2, 2), (M3, 10))


def deliver(book: Ledger, action: str, channel: str, commune: str, version: str, sequence: int,
            when: str, lines: tuple[ContentLine, ...]) -> None:
    name = {"xa-a": "Xã Dân Hóa", "xa-b": "Xã Trọng Hóa"}[commune]
    book.record(Delivery(action, "bdg-2026", commune, name, version, sequence, channel, f"/{channel}",
                         40, 2_500_000, lines, when))


@pytest.fixture
def book(tmp_path) -> Ledger:
    """The campaign:

    xa-a  build v-a1 day 1 (a build is not a delivery: not counted)
          usb v-a1 day 1; publish v-a1 day 2 (published: not a delivery) and pull v-a1 day 2 (cloud)
    xa-b  usb v-b1 day 1 on two sticks (same version and channel: counted once)
          usb v-b2 day 2 (a new version: counted again)
    """
    book = Ledger(tmp_path / "ledger.sqlite")
    deliver(book, "build", "folder", "xa-a", "v-a1", 1, DAY1, A1)
    deliver(book, "usb", "usb", "xa-a", "v-a1", 1, DAY1, A1)
    deliver(book, "usb", "usb", "xa-b", "v-b1", 1, DAY1, B1)
    deliver(book, "usb", "usb", "xa-b", "v-b1", 1, DAY1, B1)
    deliver(book, "publish", "cloud", "xa-a", "v-a1", 1, DAY2, A1)
    deliver(book, "pull", "cloud", "xa-a", "v-a1", 1, DAY2, A1)
    deliver(book, "usb", "usb", "xa-b", "v-b2", 2, DAY2, B2)
    return book


# By hand. Packages: xa-a usb 1 + cloud 1; xa-b usb 2 (v-b1 once, v-b2 once) → usb 3, cloud 1, total 4;
# published apart: xa-a 1 (the publish; the pull is what delivered it).
# Minutes come from each commune's latest delivered version, plays × seconds / 60:
#   xa-a v-a1: tin-01 10 × 120 s = 20 min; tin-02 4 × 90 s = 6 min                → 26 min
#   xa-b v-b2: tin-01 6 × 120 s = 12 min; tin-02 2 × 90 s = 3 min; tin-03 10 × 60 s = 10 min → 25 min
# By topic (tin-02 counts under both of its topics):
#   tảo hôn = 20 + (12 + 10) = 42; bình đẳng giới = 6 + 3 = 9; bạo lực gia đình = 9
# By language: tiếng Việt = 26 + 15 = 41; Bru = 10; total 51.
# Messages reached: xa-a 2, xa-b 3, all 3.
TOPICS = {"tảo hôn": (42.0, 20.0, 22.0), "bình đẳng giới": (9.0, 6.0, 3.0),
          "bạo lực gia đình": (9.0, 6.0, 3.0)}
LANGUAGES = {"tiếng Việt": (41.0, 26.0, 15.0), "tiếng Bru – Vân Kiều": (10.0, 0.0, 10.0)}
SUMMARY = {"xa-a": (1, 0, 1, 2, 1, 2, 26.0), "xa-b": (2, 0, 0, 2, 0, 3, 25.0),
           "Tổng cộng": (3, 0, 1, 4, 1, 3, 51.0)}


def test_figures_match_the_hand_computed_campaign(book):
    made = report.build_report(book)
    a, b = made.communes
    assert (a.commune, a.packages) == ("xa-a", {"usb": 1, "cloud": 1, "published": 1})
    assert (b.commune, b.packages) == ("xa-b", {"usb": 2})
    assert made.total.packages == {"usb": 3, "cloud": 1, "published": 1}
    assert made.total.topics == pytest.approx({"tảo hôn": 42, "bình đẳng giới": 9, "bạo lực gia đình": 9})
    assert made.total.languages == pytest.approx({"vie": 41, "bru": 10})
    assert (a.minutes, b.minutes, made.total.minutes) == pytest.approx((26, 25, 51))
    assert (a.messages, b.messages, made.total.messages) == (2, 3, 3)
    # Counted once each, on the latest date, with how many deliveries it took.
    assert [(p.date.day, p.commune, p.channel, p.version, p.times) for p in made.packages] == [
        (10, "xa-a", "usb", "v-a1", 1), (10, "xa-b", "usb", "v-b1", 2),
        (20, "xa-a", "cloud", "v-a1", 1), (20, "xa-a", "published", "v-a1", 1),
        (20, "xa-b", "usb", "v-b2", 1)]
    assert not made.has_plays


def test_a_publish_nobody_pulled_is_published_not_delivered(book):
    deliver(book, "publish", "cloud", "xa-b", "v-b3", 3, "2026-11-25T12:00:00Z", B1)
    made = report.build_report(book)
    b = made.communes[1]
    assert b.packages == {"usb": 2, "published": 1}
    assert b.minutes == pytest.approx(25)  # still what v-b2, the latest delivered, plays
    assert made.total.packages["cloud"] == 1  # only xa-a pulled


def test_a_period_counts_only_what_it_holds(book):
    made = report.build_report(book, end=dt.date(2026, 11, 10))
    # Day 1 only: xa-a v-a1 by usb; xa-b v-b1 by usb (twice, counted once), whose minutes are
    # tin-01 6 × 120 s = 12 and tin-03 8 × 60 s = 8: tảo hôn = 20 + 12 + 8 = 40.
    assert made.total.packages == {"usb": 2}
    assert made.total.topics["tảo hôn"] == pytest.approx(40)
    assert report.period(made) == "Đến ngày 10/11/2026"


def test_an_older_version_sent_again_does_not_replace_the_newer_content(book):
    deliver(book, "image", "image", "xa-b", "v-b1", 1, "2026-11-25T12:00:00Z", B1)
    made = report.build_report(book)
    b = made.communes[1]
    assert b.packages == {"usb": 2, "image": 1}  # it is still a package delivered
    assert b.minutes == pytest.approx(25)  # but xa-b plays v-b2 (package number 2): still 25 minutes


def cells(line: str) -> list[str]:
    return re.split(r"\s{2,}", line.strip())


def section(text: str, title: str) -> list[list[str]]:
    """The rows of one table of the text report (header included)."""
    lines = text.splitlines()
    start = lines.index(title) + 2
    end = lines.index("", start)
    return [cells(line) for line in lines[start:end]]


def test_text_table(book):
    text = report.to_table(report.build_report(book))
    topics = {row[0]: tuple(row[1:]) for row in section(text, "Số phút theo chủ đề")}
    assert topics.pop("Chủ đề") == ("Tổng cộng", "xa-a", "xa-b")
    assert topics == {k: tuple(report.human(v) for v in vs) for k, vs in TOPICS.items()}
    assert topics["tảo hôn"] == ("42,0", "20,0", "22,0")  # decimal comma
    languages = {row[0]: tuple(row[1:]) for row in section(text, "Số phút theo ngôn ngữ")}
    assert languages["tiếng Bru – Vân Kiều"] == ("10,0", "0,0", "10,0")
    summary = {row[0]: row for row in section(text, "Tổng hợp theo xã")}
    assert summary["Tổng cộng"][1:] == ["3", "0", "1", "4", "1", "3", "51,0"]
    assert summary["xa-a"][1:] == ["Xã Dân Hóa", "1", "0", "1", "2", "1", "2", "26,0"]
    packages = section(text, "Gói đã giao theo kênh và ngày")
    assert packages[1][:4] == ["10/11/2026", "xa-a", "Xã Dân Hóa", "USB"]
    assert packages[3][3] == "Tải qua mạng" and packages[3][-1] == "1"
    assert "Cách đếm gói" in text


def test_vietnamese_number_style():
    assert [report.human(v) for v in (1234567, 1234.56, 0.0, None, dt.date(2026, 11, 5))] == \
        ["1.234.567", "1.234,6", "0,0", "—", "05/11/2026"]


def csv_tables(text: str) -> dict[str, list[list[str]]]:
    found: dict[str, list[list[str]]] = {}
    rows = list(csv.reader(io.StringIO(text)))
    for n, row in enumerate(rows):
        if len(row) == 1 and n + 1 < len(rows) and len(rows[n + 1]) > 1:
            end = next((m for m in range(n + 1, len(rows)) if not rows[m]), len(rows))
            found[row[0]] = rows[n + 1:end]
    return found


def test_csv(book):
    found = csv_tables(report.to_csv(report.build_report(book)))
    topics = {row[0]: tuple(float(v) for v in row[1:]) for row in found["Số phút theo chủ đề"][1:]}
    assert topics == TOPICS
    languages = {row[0]: tuple(float(v) for v in row[1:]) for row in found["Số phút theo ngôn ngữ"][1:]}
    assert languages == LANGUAGES
    summary = {row[0]: row[2:] for row in found["Tổng hợp theo xã"][1:]}
    assert {k: (*map(int, v[:6]), float(v[6])) for k, v in summary.items()} == SUMMARY
    packages = found["Gói đã giao theo kênh và ngày"]
    assert packages[1][0] == "2026-11-10" and packages[1][7] == "2.5"  # plain: ISO dates, decimal point


def test_xlsx_reads_back_with_openpyxl(book, tmp_path):
    dest = tmp_path / "out" / "bao-cao.xlsx"
    report.to_xlsx(report.build_report(book), dest)
    workbook = openpyxl.load_workbook(dest)
    assert workbook.sheetnames[0] == "Báo cáo"
    topics = list(workbook["Số phút theo chủ đề"].iter_rows(values_only=True))
    assert topics[0] == ("Chủ đề", "Tổng cộng", "xa-a", "xa-b")
    assert {r[0]: r[1:] for r in topics[1:]} == TOPICS
    summary = {r[0]: r[2:] for r in workbook["Tổng hợp theo xã"].iter_rows(min_row=2, values_only=True)}
    assert summary == SUMMARY
    first = next(workbook["Gói đã giao theo kênh và ngày"].iter_rows(min_row=2, values_only=True))
    assert first[0].date() == dt.date(2026, 11, 10)  # a real date cell, not text
    assert [p.name for p in dest.parent.iterdir()] == ["bao-cao.xlsx"]  # no temporary file left


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.tags: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_cell = tag in ("td", "th")
        if self._in_cell:
            self.cells.append("")

    def handle_endtag(self, tag):
        self._in_cell = self._in_cell and tag not in ("td", "th")

    def handle_data(self, data):
        if self._in_cell:
            self.cells[-1] += data


def test_html_is_self_contained_and_printable(book):
    page = report_html.to_html(report.build_report(book))
    parsed = _Page()
    parsed.feed(page)
    assert parsed.tags.count("svg") == 3 and "rect" in parsed.tags
    assert "@media print" in page and '<html lang="vi">' in page
    assert not re.search(r"https?://", page)
    assert not any(t in parsed.tags for t in ("script", "link", "img", "iframe"))
    for topic, (total, *_) in TOPICS.items():  # the bar chart labels and values
        assert f">{topic}</text>" in page and f">{report.human(total)}</text>" in page
    row = parsed.cells.index("tảo hôn")
    assert parsed.cells[row:row + 4] == ["tảo hôn", "42,0", "20,0", "22,0"]
    assert "Số gói theo kênh" in page and "Kế hoạch và thực tế phát" not in page


def _plan() -> schedule.Schedule:
    """xa-a plans tin-01 and tin-02 on 15 and 16 November: 4 planned plays."""
    items = tuple(schedule.Item("message", m, "", m, 5 + 120 * n, 120, "normal", "vie")
                  for n, m in enumerate(("tin-01", "tin-02")))
    slot = schedule.SlotPlan("sang", dt.time(6), 15, 900, items)
    days = tuple(schedule.DayPlan(dt.date(2026, 11, d), (slot,)) for d in (15, 16))
    return schedule.Schedule("bdg-2026", days[0].date, days[-1].date,
                             (schedule.CommunePlan("xa-a", days),), ())


def test_planned_versus_played(book):
    def play(day, message, played):
        return Play("xa-a", dt.date(2026, 11, day), "sang", "06:00:05", message, "", played, "log.csv", 2)

    # 15th: both played; 16th: tin-01 played, tin-02 not; tin-03 played though not planned.
    book.record_plays([play(15, "tin-01", True), play(15, "tin-02", True), play(16, "tin-01", True),
                       play(16, "tin-02", False), play(16, "tin-03", True)])
    made = report.build_report(book, plan=_plan())
    a = made.communes[0]
    # planned 4; played 4 (3 planned + tin-03); reported not played 1; unplanned 1; done 3/4 = 75 %.
    assert (a.planned, a.played, a.not_played, a.unplanned, a.rate) == (4, 4, 1, 1, 75.0)
    text = report.to_table(made)
    rows = {row[0]: row for row in section(text, "Kế hoạch và thực tế phát")}
    assert rows["xa-a"][2:] == ["4", "4", "1", "1", "75,0"]
    assert rows["xa-b"][2:] == ["0", "0", "0", "0", "—"]
    limited = report.build_report(book, start=dt.date(2026, 11, 16), plan=_plan())
    assert (limited.communes[0].planned, limited.communes[0].played) == (2, 2)


def test_an_urgent_message_that_reached_no_commune_of_a_language_group_is_warned(book):
    from broadcast.ledger.report_reach import Audience, Urgent

    # xa-a speaks Vietnamese only, xa-b Vietnamese and Bru; a third commune, xa-c, speaks only
    # H'Mông and has had nothing delivered. tin-01 (Vietnamese, emergency) reached both Vietnamese
    # communes, but no H'Mông one; tin-03 (Bru, priority) reached xa-b, so the Vietnamese and Bru
    # groups, but not the H'Mông one; a Thái emergency reached nobody.
    deliver(book, "publish", "cloud", "xa-b", "v-b3", 3, DAY2, content((M1, 1)))
    audience = Audience({"xa-a": ("vie",), "xa-b": ("vie", "bru"), "xa-c": ("hmn",)},
                        [Urgent("tin-01", "Phòng, chống tảo hôn", "emergency", "vie"),
                         Urgent("tin-03", "Tảo hôn (tiếng Bru)", "priority", "bru"),
                         Urgent("lu-quet", "Cảnh báo lũ quét", "emergency", "blt")])
    made = report.build_report(book, audience=audience)
    assert len(made.warnings) == 3, made.warnings
    flood, early, bru = made.warnings  # emergencies first, by id
    assert "“Cảnh báo lũ quét” (lu-quet, tiếng Thái Đen)" in flood
    assert "tiếng Việt, tiếng Bru – Vân Kiều, tiếng H'Mông" in flood and "xa-a, xa-b, xa-c" in flood
    assert "KHẨN CẤP “Phòng, chống tảo hôn”" in early and "nói tiếng H'Mông trong" in early
    assert "(các xã xa-c)" in early
    assert bru.startswith("Lưu ý: tin ưu tiên “Tảo hôn (tiếng Bru)”") and "nói tiếng H'Mông trong" in bru
    deliver(book, "usb", "usb", "xa-b", "v-b4", 4, DAY2, content((M1, 1), (M3, 1)))
    deliver(book, "publish", "cloud", "xa-a", "v-a2", 2, DAY2, content((M3, 1)))  # not delivered
    assert len(report.build_report(book, audience=audience).warnings) == 3  # xa-c still has nothing
    assert all(w in report.to_table(made) for w in made.warnings)
    assert all(w in html.unescape(report_html.to_html(made)) for w in made.warnings)
    assert made.warnings[0] in report.to_csv(made)
    assert report.build_report(book).warnings == ()  # without the campaign, nothing is guessed


def test_what_was_only_published_is_not_planned_either(tmp_path):
    # A commune whose package was published but never pulled has nothing to play yet: its plan
    # is not counted as planned (once, every published commune showed 0 % done).
    book = Ledger(tmp_path / "ledger.sqlite")
    name = "Xã Dân Hóa"
    book.record(Delivery("publish", "bdg-2026", "xa-a", name, "v-a1", 1, "cloud", "s3://kho", 40, 1, A1,
                         DAY1), _plan().communes[0])
    assert report.build_report(book).total.planned == 0
    assert book.delivered_plan() is None
    book.record(Delivery("pull", "bdg-2026", "xa-a", name, "v-a1", 1, "cloud", "/xa-a", 40, 1, A1, DAY2),
                _plan().communes[0])
    assert report.build_report(book).total.planned == 4  # pulled: now it is the commune's plan
