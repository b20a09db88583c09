"""Vietnamese readings of numbers, digits, dates and times, as an announcer says them.

Pure functions over ints and digit strings; the text rules in ``textprep`` find the numbers.
The readings follow school and broadcast usage: 21 "hai mươi mốt", 24 "hai mươi tư",
25 "hai mươi lăm", 105 "một trăm linh năm", 1.005 "một nghìn không trăm linh năm".
"""

from __future__ import annotations

import calendar
import re

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

# Largest first; "tỷ" recurses for the thousands of billions ("một nghìn tỷ").
_SCALES = ((10**9, "tỷ"), (10**6, "triệu"), (10**3, "nghìn"))


def number_words(n: int) -> str:
    """Read a whole number: 15 → "mười lăm", 10500000 → "mười triệu năm trăm nghìn"."""
    if n < 0:
        return "âm " + number_words(-n)
    return _scaled(n, inner=False)


def _scaled(n: int, inner: bool) -> str:
    # ``inner``: a larger group has already been said, so a group below 100 must voice its
    # empty hundreds ("một nghìn không trăm linh năm"); groups that are all zero are skipped.
    for size, name in _SCALES:
        if n >= size:
            high, low = divmod(n, size)
            head = _scaled(high, inner) if size == 10**9 else _below_thousand(high, inner)
            return f"{head} {name} {_scaled(low, True)}" if low else f"{head} {name}"
    return _below_thousand(n, inner)


def _below_thousand(n: int, inner: bool) -> str:
    hundreds, rest = divmod(n, 100)
    if hundreds == 0 and not inner:
        return _below_hundred(rest)
    head = f"{DIGITS[hundreds]} trăm"
    if rest == 0:
        return head
    # A lone unit after the hundreds is joined by "linh": 105 "một trăm linh năm".
    if rest < 10:
        return f"{head} linh {DIGITS[rest]}"
    return f"{head} {_below_hundred(rest)}"


def _below_hundred(n: int) -> str:
    if n < 10:
        return DIGITS[n]
    tens, unit = divmod(n, 10)
    head = "mười" if tens == 1 else f"{DIGITS[tens]} mươi"
    if unit == 0:
        return head
    # After a ten, 5 is "lăm" (15, 25); after "mươi", 1 is "mốt" and 4 is "tư" (21, 24),
    # but 11 and 14 keep "một" and "bốn".
    if unit == 5:
        return f"{head} lăm"
    if tens > 1 and unit in (1, 4):
        return f"{head} {'mốt' if unit == 1 else 'tư'}"
    return f"{head} {DIGITS[unit]}"


def digits_words(s: str) -> str:
    """Read every ASCII digit of ``s`` on its own: "0912" → "không chín một hai"."""
    return " ".join(DIGITS[int(c)] for c in s if c in "0123456789")


def fraction_words(digits: str) -> str:
    """Read the digits after the decimal comma: "5" → "năm", "05" → "không năm".

    Up to three digits are read as a number, as Vietnamese speakers do ("một phẩy hai mươi
    lăm"), with each leading zero said as "không"; longer tails are read digit by digit.
    """
    if len(digits) > 3:
        return digits_words(digits)
    significant = digits.lstrip("0")
    zeros = ["không"] * (len(digits) - len(significant))
    return " ".join([*zeros, number_words(int(significant))] if significant else zeros)


def decimal_words(text: str) -> str:
    """Read a number written the Vietnamese way: "1.500" (thousands dot), "12,5" (decimal comma)."""
    whole, _, fraction = text.partition(",")
    words = number_words(int(whole.replace(".", "")))
    return f"{words} phẩy {fraction_words(fraction)}" if fraction else words


def parts_words(numerator: int, denominator: int) -> str:
    """Read a fraction: (1, 3) → "một phần ba", (3, 4) → "ba phần tư" (a quarter is "tư")."""
    below = "tư" if denominator == 4 else number_words(denominator)
    return f"{number_words(numerator)} phần {below}"


def ordinal_words(n: int) -> str:
    """Read a number after "thứ": 1 → "nhất", 4 → "tư" (weekday and rank), others as numbers.
    "thứ 2" is "thứ hai" both as Monday and as "second"; "thứ nhì" is old-fashioned."""
    return {1: "nhất", 4: "tư"}.get(n) or number_words(n)


def rank_words(n: int) -> str:
    """Read a number after "hạng" or "giải": 1 "nhất", 2 "nhì", 3 "ba", 4 "tư", as orders and
    prizes are named ("Huân chương Lao động hạng Nhì", "giải Nhất"); larger ranks as numbers."""
    return {1: "nhất", 2: "nhì", 4: "tư"}.get(n) or number_words(n)


def day_words(day: int) -> str:
    """Read a day of the month: days 1–10 take "mùng" ("mùng một", "mùng mười")."""
    return f"mùng {number_words(day)}" if day <= 10 else number_words(day)


