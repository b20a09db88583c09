"""The translation layer: every user-facing sentence is looked up here by key.

Catalogs are YAML files under ``locales/<lang>/``, one file per part of the program, merged on
load; nested keys are joined with dots (``check.duplicate_id``). Vietnamese is the first language:
it is the default unless the user or the locale asks for English.
"""

from __future__ import annotations

import locale
import os
from functools import cache
from importlib import resources

import yaml

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

_current = DEFAULT_LANGUAGE


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat


def _load(text: str) -> object:
    # Every command reads the catalogs at start-up: libyaml's loader, where the wheel has it,
    # reads them several times faster than the pure-Python one.
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@cache
def catalog(lang: str) -> dict[str, str]:
    """All sentences of one language, keyed by dotted name."""
    merged: dict[str, str] = {}
    folder = resources.files("broadcast") / "locales" / lang
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            merged.update(_flatten(_load(entry.read_text(encoding="utf-8")) or {}))
    return merged


def detect_language(environ: dict[str, str] | None = None) -> str:
    """The language to speak: BROADCAST_LANG, else the locale, else Vietnamese."""
    env = os.environ if environ is None else environ
    wanted = env.get("BROADCAST_LANG", "").strip().lower()
    if wanted in LANGUAGES:
        return wanted
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(var, "")
        if value:
            return "en" if value.lower().startswith("en") else DEFAULT_LANGUAGE
    try:
        code = locale.getlocale()[0] or ""
    except ValueError:
        code = ""
    return "en" if code.lower().startswith("en") else DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    global _current
    _current = lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def current_language() -> str:
    return _current


def t(key: str, /, **params: object) -> str:
    """Translate ``key`` into the current language and fill in ``params``."""
    return t_in(_current, key, **params)


def t_in(lang: str, key: str, /, **params: object) -> str:
    """Translate into a given language: documents that travel to communes are in Vietnamese
    whatever language the person preparing them reads."""
    text = catalog(lang).get(key)
    if text is None:
        text = catalog(DEFAULT_LANGUAGE).get(key, key)
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError, ValueError):
        return f"{text} {params}"


@cache
def _click_catalog() -> dict[str, str]:
    path = resources.files("broadcast") / "locales" / "click_vi.yaml"
    return _load(path.read_text(encoding="utf-8")) or {}


def translate_msgid(msgid: str) -> str:
    """A sentence of the CLI library itself (keyed by its English text) in the current language."""
    if _current == "en":
        return msgid
    return _click_catalog().get(msgid, msgid)


def translate_plural(singular: str, plural: str, n: int) -> str:
    return translate_msgid(singular if n == 1 else plural)
