"""Text-preparation rules for dates, times, months, ordinals and ranks, including lists that keep
the kind of their first item: "thứ 2, 4, 6" → "thứ hai, tư, sáu", "tháng 4 và 5" → "tháng tư và
năm", "ngày 5, 6 và 7/11" → "ngày mùng năm, mùng sáu và mùng bảy tháng mười một"."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from broadcast.speech.text import vinumber as vn
from broadcast.speech.text.base import ALONE_AFTER, ALONE_BEFORE, sub
from broadcast.speech.text.numbers import COUNT_WORDS
from broadcast.speech.text.words import alternatives

if TYPE_CHECKING:
    from collections.abc import Callable

    from broadcast.speech.text.lexicon import Lexicon

# "24/7" and "24/24" mean "at all hours", not 24 July: read as the idiom is said ("bốn", not
# "tư"), unless a word before makes it a date ("ngày 24/7", "từ 24/7").
ROUND_THE_CLOCK = {"24/7": "hai mươi bốn trên bảy", "24/24": "hai mươi bốn trên hai mươi bốn"}
_DATE_WORDS = ("ngày", "hôm", "từ", "đến", "tới", "trước", "sau", "sáng", "trưa", "chiều", "tối",
               "đêm", "hạn", "và", "mùng", "đến hết", "–", "-")
_CLOCK_IDIOM = re.compile(rf"(?<![\w/.,])({alternatives(tuple(ROUND_THE_CLOCK))})(?![\w/]|[.,]\d)")
_DATE_BEFORE = re.compile(rf"(?i)(?<!\w)(?:{alternatives(_DATE_WORDS)})\s*$")


def read_round_the_clock(text: str, lexicon: Lexicon) -> str:
    """"phục vụ 24/7" → "phục vụ hai mươi bốn trên bảy"; "ngày 24/7" stays a date."""
    def idiom(m: re.Match[str]) -> str:
        if _DATE_BEFORE.search(m.string[max(0, m.start() - 12):m.start()]):
            return m[0]
        return ROUND_THE_CLOCK[m[1]]

    return sub(_CLOCK_IDIOM, idiom, text)


# "1/3 số hộ", "chiếm 2/3": a fraction of something, not a date.
# Up to three digits each ("114/120 hộ"); a four-digit denominator is a year ("quý 4/2025").
_FRACTION = re.compile(r"(?<![\w/.,])(\d{1,3})/(\d{1,3})(?![\w/]|[.,]\d)")
# A part of a whole: of an amount ("2/3 diện tích") or of people and places ("1/4 trẻ em",
# "1/3 hộ dân"), which a day and month are never followed by.
FRACTION_WHOLES = ("số", "tổng", "diện tích", "dân số", "lượng", "kinh phí", "thời gian",
                   "quãng đường", "phần còn lại", "hộ", "hộ dân", "người", "người dân", "trẻ",
                   "trẻ em", "học sinh", "phụ nữ", "nam giới", "cán bộ", "thành viên", "hội viên",
                   "gia đình", "xã", "thôn", "bản", "trường", "đàn", "cây")
_FRACTION_AFTER = re.compile(rf"(?i)\s+(?:{alternatives(FRACTION_WHOLES)})(?!\w)")
_FRACTION_BEFORE = re.compile(r"(?i)(?<!\w)(?:chiếm|tỷ lệ|tỉ lệ|gần|hơn|đạt|bằng|mất|chỉ|"
                              r"khoảng|còn|chưa đến|chưa tới|non|quá|điểm)\s*$")


# Words that make "N/M" a date whatever follows ("ngày 1/4 học sinh nghỉ"); not "và" or a dash,
# which join fractions as well as dates ("1/2 số hộ và 1/3 số xã").
_DAY_BEFORE = re.compile(r"(?i)(?<!\w)(?:ngày|hôm|từ|đến|tới|trước|sau|sáng|trưa|chiều|tối|đêm|"
                         r"hạn|mùng)\s*$")
# A part of up to ten is "một phần ba"; beyond, "15/20 xã" counts out of a total: "mười lăm
# trên hai mươi", as a result is read ("đạt 18/20 chỉ tiêu").
_PARTS_UP_TO = 10


def read_fractions(text: str, lexicon: Lexicon) -> str:
    """A fraction before "số", "diện tích"… or after "chiếm", "tỷ lệ"…: "1/3 số hộ" → "một phần
    ba số hộ", "chiếm 3/4" → "chiếm ba phần tư", "đạt 18/20 chỉ tiêu" → "mười tám trên hai
    mươi". Other "N/M" are left to the date rule."""
    def fraction(m: re.Match[str]) -> str:
        numerator, denominator = int(m[1]), int(m[2])
        if not 0 < numerator < denominator:
            return m[0]
        before = m.string[max(0, m.start() - 12):m.start()]
        if _DAY_BEFORE.search(before) or not (_FRACTION_AFTER.match(m.string, m.end())
                                              or _FRACTION_BEFORE.search(before)):
            return m[0]  # "ngày 1/4 học sinh…", "từ 1/4": a date
        if denominator > _PARTS_UP_TO:  # "15/20 xã": fifteen communes out of twenty
            return f"{vn.number_words(numerator)} trên {vn.number_words(denominator)}"
        return vn.parts_words(numerator, denominator)

    return sub(_FRACTION, fraction, text)


