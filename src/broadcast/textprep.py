"""Text preparation: a message's text → the text exactly as it will be spoken.

An ordered list of small ``(text, lexicon) -> text`` rules. Synthesizers spell out official
abbreviations letter by letter, read "1.500" as one-point-five and hotlines as amounts, so every
abbreviation, number, date, time and phone number is written out in words here, and an editor
can check the result with ``broadcast spoken``. The word lists live in ``data/lexicon_vi.yaml``;
a workspace extends them per campaign (``Lexicon.extended``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType

import yaml

from broadcast import vinumber as vn


@dataclass(frozen=True)
class Lexicon:
    """Word lists the rules read: abbreviations (case-sensitive), words (case-insensitive),
    units (read only right after a number). Keys and values are stored NFC-normalized."""

    abbreviations: Mapping[str, str]
    words: Mapping[str, str]
    units: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("abbreviations", "words", "units"):
            table = {}
            for key, value in getattr(self, name).items():
                if not isinstance(key, str) or not isinstance(value, str) or not key:
                    raise TypeError(f"lexicon {name}: {key!r}: {value!r} is not text → text")
                table[_nfc(key)] = _nfc(value)
            object.__setattr__(self, name, MappingProxyType(table))

    def extended(self, abbreviations: Mapping[str, str] | None = None,
                 words: Mapping[str, str] | None = None,
                 units: Mapping[str, str] | None = None) -> Lexicon:
        """A copy with a workspace's additions; an addition overrides a built-in entry."""
        return Lexicon({**self.abbreviations, **(abbreviations or {})},
                       {**self.words, **(words or {})},
                       {**self.units, **(units or {})})


@cache
def builtin_lexicon() -> Lexicon:
    """The lexicon shipped with broadcast (``data/lexicon_vi.yaml``)."""
    source = resources.files("broadcast") / "data" / "lexicon_vi.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    return Lexicon(data["abbreviations"], data["words"], data.get("units") or {})


def prepare(text: str, lexicon: Lexicon | None = None) -> str:
    """The text as it will be spoken: NFC-normalized, then every rule of ``RULES`` in order."""
    lexicon = lexicon or builtin_lexicon()
    text = _nfc(text)
    for rule in RULES:
        text = rule(text, lexicon)
    return text


def _nfc(text: str) -> str:
    # Text pasted from Word may be decomposed; the lexicon and the patterns are composed.
    return unicodedata.normalize("NFC", text)


def _alternatives(keys: tuple[str, ...]) -> str:
    # Longest first, so "HIV/AIDS" wins over "HIV" and "QĐ-UBND" over "UBND".
    return "|".join(map(re.escape, sorted(keys, key=len, reverse=True)))


@cache
def _whole_words(keys: tuple[str, ...], flags: int = 0) -> re.Pattern[str] | None:
    return re.compile(rf"(?<!\w)(?:{_alternatives(keys)})(?!\w)", flags) if keys else None


@cache
def _after_number(keys: tuple[str, ...]) -> re.Pattern[str] | None:
    # The unit may be glued to the number ("50.000đ"); "/" before a word is "một" ("đồng/người").
    if not keys:
        return None
    return re.compile(rf"{_ALONE_BEFORE}({NUMBER})\s?({_alternatives(keys)})(?!\w)(/(?=[^\W\d_]))?")


# A number written the Vietnamese way: "." groups thousands, "," is the decimal mark.
NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
# Not glued to letters, digits or other number punctuation: "H5N1", "COVID-19", "56/2020"
# and anything the rules did not recognise are left as written.
_ALONE_BEFORE = r"(?<![\w.,/:])(?<!\w-)"
_ALONE_AFTER = r"(?![\w]|[.,/:]\d)"

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"',
                         "‘": "'", "’": "'", "‚": "'", "‛": "'"})


