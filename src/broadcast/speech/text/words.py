"""Text-preparation rules for words and punctuation: typography, lines, lexicon abbreviations and
words, symbols, and the sentence tidying that closes the list (see ``textprep.RULES``)."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from broadcast.speech.text.base import from_lexicon, sub

if TYPE_CHECKING:
    from broadcast.speech.text.lexicon import Lexicon


def alternatives(keys: tuple[str, ...]) -> str:
    """A regex alternation of ``keys``, longest first, so "HIV/AIDS" wins over "HIV" and
    "BCH Đoàn" over "BCH"."""
    return "|".join(map(re.escape, sorted(keys, key=len, reverse=True)))


@cache
def whole_words(keys: tuple[str, ...], flags: int = 0) -> re.Pattern[str] | None:
    """Any of ``keys`` standing as a whole word; None when there are none. A key glued to
    another by "&" ("PCTT&TKCN") is not whole: the pair is read together."""
    return re.compile(rf"(?<![\w&])(?:{alternatives(keys)})(?![\w&])", flags) if keys else None


_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"',
                         "‘": "'", "’": "'", "‚": "'", "‛": "'", "−": "-"})


def tidy_typography(text: str, lexicon: Lexicon) -> str:
    """Curly and angle quotes become straight ones, which every engine treats alike, and the
    typographic minus "−" a hyphen, so one rule reads signs whichever was typed."""
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


_GLUED_PAIR = re.compile(r"(?<![\w&])([^\W\d_][\w-]*)&([^\W\d_][\w-]*)(?![\w&])")
_DASHED_PAIR = re.compile(r"(?<![\w&-])([^\W\d_]\w*)-([^\W\d_]\w*)(?![\w&-])")


def expand_abbreviations(text: str, lexicon: Lexicon) -> str:
    """Lexicon abbreviations, case-sensitive and whole-word: "UBND" → "Ủy ban nhân dân"; two
    known ones glued by "&" are read with "và": "BHYT&BHXH" → "bảo hiểm y tế và bảo hiểm xã hội"
    ("HN&GĐ" has an entry of its own, since "HN" alone is Hà Nội), and so are two joined by a
    dash: "PCTT-TKCN" → "phòng, chống thiên tai và tìm kiếm cứu nạn"; one glued to a number is
    read before it: "QL1A" → "quốc lộ 1A"."""
    table = lexicon.abbreviations
    pattern = whole_words(tuple(table))
    if pattern is None:
        return text

    def pair(m: re.Match[str]) -> str:
        if m[0] in table or m[1] not in table or m[2] not in table:
            return m[0]
        return from_lexicon(f"{table[m[1]]} và {table[m[2]]}",
                            ("abbreviations", m[1]), ("abbreviations", m[2]))

    # Pairs first: a dashed pair ("PCTT-TKCN") would otherwise be read as two words glued by
    # a dash; a pair with an entry of its own ("KT-XH", "HN&GĐ") is read from it.
    text = sub(_DASHED_PAIR, pair, text)
    text = sub(pattern, lambda m: from_lexicon(table[m[0]], ("abbreviations", m[0])), text)
    text = sub(_GLUED_PAIR, pair, text)

    def numbered(m: re.Match[str]) -> str:
        if m[1] not in table:
            return m[0]
        return from_lexicon(f"{table[m[1]]} {m[2]}", ("abbreviations", m[1]))

    return sub(_GLUED_NUMBER, numbered, text)


# A known abbreviation glued to a number, as road numbers are written: "QL1A" → "quốc lộ 1A"
# (the number is then read by the number rules). "H5N1" and "COVID-19" hold no abbreviation.
_GLUED_NUMBER = re.compile(r"(?<![\w&])([^\W\d_]+)(\d+[A-Z]?)(?![\w&])")


def fix_words(text: str, lexicon: Lexicon) -> str:
    """Lexicon words, case-insensitive and whole-word: "Hotline" → "đường dây nóng"."""
    folded = {key.casefold(): (key, value) for key, value in lexicon.words.items()}
    pattern = whole_words(tuple(lexicon.words), re.IGNORECASE)
    if pattern is None:
        return text
    return sub(pattern, lambda m: from_lexicon(folded[m[0].casefold()][1],
                                               ("words", folded[m[0].casefold()][0])), text)


_AMPERSAND = re.compile(r"\s+&\s*|\s*&\s+")  # glued codes ("GD&ĐT") are the lexicon's
_ELLIPSIS = re.compile(r"\s*(?:…|\.{2,})\s*(?=(\S?))")
# Comparison signs before a number, as notices write limits: "> 38°C", "≥ 18 tuổi".
_COMPARISONS = {">": "trên", "<": "dưới", "≥": "từ", "≤": "không quá", "~": "khoảng"}
_COMPARISON = re.compile(r"(?<![\w)])([><≥≤~])\s*(?=-?\d)")


def read_symbols(text: str, lexicon: Lexicon) -> str:
    """"&" between words → "và"; "> 38" → "trên 38"; an ellipsis becomes a pause: a period
    before a capital, else a comma."""
    text = sub(_AMPERSAND, lambda m: " và ", text)
    text = sub(_COMPARISON, lambda m: f"{_COMPARISONS[m[1]]} ", text)
    return _ELLIPSIS.sub(lambda m: ". " if m[1].isupper() else ", ", text)


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
