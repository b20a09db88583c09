"""Field parsers: raw values people typed → the model's values.

A record type is a table of field name → ``Field``; ``shape.check_record`` applies it and
collects every problem instead of stopping at the first, so ``broadcast check`` can report them
all.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from broadcast.campaign.model import CHANNELS, PRIORITIES, WEEKDAYS
from broadcast.campaign.yamlfile import DateText


class FieldError(Exception):
    """A value that cannot be used; ``key`` names the catalog sentence that says why and how."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Field:
    parse: Callable[[object], object]
    required: bool = False
    blank_ok: bool = True
    """Whether writing the field with no value is fine (it is not for a message's text)."""
    shape: str = "scalar"
    """What may be written (``shape.SCALAR``…): one value ("scalar"), a list or one value
    ("list"), lines of ``name: value`` ("mapping"), or values and records ("items", a commune's
    slots); checked before ``parse`` sees the value."""


def nfc(value: object) -> str:
    return unicodedata.normalize("NFC", str(value)).strip()


def _not_text(value: object) -> None:
    """A value YAML (or Excel) read as something else where words belong: ``title: true``,
    ``organization: 123``, a title cell Excel turned into a date. Said, never turned into "True"."""
    if isinstance(value, bool):
        raise FieldError("field.not_text_flag", value=str(value).lower())
    if isinstance(value, (int, float)):
        raise FieldError("field.not_text_number", value=str(value))
    if isinstance(value, (dt.date, dt.time)):
        raise FieldError("field.not_text_date", value=str(value))
    if isinstance(value, DateText):
        raise FieldError("field.not_text_written_date", value=str(value))


def text(value: object) -> str:
    """Words people wrote (a script may hold line breaks)."""
    _not_text(value)
    result = nfc(value)
    if not result:
        raise FieldError("field.empty")
    return result


def line(value: object) -> str:
    """Words on one line (a title, a name): a line break typed into an Excel cell (Alt+Enter)
    or a YAML block would break playlists and tags, so runs of white space become one space."""
    return " ".join(text(value).split())


def plain(value: object) -> str:
    """A value kept as written, numbers included (a phone number, a hotline: ``phone: 115``)."""
    if isinstance(value, bool):
        raise FieldError("field.not_text_flag", value=str(value).lower())
    return line(str(value))


_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
_RESERVED = re.compile(r"^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])$", re.IGNORECASE)
"""Device names Windows refuses as file and folder names, with any extension."""


def ident(value: object) -> str:
    """User's own stable code. ASCII only: it becomes file and folder names on FAT players.
    A number is taken as written (``id: 12`` is the code "12"); a yes/no or a date is not."""
    if isinstance(value, (bool, dt.date, dt.time, DateText)):
        _not_text(value)
    result = nfc(value)
    if not _ID.match(result):
        close = ascii_id(result)
        if close and close != result:
            raise FieldError("field.bad_id_close", value=shown(result), close=close)
        raise FieldError("field.bad_id", value=shown(result))
    if _RESERVED.match(result):
        raise FieldError("field.reserved_id", value=result)
    return result


def ascii_id(value: str) -> str:
    """The id ``value`` was probably meant to be: accents dropped ("Xã-A" → "xa-a"), every other
    character a "-"; "" if nothing usable is left."""
    visible = "".join(c for c in value if unicodedata.category(c) != "Cf")
    folded = unicodedata.normalize("NFD", visible.replace("đ", "d").replace("Đ", "D"))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    result = re.sub(r"[^a-z0-9_-]+", "-", folded).strip("-_")[:40].strip("-_")
    return result if _ID.match(result) and not _RESERVED.match(result) else ""


def shown(value: str) -> str:
    """``value`` for a message, invisible characters (a zero-width space, a no-break space
    pasted from the web) spelled out where they are."""
    return "".join(f"<U+{ord(c):04X}>" if unicodedata.category(c) in ("Cf", "Zs", "Cc") and c != " "
                   else c for c in value)


def date(value: object) -> dt.date:
    if isinstance(value, bool):
        raise FieldError("field.bad_date", value=str(value).lower())
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = nfc(value)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise FieldError("field.bad_date", value=raw)


_TIME = re.compile(r"^(\d{1,2})(?::|h|g|giờ|\.)\s*(\d{2})?(?:p|phút)?$")


def clock(value: object) -> dt.time:
    raw = nfc(value).lower().replace(" ", "")
    match = _TIME.match(raw)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    raise FieldError("field.bad_time", value=nfc(value))


