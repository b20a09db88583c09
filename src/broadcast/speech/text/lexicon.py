"""The word lists text preparation reads: the built-in ones (``data/lexicon_vi.yaml``) and a
campaign's additions (``lexicon.yaml``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType

import yaml

TABLES = ("abbreviations", "words", "units", "document_types", "issuers")


@dataclass(frozen=True)
class Lexicon:
    """Word lists the rules read: abbreviations (case-sensitive), words (case-insensitive),
    units (read only right after a number), and the document types and issuers read only inside
    a document number. Keys and values are stored NFC-normalized."""

    abbreviations: Mapping[str, str]
    words: Mapping[str, str]
    units: Mapping[str, str] = field(default_factory=dict)
    document_types: Mapping[str, str] = field(default_factory=dict)
    issuers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in TABLES:
            table = {}
            for key, value in getattr(self, name).items():
                if not isinstance(key, str) or not isinstance(value, str) or not key:
                    raise TypeError(f"lexicon {name}: {key!r}: {value!r} is not text → text")
                table[nfc(key)] = nfc(value)
            object.__setattr__(self, name, MappingProxyType(table))

    def extended(self, abbreviations: Mapping[str, str] | None = None,
                 words: Mapping[str, str] | None = None,
                 units: Mapping[str, str] | None = None,
                 document_types: Mapping[str, str] | None = None,
                 issuers: Mapping[str, str] | None = None) -> Lexicon:
        """A copy with a workspace's additions; an addition overrides a built-in entry."""
        added = (abbreviations, words, units, document_types, issuers)
        return Lexicon(*({**getattr(self, name), **(extra or {})}
                         for name, extra in zip(TABLES, added, strict=True)))


@cache
def builtin_lexicon() -> Lexicon:
    """The lexicon shipped with broadcast (``data/lexicon_vi.yaml``)."""
    source = resources.files("broadcast") / "data" / "lexicon_vi.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    return Lexicon(*(data.get(name) or {} for name in TABLES))


def nfc(text: str) -> str:
    # Text pasted from Word may be decomposed; the lexicon and the patterns are composed.
    return unicodedata.normalize("NFC", text)