def month_words(month: int, lunar: bool = False) -> str:
    """Read a month number after "tháng": 4 is "tư". Month 1 is "một" and 12 "mười hai" in the
    solar calendar official notices use; the lunar calendar names them "giêng" and "chạp"."""
    if lunar and month in (1, 12):
        return "giêng" if month == 1 else "chạp"
    return "tư" if month == 4 else number_words(month)


_ROMAN = re.compile(r"(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def roman_value(numeral: str) -> int | None:
    """The value of a Roman numeral from I to XCIX, written correctly in capitals, else None.
    C, D and M are left out on purpose: "Phần C", "mục D" are letters, not 100 and 500."""
    if not numeral or numeral == "L" or not _ROMAN.fullmatch(numeral):
        return None
    values = [_ROMAN_VALUES[c] for c in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def is_valid_date(day: int, month: int, year: int | None = None) -> bool:
    """True when the day exists in that month (29 February is allowed when the year is unknown)."""
    if not 1 <= month <= 12 or day < 1:
        return False
    last = calendar.monthrange(year if year else 2000, month)[1]
    return day <= last


def date_words(day: int, month: int, year: int | None = None) -> str:
    """Read a date without the leading "ngày": "mười lăm tháng mười một năm hai nghìn…"."""
    words = f"{day_words(day)} tháng {month_words(month)}"
    return f"{words} năm {number_words(year)}" if year is not None else words


def time_words(hour: int, minute: int = 0) -> str:
    """Read a clock time: (17, 0) → "mười bảy giờ", (6, 30) → "sáu giờ ba mươi phút"."""
    words = f"{number_words(hour)} giờ"
    return f"{words} {number_words(minute)} phút" if minute else words


# Vietnamese numbering plan: 10-digit mobiles and 11-digit landlines start with 0 (+84 drops
# it), 1800 (free) and 1900 (paid) service numbers have 8 or 10 digits.
PHONE_MAX_DIGITS = 12
_PHONE_DIGITS = (("+84", (11, 12)), ("1800", (8, 10)), ("1900", (8, 10)), ("0", (10, 11)))
# Unseparated numbers are grouped the way they are printed: 0912 345 678, 0232 3822 123, and
# a subscriber number after its area code as "(0214) 3822 456".
_PHONE_GROUPS = {6: (3, 3), 7: (4, 3), 8: (4, 4), 9: (3, 3, 3), 10: (4, 3, 3), 11: (4, 4, 3)}


def is_phone_number(first_group: str, digit_count: int) -> bool:
    """True when a number written from ``first_group`` with ``digit_count`` digits (a "+84"
    counts as two) can be a Vietnamese phone number. A leading "0" group needs 3 digits, so a
    date like "01.12.2026" is not taken for one."""
    if first_group.startswith("0") and len(first_group) < 3:
        return False
    return any(first_group.startswith(prefix) and digit_count in counts
               for prefix, counts in _PHONE_DIGITS)


_GROUP = re.compile(r"([ .-]?)(\+84|\d+)")


def read_phones_in_run(run: str) -> str:
    """Read the phone numbers in a run of digit groups joined by single spaces, dots or dashes;
    other groups are returned as written: "0912 345 678 15" → "không chín một hai, …, sáu bảy
    tám 15"."""
    groups = _GROUP.findall(run)
    spoken, i = [], 0
    while i < len(groups):
        size = _phone_size(groups, i)
        if size:
            spoken.append(groups[i][0] + phone_words([g for _, g in groups[i:i + size]]))
        else:
            spoken.append("".join(groups[i]))
        i += size or 1
    return "".join(spoken)


def _phone_size(groups: list[tuple[str, str]], start: int) -> int:
    # How many groups from ``start`` make a phone number; the longest reading wins, since
    # "0232 3822 123" is a phone number only once all 11 digits are in. A number only starts
    # a phone number after a space ("1.000.0912" is not one).
    separator, first = groups[start]
    if start and separator != " ":
        return 0
    best, total = 0, 0
    for size, (_, digits) in enumerate(groups[start:], 1):
        total += len(digits.lstrip("+"))
        if total > PHONE_MAX_DIGITS:
            break
        if is_phone_number(first, total):
            best = size
    return best


def phone_words(groups: list[str]) -> str:
    """Read a phone number digit by digit, a comma between groups so the voice pauses.

    ``["0912", "345", "678"]`` or ``["0912345678"]`` → "không chín một hai, ba bốn năm, sáu bảy
    tám"; a "+" is "cộng".
    """
    split = [part for group in groups for part in _phone_groups(group)]
    return ", ".join(("cộng " if g.startswith("+") else "") + digits_words(g) for g in split)


def _phone_groups(digits: str) -> list[str]:
    sizes = _PHONE_GROUPS.get(len(digits), ())
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    return [digits[s:s + n] for s, n in zip(starts, sizes, strict=True)] or [digits]