def tidy_typography(text: str, lexicon: Lexicon) -> str:
    """Curly and angle quotes become straight ones, which every engine treats alike."""
    return text.translate(_QUOTES)


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_BULLET = re.compile(r"^(?:[•●○◦▪▫■□►▶➢➤✓✔·]\s*|[-–—*+]\s+)")
_CLOSED = re.compile(r"[.!?…:;,][\"')\]]*$")


def join_lines(text: str, lexicon: Lexicon) -> str:
    """Drop bullets and join lines into one text; a line that does not end in punctuation gets
    a comma when the next line continues in lower case, a period otherwise (headings, items)."""
    lines = [_BULLET.sub("", " ".join(line.split()))
             for line in text.translate(_INVISIBLE).splitlines()]
    spoken = []
    for i, line in enumerate(lines):
        if not line:
            continue
        rest = lines[i + 1:]
        if any(rest) and not _CLOSED.search(line):
            line += "," if rest[0][:1].islower() else "."
        spoken.append(line)
    return " ".join(spoken)


_DOCUMENT = re.compile(r"(?<![\w/])(\d+)/(?:(\d{4})/)?(?=[A-ZĐ]{2})")


def read_document_numbers(text: str, lexicon: Lexicon) -> str:
    """"Nghị định 56/2020/NĐ-CP" → "Nghị định 56 năm 2020 NĐ-CP", as newsreaders say it; the
    issuer code ("NĐ-CP" → "của Chính phủ") is then read from the abbreviations."""
    return _DOCUMENT.sub(lambda m: f"{m[1]} năm {m[2]} " if m[2] else f"{m[1]} ", text)


def expand_abbreviations(text: str, lexicon: Lexicon) -> str:
    """Lexicon abbreviations, case-sensitive and whole-word: "UBND" → "Ủy ban nhân dân"."""
    pattern = _whole_words(tuple(lexicon.abbreviations))
    return pattern.sub(lambda m: lexicon.abbreviations[m[0]], text) if pattern else text


def fix_words(text: str, lexicon: Lexicon) -> str:
    """Lexicon words, case-insensitive and whole-word: "Hotline" → "đường dây nóng"."""
    folded = {key.casefold(): value for key, value in lexicon.words.items()}
    pattern = _whole_words(tuple(lexicon.words), re.IGNORECASE)
    return pattern.sub(lambda m: folded[m[0].casefold()], text) if pattern else text


_AMPERSAND = re.compile(r"\s+&\s*|\s*&\s+")  # "GD&ĐT" and other glued codes are left alone
_ELLIPSIS = re.compile(r"\s*(?:…|\.{2,})\s*(?=(\S?))")


def read_symbols(text: str, lexicon: Lexicon) -> str:
    """"&" → "và"; an ellipsis becomes a pause: a period before a capital, else a comma."""
    text = _AMPERSAND.sub(" và ", text)
    return _ELLIPSIS.sub(lambda m: ". " if m[1].isupper() else ", ", text)


# Words after which a number is a phone number, however short ("Tổng đài 111").
PHONE_CUES = ("số điện thoại", "điện thoại", "đường dây nóng", "tổng đài", "hotline",
              "gọi số", "gọi")
_DIGIT_RUN = re.compile(r"(?<![\w.,/+-])(?:\+84[ .-]?)?\d+(?:[ .-]\d+)*")
_CUED = re.compile(rf"(?i)(?<!\w)(?<!kêu )({'|'.join(PHONE_CUES)})(\s*(?::|là)?\s*)(\d{{3,}})"
                   r"(?![\w%]|[.,/:-]\d)")
# After a bare "số" only short service numbers (111 to 119, 1022…): "nhà số 12" stays a number.
_SERVICE = re.compile(r"(?i)(?<!\w)(số\s+)(1\d{2,3})(?![\w%]|[.,/:-]\d)")


def read_phone_numbers(text: str, lexicon: Lexicon) -> str:
    """Phone numbers digit by digit, a comma between groups so the voice pauses: numbers of
    10–11 digits starting with 0 or +84, 1800/1900 numbers, and any number after a cue word."""
    text = _DIGIT_RUN.sub(lambda m: vn.read_phones_in_run(m[0]), text)
    text = _CUED.sub(lambda m: m[1] + m[2] + vn.digits_words(m[3]), text)
    return _SERVICE.sub(lambda m: m[1] + vn.digits_words(m[2]), text)


