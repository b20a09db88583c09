"""The translation layer: both catalogs say the same things, and every key the code uses exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from broadcast import i18n

SOURCE = Path(__file__).resolve().parents[1] / "src" / "broadcast"
# Literal keys handed to the translation layer or to an error: t("x.y"), t_in("vi", "x.y"),
# InputError("x.y", ...), Problem("x.y", ...), FieldError("x.y") …
USES = re.compile(r"""(?:\bt\(|\bt_in\([^,]+,\s*|Error\(|Problem\(|FieldError\()\s*"""
                  r"""["']([a-z_]+(?:\.[a-z0-9_]+)+)["']""")


def placeholders(text: str) -> set[str]:
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


def test_vietnamese_and_english_catalogs_have_the_same_keys():
    vi, en = i18n.catalog("vi"), i18n.catalog("en")
    assert sorted(set(vi) ^ set(en)) == []


@pytest.mark.parametrize("key", sorted(i18n.catalog("vi")))
def test_same_placeholders_in_both_languages(key):
    assert placeholders(i18n.catalog("vi")[key]) == placeholders(i18n.catalog("en")[key]), key


def used_keys() -> set[str]:
    found = set()
    for path in SOURCE.rglob("*.py"):
        found |= set(USES.findall(path.read_text(encoding="utf-8")))
    return {key for key in found if not key.endswith("_")}  # "sheet.day_" + weekday is built


def test_every_key_the_code_uses_is_in_the_catalogs():
    catalog = i18n.catalog("vi")
    missing = sorted(key for key in used_keys() if key not in catalog)
    assert missing == []
    assert len(used_keys()) > 100  # the scan itself works


def test_vietnamese_is_the_default_and_locale_decides_otherwise():
    assert i18n.detect_language({}) in ("vi", "en")
    assert i18n.detect_language({"LANG": "C.UTF-8"}) == "vi"
    assert i18n.detect_language({"LANG": "en_US.UTF-8"}) == "en"
    assert i18n.detect_language({"LANG": "en_US.UTF-8", "BROADCAST_LANG": "vi"}) == "vi"
