"""Text-preparation rules for numbers by what they are: phone and service numbers (digit by
digit), ranges, signs, units, "per" slashes, percentages and plain quantities."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from broadcast.speech.text import vinumber as vn
from broadcast.speech.text.base import ALONE_AFTER, ALONE_BEFORE, NUMBER, from_lexicon, sub
from broadcast.speech.text.words import alternatives

if TYPE_CHECKING:
    from broadcast.speech.text.lexicon import Lexicon

# Words after which a number of three digits or more is a phone number ("Tổng đài 1022"), and
# the few words that may stand between ("gọi ngay 112", "liên hệ theo số 0912…"). After a name
# of a line the number is one whatever follows ("Tổng đài 111 năm nay"); after a verb it may
# still count ("gọi 100 hộ dân").
LINE_CUES = ("số điện thoại", "điện thoại", "đường dây nóng", "tổng đài", "hotline", "gọi số",
             "số máy lẻ", "máy lẻ", "số máy")
PHONE_CUES = (*LINE_CUES, "gọi", "liên hệ", "liên lạc", "nhắn tin")
# Words after which a number of four digits or more is an identifier, read digit by digit too.
ID_CUES = ("số tài khoản", "tài khoản", "mã số thuế", "mã số", "mã", "số căn cước",
           "số định danh", "số thẻ", "số hồ sơ", "mã hồ sơ")
_FILLERS = ("ngay", "ngay cho", "ngay đến", "ngay tới", "đến", "tới", "cho", "vào", "về", "theo",
            "qua", "số", "tổng đài", "đường dây nóng", "miễn phí", "khẩn cấp")
# The emergency and child-protection numbers every Vietnamese phone can call (111 child
# protection, 112 rescue, 113 police, 114 fire, 115 ambulance): digit strings wherever they stand.
SERVICE_NUMBERS = ("111", "112", "113", "114", "115")
# A number followed by one of these counts something: "113 hộ", "115 học sinh", "365 ngày".
# Units of the lexicon count too ("113 kg", "112 mét"): see ``_counted``.
COUNT_WORDS = ("hộ", "hộ dân", "người", "em", "trẻ", "trẻ em", "học sinh", "cháu", "con",
               "tuổi", "giờ", "phút", "giây", "lần", "lượt", "buổi", "tờ", "cuốn",
               "quyển", "suất", "phần", "xã", "thôn", "bản", "làng", "trường", "lớp", "đồng",
               "nghìn", "ngàn", "triệu", "tỷ", "ca", "trường hợp", "cán bộ", "chiến sĩ", "thành viên",
               "hội viên", "đoàn viên", "đảng viên", "gia đình", "khẩu", "nhân khẩu", "cây", "tấn",
               "chiếc", "cái", "căn", "ngôi", "điểm", "đợt", "bao", "túi", "gói", "thùng", "liều",
               "mũi", "viên", "phụ nữ", "nam", "nữ", "cặp", "vụ", "km", "ha", "kg", "m", "%",
               # the people, things and events reports count, which a service number never
               # stands before: "114 cuộc gọi", "113 đối tượng", "112 thẻ BHYT", "111 bệnh nhân"
               "cuộc", "cuộc gọi", "đối tượng", "dân quân", "bệnh nhân", "người bệnh", "nhân viên",
               "giáo viên", "bác sĩ", "y bác sĩ", "công nhân", "lao động", "tình nguyện viên",
               "học viên", "sinh viên", "thí sinh", "cụ", "bé", "người dân", "nhà", "hồ sơ", "đơn",
               "thẻ", "tin", "tin nhắn", "tin báo", "bộ", "xe", "tàu", "thuyền", "máy", "cụm", "loa",
               "trạm", "công trình", "mô hình", "câu lạc bộ", "tổ", "nhóm", "đội", "đơn vị",
               "cơ sở", "doanh nghiệp", "hợp tác xã", "ấp", "buôn", "tuyến", "học bổng", "phần quà",
               "con số", "cá nhân", "tập thể", "mét", "lít", "héc-ta",
               # and a number before a street or an alley is a house number: "112 đường Lê Lợi"
               "đường", "phố", "ngõ", "ngách", "hẻm", "kiệt")
# A number after one of these is a label or a count, never a phone: "Điều 112", "nhà số 113",
# "Quyết định số 1234"; document types come from the lexicon.
NUMBER_LABELS = ("điều", "khoản", "điểm", "chương", "mục", "trang", "phòng", "nhà", "số nhà",
                 "quốc lộ", "tỉnh lộ", "đường", "lớp", "tổ", "đội", "văn bản", "luật", "công văn",
                 "kêu gọi", "có", "gồm", "khoảng", "gần", "hơn", "trên", "dưới", "tổng số", "đạt",
                 "tổng cộng", "cả thảy", "thêm", "còn", "chỉ còn",
                 # the numbered places of a commune: "Tổ dân phố 111", "thôn 12"
                 "thôn", "xóm", "bản", "ấp", "khu phố", "tổ dân phố", "khóm", "khu", "lô")

# "+84 (0)233 …" writes the trunk "0" that callers from abroad leave out: not spoken.
_DIGIT_RUN = re.compile(r"(?<![\w.,/+-])(?:\(0\d{2,3}\)\s?|\+84[ .-]?(?:\(0\)\s?)?)?\d+(?:[ .-]\d+)*")
_TRUNK = re.compile(r"\(0\)\s?")
_SERVICES = "|".join(SERVICE_NUMBERS)
_SERVICE_SLASHED = re.compile(rf"(?<![\w/])(?:{_SERVICES})(?:/(?:{_SERVICES}))+(?![\w/])")
_SINGLE = re.compile(r"(?<![\w.,/+-])\d+(?![\w%°²³]|[.,/:-]\d)")
_LIST_TAIL = re.compile(r"(?:,|;|\bhoặc|\bhay|\bvà)\s*$")


@dataclass
class _LastPhone:
    end: int = -1
    digits: int = 0


def read_phone_numbers(text: str, lexicon: Lexicon) -> str:
    """Phone numbers digit by digit, a comma between groups so the voice pauses: numbers of
    10–11 digits starting with 0 or +84, 1800/1900 numbers, the service numbers 111–115
    wherever they stand, numbers after a cue word ("liên hệ 1022"), and the next items of a list
    that starts with one ("gọi 113 khi có trộm, 114 khi có cháy"). A number that counts ("113
    hộ") or labels ("Điều 112") stays a number."""
    text = sub(_DIGIT_RUN, _phone_run, text)
    text = sub(_SERVICE_SLASHED, lambda m: ", ".join(map(vn.digits_words, m[0].split("/"))), text)
    last = _LastPhone()
    labels = _labels(tuple(lexicon.document_types.values()))
    counted = _counted(tuple(lexicon.units), tuple(lexicon.units.values()))
    return sub(_SINGLE, lambda m: _short_number(m, last, labels, counted), text)


def _phone_run(m: re.Match[str]) -> str:
    # "(0233) 3852 123": the brackets only group the area code.
    core = _TRUNK.sub("", m[0]).replace("(", "").replace(")", "")
    spoken = vn.read_phones_in_run(core)
    if spoken != core:
        return spoken
    # "Số tài khoản: 3700 205 123 456": an account or card number printed in groups is read
    # digit by digit, a pause between the groups, like a phone number.
    groups = re.split(r"[ -]", m[0])
    if (len(groups) > 1 and all(g.isdigit() for g in groups)
            and _IDENTIFIED.search(m.string, max(0, m.start() - 60), m.start())):
        return ", ".join(map(vn.digits_words, groups))
    return m[0]


def _short_number(m: re.Match[str], last: _LastPhone, labels: re.Pattern[str],
                  counted: re.Pattern[str]) -> str:
    run, before = m[0], m.string[max(0, m.start() - 60):m.start()]
    if len(run) >= _IDENTIFIER_DIGITS or (len(run) >= 4 and _IDENTIFIED.search(before)):
        return vn.digits_words(run)  # "số tài khoản", not the "khoản" of a law
    if len(run) >= 3 and (_LINE.search(before) or _SMS.search(before)):
        last.end, last.digits = m.end(), len(run)
        return vn.digits_words(run)
    if _counts(m, labels, counted):
        return run
    if ((len(run) >= 3 and _CUED.search(before)) or run in SERVICE_NUMBERS
            or (_AFTER_SO.search(before) and _SERVICE_LIKE.fullmatch(run)) or _continues(m, last)):
        last.end, last.digits = m.end(), len(run)
        return vn.digits_words(run)
    return run


def _cue(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(rf"(?i)(?<!\w)(?<!kêu )(?:{alternatives(words)})"
                      rf"(?:\s+(?:{alternatives(_FILLERS)}))*\s*(?::|là)?\s*$")


_CUED, _LINE = _cue(PHONE_CUES), _cue(LINE_CUES)
# Text-message short codes: "soạn tin UH gửi 1405", "nhắn tin theo cú pháp … gửi đến 8088".
_SMS = re.compile(r"(?i)(?<!\w)(?:soạn|nhắn)\s+tin(?!\w)[^.!?;\n]{0,40}?(?<!\w)gửi"
                  r"(?:\s+(?:đến|tới|về))?\s*:?\s*$")
_IDENTIFIED = re.compile(rf"(?i)(?<!\w)(?:{alternatives(ID_CUES)})\s*(?::|là)?\s*$")
# Quantities that large are written with thousands dots ("12.000.000"): an unbroken run of
# eight digits or more is an account, a tax or a card number.
_IDENTIFIER_DIGITS = 8
# After a bare "số" only numbers shaped like service numbers (111, 1022): "nhà số 12" is a number.
_AFTER_SO = re.compile(r"(?i)(?<!\w)số\s*:?\s*$")
_SERVICE_LIKE = re.compile(r"1\d{2,3}")
@cache
def _counted(unit_keys: tuple[str, ...], unit_words: tuple[str, ...]) -> re.Pattern[str]:
    # What a counted number is followed by: a count word or a unit of the lexicon, written
    # ("113 kg") or said ("112 mét"). "ngày", "tháng", "năm" count ("113 ngày") unless a date
    # follows ("111 năm nay", "113 ngày 5/9").
    words = alternatives((*COUNT_WORDS, *unit_keys, *unit_words))
    return re.compile(rf"(?i)\s*(?:{words}|(?:ngày|tháng|năm)(?!\s+(?:\d|nay|này)))(?!\w)")


def _counts(m: re.Match[str], labels: re.Pattern[str], counted: re.Pattern[str]) -> bool:
    # A list of numbers counts when its last item does: "111, 112 và 113 hộ".
    listed = _LIST_OF_NUMBERS.match(m.string, m.end()).end()
    after, before = m.string[listed:listed + 24], m.string[max(0, m.start() - 40):m.start()]
    return bool(counted.match(after) or labels.search(before) or _number_of(before, counted))


_LIST_OF_NUMBERS = re.compile(rf"(?:\s*(?:,|và|hoặc|hay)\s*(?:{NUMBER})(?![\w/.,:-]))*")


_NUMBER_OF = re.compile(r"(?i)(?<!\w)(?:số lượng|tổng số|số)((?:\s+[^\W\d_]+){1,5}?)\s*(?::|là)\s*$")


def _number_of(before: str, counted: re.Pattern[str]) -> bool:
    # "Số hộ nghèo: 113", "Tổng số người tham gia là 115": the number of something counted.
    m = _NUMBER_OF.search(before)
    return bool(m and counted.match(m[1]))


@cache
def _labels(document_types: tuple[str, ...]) -> re.Pattern[str]:
    words = alternatives((*NUMBER_LABELS, *document_types))
    return re.compile(rf"(?i)(?<!\w)(?:{words})(?:\s+số)?\s*:?\s*$")


def _continues(m: re.Match[str], last: _LastPhone) -> bool:
    # The next item of a list of hotlines: as long as the last one, a few words on, after a
    # list separator, in the same sentence.
    if last.end < 0 or len(m[0]) != last.digits:
        return False
    between = m.string[last.end:m.start()]
    return (not re.search(r"[.!?\n]", between) and len(between.split()) <= 8
            and bool(_LIST_TAIL.search(between)))


# A dash between numbers, dates, times or amounts is "đến": "15/11 – 15/12", "7h-9h", "30-40%",
# "-3 – -1°C", "15 giờ - 17 giờ", "tháng 4 - tháng 6". Dashed dates ("2026-11-15") are kept
# whole for the date rule.
_RANGE_UNIT = r"(?:°C|%|h\d{0,2}|g\d\d|\s(?:giờ|phút|ngày|tháng|năm|tuổi|độ|nghìn|triệu|tỷ)(?!\w))?"
# "ngày 20-10", "Ngày 8-3": a day and month after "ngày" (not "các ngày 5-7"), unless "tháng"
# or a slash follows ("ngày 5-7 hằng tháng", "ngày 10-12/3" are ranges of days).
_DASHED_DAY = r"(?<![Cc]ác )[Nn]gày\s+\d\d?-\d\d?(?![-/\d]|\s+(?:tháng|hằng tháng|hàng tháng)(?!\w))"
_RANGE = re.compile(rf"(?<![\w-])(\d{{4}}-\d\d?-\d\d?|\d\d?-\d\d?-\d{{4}}|{_DASHED_DAY})(?!\d)"
                    rf"|(?<![\w-])(-?\d[\d.,/:]*{_RANGE_UNIT})\s*[-–—]\s*"
                    r"(?=-?\d|(?:[Tt]hứ|[Tt]háng|[Nn]gày|[Nn]ăm)\s+\d)")


def read_ranges(text: str, lexicon: Lexicon) -> str:
    """A dash between numbers, dates or times is "đến": "15/11 – 15/12", "7h-9h", "30-40%"."""
    return sub(_RANGE, lambda m: m[1] or f"{m[2]} đến ", text)


_SIGN = re.compile(rf"(?<![\w.,/)%°+-])([-+])({NUMBER}){ALONE_AFTER}")
_SIGNS = {"-": "âm", "+": "cộng"}


def read_signs(text: str, lexicon: Lexicon) -> str:
    """A minus before a number is "âm": "-2°C" → "âm 2°C" (espeak drops it: a frost warning
    would say "hai độ C"); a plus is "cộng": "+3 độ" → "cộng 3 độ", as the sign is named (and
    as "+84" is said). A dash between numbers was already read "đến"."""
    return sub(_SIGN, lambda m: f"{_SIGNS[m[1]]} {m[2]}", text)


@cache
def _after_number(keys: tuple[str, ...]) -> re.Pattern[str] | None:
    # The unit may be glued to the number ("50.000đ", "-2°C") or follow its scale ("1,2 triệu m3").
    if not keys:
        return None
    return re.compile(rf"{ALONE_BEFORE}((?:{NUMBER})(?:\s(?:nghìn|ngàn|triệu|tỷ))?)"
                      rf"\s?({alternatives(keys)})(?![\w²³])")


def read_units(text: str, lexicon: Lexicon) -> str:
    """A unit right after a number: "50.000đ" → "50.000 đồng", "5 km", "-2°C" → "-2 độ C"."""
    pattern = _after_number(tuple(lexicon.units))
    if pattern is None:
        return text
    return sub(pattern, lambda m: from_lexicon(f"{m[1]} {lexicon.units[m[2]]}",
                                               ("units", m[2])), text)


# What an amount is divided by: "đồng/hộ", "lần/ngày", "kg/sào". A slash between other words
# is "or": "2 anh/chị" stays.
PER_WORDS = ("người", "hộ", "khẩu", "nhân khẩu", "suất", "em", "trẻ", "học sinh", "lượt", "lớp",
             "thôn", "xã", "trường", "ngày", "tuần", "tháng", "quý", "năm", "giờ", "phút", "buổi",
             "lần", "đợt", "vụ", "kỳ", "ca", "con", "cây", "sào", "mẫu", "lít", "tấn", "liều", "viên",
             "chiếc", "ha", "kg", "km", "km2", "km²", "m", "m2", "m²", "m3", "kWh", "h")
# Rain bulletins write the period short: "100 mm/24h", "mm/h". ("h" is no unit of the lexicon:
# after a number alone it is a clock time, "7h".)
_PER_SHORT = {"h": "giờ"}
_PER = re.compile(rf"(?<![\w.,])({NUMBER})(\s?%|\s?[^\W\d_]+(?:[ -][^\W\d_]+){{0,3}})"
                  rf"((?:/(?:\d{{1,3}}\s?)?(?:{alternatives(PER_WORDS)}))+)(?![\w/])")
_PERIOD = re.compile(r"(\d+)\s?(.+)")


def read_per_slashes(text: str, lexicon: Lexicon) -> str:
    """A slash after an amount means "per" and is read "mỗi": "50.000 đồng/hộ" → "50.000 đồng
    mỗi hộ", "1,2%/tháng" → "1,2% mỗi tháng", "3 lần/ngày", "100 mm/24 giờ" → "100 mm trong 24
    giờ". ("một hộ" is also said, but "đồng một người" can be heard as a count; "mỗi" cannot.)
    Slashes between words ("nam/nữ") stay."""
    def per(m: re.Match[str]) -> str:
        return m[1] + m[2] + "".join(_per(word, lexicon) for word in m[3].split("/")[1:])

    return sub(_PER, per, text)


def _per(word: str, lexicon: Lexicon) -> str:
    # "mưa 100 mm/24 giờ": over a counted period the amount falls "trong" it, not "mỗi" one.
    period = _PERIOD.fullmatch(word)
    if period:
        return f" trong {period[1]} {_PER_SHORT.get(period[2]) or lexicon.units.get(period[2], period[2])}"
    return f" mỗi {_PER_SHORT.get(word) or lexicon.units.get(word, word)}"


_PERCENT = re.compile(rf"{ALONE_BEFORE}({NUMBER})\s?([%‰])")
_PER_HUNDRED = {"%": "phần trăm", "‰": "phần nghìn"}


def read_percentages(text: str, lexicon: Lexicon) -> str:
    """"30%" → "ba mươi phần trăm", "12,5%" → "mười hai phẩy năm phần trăm"; a birth or growth
    rate in per mille: "1,2‰" → "một phẩy hai phần nghìn"."""
    return sub(_PERCENT, lambda m: f"{vn.decimal_words(m[1])} {_PER_HUNDRED[m[2]]}", text)


_NUMBER_ALONE = re.compile(rf"{ALONE_BEFORE}({NUMBER}){ALONE_AFTER}")


def read_numbers(text: str, lexicon: Lexicon) -> str:
    """Every remaining number: "1.500" → "một nghìn năm trăm", "04" → "bốn", "1,5" → "một
    phẩy năm". Numbers glued to letters or slashes (codes, "COVID-19") are left as written."""
    return sub(_NUMBER_ALONE, lambda m: vn.decimal_words(m[1]), text)