@cache
def _weekday_names() -> dict[str, str]:
    """Every way an office writes a weekday: t2…cn, thứ hai, thu 2, mon, Monday, Tues, Thurs."""
    names = {day: day for day in WEEKDAYS}
    for number, day in zip(range(2, 8), WEEKDAYS[:6], strict=True):
        names.update({f"t{number}": day, f"thứ {number}": day, f"thu {number}": day, str(number): day,
                      f"th{number}": day, f"thứ{number}": day})
    for spelling in ("cn", "chủ nhật", "chu nhat", "8"):
        names[spelling] = "sun"
    spelled = {"hai": "mon", "ba": "tue", "tư": "wed", "năm": "thu", "sáu": "fri", "bảy": "sat",
               "bẩy": "sat"}
    for word, day in spelled.items():
        names[f"thứ {word}"] = day
        names[f"thu {_unaccented(word)}"] = day
    english = {"monday": "mon", "tuesday": "tue", "tues": "tue", "wednesday": "wed", "thursday": "thu",
               "thur": "thu", "thurs": "thu", "friday": "fri", "saturday": "sat", "sunday": "sun"}
    names.update(english)
    return names


def _unaccented(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def split_list(value: object) -> list[str]:
    """A YAML list, or a spreadsheet cell "a, b; c"."""
    items = value if isinstance(value, list) else re.split(r"[,;]", str(value))
    return [nfc(item) for item in items if nfc(item)]


_RANGE = re.compile(r"^(.+?)\s*(?:-|–|—|đến|to)\s*(.+)$")


def _weekday(item: str) -> tuple[str, ...]:
    """One weekday, or a range of them written "t2-t6" / "thứ 2 đến thứ 6" / "mon-fri"."""
    spelled = " ".join(item.lower().rstrip(".").split())
    day = _weekday_names().get(spelled)
    if day is not None:
        return (day,)
    match = _RANGE.match(spelled)
    ends = [_weekday_names().get(end.strip().rstrip(".")) for end in match.groups()] if match else []
    if len(ends) == 2 and None not in ends:
        first, last = WEEKDAYS.index(ends[0]), WEEKDAYS.index(ends[1])
        if first <= last:
            return WEEKDAYS[first:last + 1]
    raise FieldError("field.bad_weekday", value=item)


def weekdays(value: object) -> tuple[str, ...]:
    days = set()
    for item in split_list(value):
        days.update(_weekday(item))
    if not days:
        raise FieldError("field.empty")
    return tuple(d for d in WEEKDAYS if d in days)


_PRIORITY_NAMES = {"normal": "normal", "thường": "normal", "bình thường": "normal",
                   "priority": "priority", "ưu tiên": "priority",
                   "emergency": "emergency", "khẩn cấp": "emergency", "khẩn": "emergency"}


def priority(value: object) -> str:
    result = _PRIORITY_NAMES.get(nfc(value).lower())
    if result is None:
        raise FieldError("field.bad_choice", value=nfc(value), choices=", ".join(PRIORITIES))
    return result


def channel(value: object) -> str:
    result = nfc(value).lower()
    if result not in CHANNELS:
        raise FieldError("field.bad_choice", value=result, choices=", ".join(CHANNELS))
    return result


_WITH_UNIT = re.compile(r"^([-+]?\d+(?:[.,]\d+)?)\s*(%|[^\d\s].*)$")


def _ranged(convert: Callable[[str], float], low: float, high: float) -> Callable[[object], float]:
    """A parser of numbers within [low, high]; anything else names the range to use, and a
    number written with its unit ("15 phút", "2 lần", "-15 LUFS", "40%") the number to write."""
    def parse(value: object) -> float:
        if isinstance(value, bool):
            raise FieldError("field.bad_number", value=str(value).lower(), low=low, high=high)
        written = str(value).strip()
        try:
            result = convert(written)
        except ValueError:
            raise _unit_error(written, convert, low, high) from None
        if not low <= result <= high:
            raise FieldError("field.bad_number", value=value, low=low, high=high)
        return result
    return parse


def _unit_error(written: str, convert: Callable[[str], float], low: float, high: float) -> FieldError:
    match = _WITH_UNIT.match(written)
    if match is None:
        return FieldError("field.bad_number", value=written, low=low, high=high)
    number = match.group(1)
    if match.group(2) == "%" and high <= 1:  # fill: 40% is 0.4
        number = f"{float(number.replace(',', '.')) / 100:g}"
    try:
        fits = low <= convert(number) <= high
    except ValueError:
        fits = False
    if not fits:
        return FieldError("field.bad_number", value=written, low=low, high=high)
    return FieldError("field.number_with_unit", value=written, number=number, low=low, high=high)


def integer(low: int, high: int) -> Callable[[object], int]:
    return _ranged(int, low, high)


def number(low: float, high: float) -> Callable[[object], float]:
    """A decimal number; "1,5" is read as 1.5, the Vietnamese decimal comma."""
    return _ranged(lambda text: float(text.replace(",", ".")), low, high)


def flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raw = nfc(value).lower()
    if raw in ("true", "yes", "có", "1", "x"):
        return True
    if raw in ("false", "no", "không", "0", ""):
        return False
    raise FieldError("field.bad_flag", value=raw)


def text_list(value: object) -> tuple[str, ...]:
    return tuple(dict.fromkeys(split_list(value)))