# The items of a list after its first: "2, 4 và 6", "4 đến 6". An item followed by a word that
# counts ("Thứ 7, 8 giờ sáng") starts something else and ends the list.
_SEP = r"(?:\s*,\s*|\s+(?:và|hoặc|hay|đến|tới)\s+)"
_NOT_COUNTED = rf"(?!\s*(?:{alternatives(COUNT_WORDS)})(?!\w))"


def _listed(digits: str) -> str:
    item = rf"\d{{{digits}}}{ALONE_AFTER}"
    return rf"{item}(?:{_SEP}{item}{_NOT_COUNTED})*"


def _read_items(items: str, reader: Callable[[int], str], valid: range) -> str | None:
    # Every number of the list read by ``reader``; None when one is out of range.
    numbers = [int(n) for n in re.findall(r"\d+", items)]
    if not all(n in valid for n in numbers):
        return None
    return re.sub(r"\d+", lambda n: reader(int(n[0])), items)


_DMY = re.compile(rf"{ALONE_BEFORE}(?:([Nn]gày)\s+)?(\d{{1,2}})([/.-])(\d{{1,2}})\3(\d{{4}})"
                  r"(?![\w]|[/.,-]?\d)")
_YMD = re.compile(rf"{ALONE_BEFORE}(?:([Nn]gày)\s+)?(\d{{4}})-(\d{{1,2}})-(\d{{1,2}})(?!\w|-?\d)")
# "ngày 5, 6 và 7/11", and a range of days without "ngày": "từ 15 đến 20/12".
_DAY_LIST = re.compile(rf"(?<![\w/.,])(?:([Nn]gày)\s+(\d{{1,2}}(?:{_SEP}(?:ngày\s+)?\d{{1,2}})+)"
                       rf"|(\d{{1,2}}\s+(?:đến|tới)\s+\d{{1,2}}))/(\d{{1,2}})(?:/(\d{{4}}))?{ALONE_AFTER}")
_DM = re.compile(rf"{ALONE_BEFORE}(?:([Nn]gày)\s+)?(\d{{1,2}})/(\d{{1,2}}){ALONE_AFTER}")
# "ngày 20-10": a dash only after "ngày" (read_ranges left it whole), else it is a range.
_DM_DASHED = re.compile(r"(?<!\w)([Nn]gày)\s+(\d{1,2})-(\d{1,2})(?![-/\w]|[.,]\d)")
_MONTH_YEAR = re.compile(rf"(?<!\w)([Tt]háng)\s+(\d{{1,2}})/(\d{{4}}){ALONE_AFTER}")
# "Quý 4/2025", "quý 1": a quarter by its number, as for "Quý IV" (see read_roman_numerals).
_QUARTER = re.compile(rf"(?<!\w)[Qq]uý\s+([1-4])(?:/(\d{{4}}))?{ALONE_AFTER}")
_MONTHS = re.compile(rf"(?<!\w)([Tt]háng)\s+({_listed('1,2')})(?!%)")
# Days of the month named without their month: "ngày 5 tháng 11", "ngày 5-7 hằng tháng" (the dash
# read "đến" by then): "ngày mùng năm đến mùng bảy hằng tháng".
_DAY = re.compile(rf"(?<!\w)([Nn]gày)\s+({_listed('1,2')})"
                  r"(?=\s+(?:tháng|hằng tháng|hàng tháng|mỗi tháng)(?!\w))")
# The lunar calendar names month 1 "giêng" and 12 "chạp": "rằm tháng 1", "tháng 12 âm lịch".
_LUNAR_AFTER = re.compile(r"\s*\(?\s*(?:âm lịch|ÂL)\b", re.IGNORECASE)
_LUNAR_BEFORE = re.compile(r"(?i)(?<!\w)rằm\s*$")