_RANGE = re.compile(r"(?<![\w-])(\d{4}-\d\d?-\d\d?|\d\d?-\d\d?-\d{4})(?!\d)"
                    r"|(?<![\w-])(\d[\d.,/:]*(?:h\d{0,2})?%?)\s*[-–—]\s*(?=\d|[Tt]hứ\s+\d)")


def read_ranges(text: str, lexicon: Lexicon) -> str:
    """A dash between numbers, dates or times is "đến": "15/11 – 15/12", "7h-9h", "30-40%".
    Dashed dates ("2026-11-15") are kept whole for the date rule."""
    return _RANGE.sub(lambda m: m[1] or f"{m[2]} đến ", text)


_DMY = re.compile(rf"{_ALONE_BEFORE}(?:([Nn]gày)\s+)?(\d{{1,2}})([/.-])(\d{{1,2}})\3(\d{{4}})"
                  r"(?![\w]|[/.,-]?\d)")
_YMD = re.compile(rf"{_ALONE_BEFORE}(?:([Nn]gày)\s+)?(\d{{4}})-(\d{{1,2}})-(\d{{1,2}})(?!\w|-?\d)")
_DM = re.compile(rf"{_ALONE_BEFORE}(?:([Nn]gày)\s+)?(\d{{1,2}})/(\d{{1,2}}){_ALONE_AFTER}")
_MONTH_YEAR = re.compile(rf"(?<!\w)([Tt]háng)\s+(\d{{1,2}})/(\d{{4}}){_ALONE_AFTER}")
_MONTH = re.compile(rf"(?<!\w)([Tt]háng)\s+(\d{{1,2}})(?!%){_ALONE_AFTER}")
_DAY = re.compile(r"(?<!\w)([Nn]gày)\s+(\d{1,2})(?=\s+tháng\b)")


def read_dates(text: str, lexicon: Lexicon) -> str:
    """Dates in words, "ngày" added unless already written; invalid dates are left alone.
    "15/11/2026", "2026-11-15", "15/11", "tháng 11/2026", "tháng 4", "ngày 5 tháng 11"."""
    text = _DMY.sub(lambda m: _date(m, m[1], m[2], m[4], m[5]), text)
    text = _YMD.sub(lambda m: _date(m, m[1], m[4], m[3], m[2]), text)
    text = _DM.sub(lambda m: _date(m, m[1], m[2], m[3], None), text)
    text = _MONTH_YEAR.sub(lambda m: _month(m, f" năm {vn.number_words(int(m[3]))}"), text)
    text = _MONTH.sub(lambda m: _month(m, ""), text)
    return _DAY.sub(lambda m: f"{m[1]} {vn.day_words(int(m[2]))}"
                    if 1 <= int(m[2]) <= 31 else m[0], text)


def _date(m: re.Match[str], said: str | None, day: str, month: str, year: str | None) -> str:
    d, mo, y = int(day), int(month), int(year) if year else None
    if not vn.is_valid_date(d, mo, y):
        return m[0]
    return f"{said or 'ngày'} {vn.date_words(d, mo, y)}"


def _month(m: re.Match[str], tail: str) -> str:
    month = int(m[2])
    return f"{m[1]} {vn.month_words(month)}{tail}" if 1 <= month <= 12 else m[0]


_CLOCK = re.compile(r"(?<![\w.,/:])(\d{1,2})(?::(\d\d)|h(\d\d)?(?:p|ph|')?|g(\d\d))"
                    r"(?![\w:]|[.,]\d)")
_SAID_CLOCK = re.compile(r"(?<![\w.,/:])(\d{1,2})\s+giờ\s+(\d{1,2})(?!\s*phút)" + _ALONE_AFTER)


