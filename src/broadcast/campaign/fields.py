"""Field parsers: raw values people typed → the model's values.

A record type is a table of field name → ``Field``; ``shape.check_record`` applies it and
collects every problem instead of stopping at the first, so ``broadcast check`` can report them
all.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from broadcast.campaign.model import CHANNELS, PRIORITIES, WEEKDAYS
from broadcast.i18n import current_language


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


def text(value: object) -> str:
    result = nfc(value)
    if not result:
        raise FieldError("field.empty")
    return result


_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
_RESERVED = re.compile(r"^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])$", re.IGNORECASE)
"""Device names Windows refuses as file and folder names, with any extension."""


def ident(value: object) -> str:
    """User's own stable code. ASCII only: it becomes file and folder names on FAT players."""
    result = nfc(value)
    if not _ID.match(result):
        raise FieldError("field.bad_id", value=result)
    if _RESERVED.match(result):
        raise FieldError("field.reserved_id", value=result)
    return result


def date(value: object) -> dt.date:
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


_TIME = re.compile(r"^(\d{1,2})(?::|h|g|giờ)\s*(\d{2})?(?:p|phút)?$")


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
    names = {day: day for day in WEEKDAYS}
    for number, day in zip(range(2, 8), WEEKDAYS[:6], strict=True):
        names.update({f"t{number}": day, f"thứ {number}": day, f"thu {number}": day, str(number): day})
    for spelling in ("cn", "chủ nhật", "chu nhat", "8"):
        names[spelling] = "sun"
    names.update({"thứ hai": "mon", "thứ ba": "tue", "thứ tư": "wed", "thứ năm": "thu",
                  "thứ sáu": "fri", "thứ bảy": "sat"})
    return names


def split_list(value: object) -> list[str]:
    """A YAML list, or a spreadsheet cell "a, b; c"."""
    items = value if isinstance(value, list) else re.split(r"[,;]", str(value))
    return [nfc(item) for item in items if nfc(item)]


def weekdays(value: object) -> tuple[str, ...]:
    days = set()
    for item in split_list(value):
        day = _weekday_names().get(" ".join(item.lower().split()))
        if day is None:
            raise FieldError("field.bad_weekday", value=item)
        days.add(day)
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


def _ranged(convert: Callable[[str], float], low: float, high: float) -> Callable[[object], float]:
    """A parser of numbers within [low, high]; anything else names the range to use."""
    def parse(value: object) -> float:
        try:
            result = convert(str(value).strip())
        except ValueError:
            raise FieldError("field.bad_number", value=value, low=low, high=high) from None
        if not low <= result <= high:
            raise FieldError("field.bad_number", value=value, low=low, high=high)
        return result
    return parse


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


@cache
def languages() -> dict[str, dict]:
    """ISO 639-3 code → names and whether speech synthesis exists for it."""
    return yaml.safe_load((resources.files("broadcast") / "data" / "languages.yaml").read_text("utf-8"))


@cache
def _language_spellings() -> dict[str, str]:
    spellings = {}
    for code, entry in languages().items():
        spellings[code] = code
        for alias in entry.get("aliases", ()):
            spellings[alias] = code
    return spellings


def language_name(code: str) -> str:
    """The language's name in the user's language (catalog files are keyed by vi/en)."""
    entry = languages().get(code, {})
    return str(entry.get(current_language(), entry.get("en", code)))


def language(value: object) -> str:
    raw = nfc(value).lower()
    code = _language_spellings().get(raw)
    if code is None:
        close = difflib.get_close_matches(raw, _language_spellings(), n=3)
        raise FieldError("field.bad_language", value=raw, close=", ".join(close) or "vie, bru, hmn")
    return code


def language_list(value: object) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(language(item) for item in split_list(value)))
    if not codes:
        raise FieldError("field.empty")
    return codes


def text_list(value: object) -> tuple[str, ...]:
    return tuple(dict.fromkeys(split_list(value)))
