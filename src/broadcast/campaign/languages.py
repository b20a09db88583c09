"""Languages as people write them: ISO 639-3 codes, their aliases and their names
("Tiếng Việt", "H'Mông") → the code; a code → its name in the user's language."""

from __future__ import annotations

import difflib
from functools import cache
from importlib import resources

import yaml

from broadcast.campaign.fields import FieldError, nfc, split_list
from broadcast.i18n import current_language


@cache
def languages() -> dict[str, dict]:
    """ISO 639-3 code → names and whether speech synthesis exists for it."""
    return yaml.safe_load((resources.files("broadcast") / "data" / "languages.yaml").read_text("utf-8"))


@cache
def _language_spellings() -> dict[str, str]:
    """Codes, aliases, and the languages' names as people write them ("Tiếng Việt", "Khmer")."""
    spellings = {}
    for code, entry in languages().items():
        spellings[code] = code
        for alias in entry.get("aliases", ()):
            spellings[alias] = code
    for code, entry in languages().items():
        for name in (entry.get("vi"), entry.get("en")):
            if name:
                spelled = " ".join(str(name).lower().split())
                spellings.setdefault(spelled, code)
                spellings.setdefault(spelled.removeprefix("tiếng "), code)
    return spellings


def language_name(code: str) -> str:
    """The language's name in the user's language (catalog files are keyed by vi/en)."""
    entry = languages().get(code, {})
    return str(entry.get(current_language(), entry.get("en", code)))


def language(value: object) -> str:
    raw = " ".join(nfc(value).lower().split())
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