def read_dates(text: str, lexicon: Lexicon) -> str:
    """Dates in words, "ngày" added unless already written; invalid dates are left alone.
    "15/11/2026", "2026-11-15", "15/11", "ngày 5, 6 và 7/11", "tháng 11/2026", "quý 4/2025",
    "tháng 4" ("tháng tư"), "tháng 1" ("tháng một": notices use the solar calendar; "tháng
    giêng" only in the lunar one), "ngày 5 tháng 11"."""
    text = sub(_DAY_LIST, _day_list, text)
    text = sub(_DMY, lambda m: _date(m, m[1], m[2], m[4], m[5]), text)
    text = sub(_YMD, lambda m: _date(m, m[1], m[4], m[3], m[2]), text)
    text = sub(_DM, lambda m: _date(m, m[1], m[2], m[3], None), text)
    text = sub(_DM_DASHED, lambda m: _date(m, m[1], m[2], m[3], None)
               if vn.is_valid_date(int(m[2]), int(m[3])) else f"{m[1]} {m[2]} đến {m[3]}", text)
    text = sub(_MONTH_YEAR, lambda m: _month_year(m) or m[0], text)
    text = sub(_QUARTER, lambda m: f"quý {vn.number_words(int(m[1]))}"
               + (f" năm {vn.number_words(int(m[2]))}" if m[2] else ""), text)
    text = sub(_MONTHS, _months, text)
    return sub(_DAY, _days, text)


def _days(m: re.Match[str]) -> str:
    days = _read_items(m[2], vn.day_words, range(1, 32))
    return m[0] if days is None else f"{m[1]} {days}"


def _date(m: re.Match[str], said: str | None, day: str, month: str, year: str | None) -> str:
    d, mo, y = int(day), int(month), int(year) if year else None
    if not vn.is_valid_date(d, mo, y):
        return m[0]
    return f"{said or 'ngày'} {vn.date_words(d, mo, y)}"


def _day_list(m: re.Match[str]) -> str:
    listed, month, year = m[2] or m[3], int(m[4]), int(m[5]) if m[5] else None
    days = _read_items(listed, vn.day_words, range(1, 32))
    if days is None or not all(vn.is_valid_date(int(d), month, year)
                               for d in re.findall(r"\d+", listed)):
        return m[0]
    return f"{m[1] or 'ngày'} {days} tháng {vn.month_words(month)}" + (
        f" năm {vn.number_words(year)}" if year else "")


def _month_year(m: re.Match[str]) -> str | None:
    month = int(m[2])
    if not 1 <= month <= 12:
        return None
    return f"{m[1]} {vn.month_words(month)} năm {vn.number_words(int(m[3]))}"


def _months(m: re.Match[str]) -> str:
    lunar = bool(_LUNAR_AFTER.match(m.string, m.end())
                 or _LUNAR_BEFORE.search(m.string, 0, m.start()))
    items = _read_items(m[2], lambda n: vn.month_words(n, lunar), range(1, 13))
    return m[0] if items is None else f"{m[1]} {items}"


# "7H30" as typed in capitals too.
_CLOCK = re.compile(r"(?<![\w.,/:])(\d{1,2})(?::(\d\d)|[hH](\d\d)?(?:p|ph|P|PH|')?|[gG](\d\d))"
                    r"(?![\w:]|[.,]\d)")
_SAID_CLOCK = re.compile(r"(?<![\w.,/:])(\d{1,2})\s+giờ\s+(\d{1,2})(?!\s*phút)" + ALONE_AFTER)


def read_times(text: str, lexicon: Lexicon) -> str:
    """Clock times: "17:00", "17h", "17h30", "7g30", "6 giờ 30" → "mười bảy giờ ba mươi phút"."""
    text = sub(_CLOCK, lambda m: _time(m, m[1], m[2] or m[3] or m[4] or "0"), text)
    return sub(_SAID_CLOCK, lambda m: _time(m, m[1], m[2]), text)


def _time(m: re.Match[str], hour: str, minute: str) -> str:
    h, mi = int(hour), int(minute)
    return vn.time_words(h, mi) if h <= 24 and mi <= 59 else m[0]


_ORDINAL = re.compile(rf"(?<!\w)([Tt]hứ|THỨ|[Hh]ạng|[Gg]iải)\s+({_listed('1,3')})")


def read_ordinals(text: str, lexicon: Lexicon) -> str:
    """After "thứ": "thứ 1" → "thứ nhất", "thứ 4" → "thứ tư" (as a weekday and as a rank);
    after "hạng" and "giải" the names of orders and prizes: "hạng 2" → "hạng nhì", "giải 1" →
    "giải nhất". A list keeps the kind: "thứ 2, 4, 6" → "thứ hai, tư, sáu"."""
    def ordinal(m: re.Match[str]) -> str:
        reader = vn.ordinal_words if m[1].casefold() == "thứ" else vn.rank_words
        items = _read_items(m[2], reader, range(1, 1000))
        return m[0] if items is None else f"{m[1]} {items}"

    return sub(_ORDINAL, ordinal, text)
