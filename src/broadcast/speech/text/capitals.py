"""Text typed in capitals, lowered before the other rules read it (see ``textprep.RULES``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from broadcast.speech.text import vinumber as vn
from broadcast.speech.text.words import whole_words

if TYPE_CHECKING:
    from broadcast.speech.text.lexicon import Lexicon

# Text typed all in capitals ("UBND XÃ THÔNG BÁO: TỪ NGÀY 15/11…") is lowered word by word
# before any rule reads it, so that every rule finds its context words ("ngày", "tháng", "thứ")
# and no engine spells a shouted word. A word stays as typed when it is a lexicon abbreviation,
# a Roman numeral, glued to a code ("135/QĐ-TTg", "HN&GĐ") or cannot be a Vietnamese syllable
# (an unknown abbreviation: "DPT", "YAGI"). A run needs two such syllables: a capitalised word
# in mixed text ("Chị X", "khóa XV HĐND") is left alone.
_VOWELS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
_SYLLABLE = re.compile(rf"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
                       rf"[{_VOWELS}]{{1,3}}(?:ch|ng|nh|[cmnpt])?")
_LETTERS = re.compile(r"[^\W\d_]+")
_ROMAN_LIKE = re.compile(r"[IVXLC]+")
# Roman numerals that are also syllables ("VI PHẠM", "XI MĂNG") are numerals only where no word
# follows ("CHƯƠNG VI.") or after "THỨ" ("KỲ HỌP THỨ VI HĐND"): "thứ vi…" is no word.
_SYLLABLE_NUMERALS = ("VI", "XI", "LI")
_WORD_NEXT = re.compile(r"[ \t]+[^\W\d_]")
_AFTER_THU = re.compile(r"(?i)(?<!\w)thứ\s+$")


def lower_capitals(text: str, lexicon: Lexicon) -> str:
    """Runs of two or more words in capitals are lowered, except abbreviations, numerals and
    codes: "LỊCH TIÊM CHỦNG THÁNG 4" → "lịch tiêm chủng tháng 4" (read "tháng tư" after)."""
    kept = _abbreviation_spans(text, lexicon)
    chars = list(text)
    for run in _capital_runs(text):
        words = [w for w in run if not any(a <= w.start() < b for a, b in kept)]
        # Abbreviations and numerals side by side ("khóa XV HĐND") are no shouted text.
        if sum(1 for w in words if _is_syllable(w[0])) < 2:
            continue
        for w in words:
            if _lowerable(w):
                chars[w.start():w.end()] = w[0].lower()
    return "".join(chars)


def _capital_runs(text: str) -> list[list[re.Match[str]]]:
    # Words in capitals one after the other, with no word in lower case between them.
    runs: list[list[re.Match[str]]] = [[]]
    for w in _LETTERS.finditer(text):
        if w[0].isupper():
            runs[-1].append(w)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if len(run) > 1]


def _is_syllable(word: str) -> bool:
    return not (_ROMAN_LIKE.fullmatch(word) and vn.roman_value(word)) and bool(
        _SYLLABLE.fullmatch(word.lower()))


def _abbreviation_spans(text: str, lexicon: Lexicon) -> list[tuple[int, int]]:
    pattern = whole_words(tuple(lexicon.abbreviations))
    return [m.span() for m in pattern.finditer(text)] if pattern else []


def _lowerable(w: re.Match[str]) -> bool:
    text, start, end = w.string, w.start(), w.end()
    compound = _compound_at(text, start)
    if any(c.isdigit() for c in compound):
        return bool(_CLOCK_CAPS.fullmatch(compound))  # "7H30"; "H5N1", "QL1A" are codes
    if compound != w[0]:  # "ĐỒNG/HỘ" are words; "QĐ-TTg", "HN&GĐ", "NQ/TW" are codes
        return all(_SYLLABLE.fullmatch(part.lower()) for part in _LETTERS.findall(compound))
    if _ROMAN_LIKE.fullmatch(w[0]) and vn.roman_value(w[0]):
        return (w[0] in _SYLLABLE_NUMERALS and bool(_WORD_NEXT.match(text, end))
                and not _AFTER_THU.search(text, 0, start))
    return bool(_SYLLABLE.fullmatch(w[0].lower()))


_COMPOUND = re.compile(r"[\w/&+-]+")
_CLOCK_CAPS = re.compile(r"\d{1,2}(?:H|G)\d{0,2}(?:P|PH)?")


def _compound_at(text: str, start: int) -> str:
    # The word with whatever is glued to it by "/", "&", "-" or digits.
    begin = start
    while begin and (text[begin - 1].isalnum() or text[begin - 1] in "_/&+-"):
        begin -= 1
    m = _COMPOUND.match(text, begin)
    return m[0].strip("/&+-") if m else ""