def read_times(text: str, lexicon: Lexicon) -> str:
    """Clock times: "17:00", "17h", "17h30", "7g30", "6 giờ 30" → "mười bảy giờ ba mươi phút"."""
    text = _CLOCK.sub(lambda m: _time(m, m[1], m[2] or m[3] or m[4] or "0"), text)
    return _SAID_CLOCK.sub(lambda m: _time(m, m[1], m[2]), text)


def _time(m: re.Match[str], hour: str, minute: str) -> str:
    h, mi = int(hour), int(minute)
    return vn.time_words(h, mi) if h <= 24 and mi <= 59 else m[0]


_PERCENT = re.compile(rf"{_ALONE_BEFORE}({NUMBER})\s?%")


def read_percentages(text: str, lexicon: Lexicon) -> str:
    """"30%" → "ba mươi phần trăm", "12,5%" → "mười hai phẩy năm phần trăm"."""
    return _PERCENT.sub(lambda m: f"{vn.decimal_words(m[1])} phần trăm", text)


def read_units(text: str, lexicon: Lexicon) -> str:
    """A unit right after a number: "50.000đ/người" → "50.000 đồng một người", "5 km"."""
    pattern = _after_number(tuple(lexicon.units))
    if pattern is None:
        return text
    return pattern.sub(lambda m: f"{m[1]} {lexicon.units[m[2]]}{' một ' if m[3] else ''}", text)


_ORDINAL = re.compile(rf"(?<!\w)([Tt]hứ)\s+(\d+){_ALONE_AFTER}")


def read_ordinals(text: str, lexicon: Lexicon) -> str:
    """After "thứ": "thứ 1" → "thứ nhất", "thứ 2" → "thứ hai", "thứ 4" → "thứ tư"."""
    return _ORDINAL.sub(lambda m: f"{m[1]} {vn.ordinal_words(int(m[2]))}", text)


_NUMBER_ALONE = re.compile(rf"{_ALONE_BEFORE}({NUMBER}){_ALONE_AFTER}")


def read_numbers(text: str, lexicon: Lexicon) -> str:
    """Every remaining number: "1.500" → "một nghìn năm trăm", "04" → "bốn", "1,5" → "một
    phẩy năm". Numbers glued to letters or slashes (codes, "COVID-19") are left as written."""
    return _NUMBER_ALONE.sub(lambda m: vn.decimal_words(m[1]), text)


_SPACED_DASH = re.compile(r"\s+[-–—]\s+")
_SPACE_BEFORE = re.compile(r"\s+([,.;:!?])")
_STACKED = re.compile(r"[,;:]\s*(?=[,.;:!?])")
_SENTENCE_START = re.compile(r"(^|[.!?]\s+)([\"'(]*)(\w)")


def finish_sentences(text: str, lexicon: Lexicon) -> str:
    """Tidy the punctuation left by the rules, capitalise sentence starts, and end the text with
    a period so every engine closes with a full pause."""
    text = _SPACED_DASH.sub(", ", text)  # a dash between words is a pause
    text = _STACKED.sub("", _SPACE_BEFORE.sub(r"\1", text))
    text = " ".join(text.split())
    if text and not re.search(r"[.!?][\"')\]]*$", text):
        text = re.sub(r"[,;:]?([\"')\]]*)$", r".\1", text, count=1)
    return _SENTENCE_START.sub(lambda m: m[1] + m[2] + m[3].upper(), text)


Rule = Callable[[str, Lexicon], str]

# The order matters: typography and lines first; abbreviations and words before any number
# (so "SĐT" and "hotline" become phone cues); phones before ranges (their dashes are not
# ranges); dates, times, percentages and units before plain numbers.
RULES: list[Rule] = [
    tidy_typography, join_lines, read_document_numbers, expand_abbreviations, fix_words,
    read_symbols, read_phone_numbers, read_ranges, read_dates, read_times, read_percentages,
    read_units, read_ordinals, read_numbers, finish_sentences,
]
