"""Text preparation: a message's text → the text exactly as it will be spoken.

An ordered list of small ``(text, lexicon) -> text`` rules (``RULES``). Synthesizers spell out
official abbreviations letter by letter, read "1.500" as one-point-five, hotlines as amounts and
Roman numerals in English, so every abbreviation, number, date, time, phone and document number
is written out in words here, read by what it *is*: a hotline digit by digit, a document number
as officials read it, a month or an ordinal by its own name. An editor checks the result with
``broadcast spoken`` and sees which rule or lexicon entry changed what with ``--explain``.

The rules live by subject in ``text/capitals`` (text typed in capitals), ``text/words``
(abbreviations, symbols, sentences), ``text/documents`` (document numbers, Roman numerals),
``text/numbers`` (phones, signs, quantities) and ``text/dates`` (dates, times, ordinals,
lists). The word lists live in
``data/lexicon_vi.yaml`` (``text/lexicon``); a workspace extends them per campaign
(``Lexicon.extended``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from broadcast.i18n import t
from broadcast.speech.text.base import Change, recording
from broadcast.speech.text.capitals import lower_capitals
from broadcast.speech.text.dates import (
    read_dates,
    read_fractions,
    read_ordinals,
    read_round_the_clock,
    read_times,
)
from broadcast.speech.text.documents import read_document_numbers, read_roman_numerals
from broadcast.speech.text.lexicon import Lexicon, builtin_lexicon, nfc
from broadcast.speech.text.numbers import (
    read_numbers,
    read_per_slashes,
    read_percentages,
    read_phone_numbers,
    read_ranges,
    read_signs,
    read_units,
)
from broadcast.speech.text.words import (
    expand_abbreviations,
    finish_sentences,
    fix_words,
    join_lines,
    read_symbols,
    tidy_typography,
)


def prepare(text: str, lexicon: Lexicon | None = None) -> str:
    """The text as it will be spoken: NFC-normalized, then every rule of ``RULES`` in order."""
    lexicon = lexicon or builtin_lexicon()
    text = nfc(text)
    for rule in RULES:
        text = rule(text, lexicon)
    return text


@dataclass(frozen=True)
class Step:
    """One change of an explanation: the rule that made it and what it replaced."""

    rule: str
    change: Change


@dataclass(frozen=True)
class Explanation:
    """What ``prepare`` made of a text, and every change on the way, in the order made."""

    spoken: str
    steps: tuple[Step, ...]


def explain(text: str, lexicon: Lexicon | None = None) -> Explanation:
    """Prepare ``text`` as :func:`prepare` does, writing down each replacement of each rule.
    Changes of case, spacing or punctuation only (sentence tidying) are left out."""
    lexicon = lexicon or builtin_lexicon()
    text, steps = nfc(text), []
    for rule in RULES:
        with recording() as changes:
            text = rule(text, lexicon)
        steps += [Step(rule.__name__, c) for c in changes if _letters(c.before) != _letters(c.after)]
    return Explanation(text, tuple(steps))


def _letters(text: str) -> str:
    return re.sub(r"\W", "", text).casefold()


def explanation_lines(explanation: Explanation, lexicon: Lexicon | None = None) -> list[str]:
    """The explanation as lines for an editor: one per change, then the spoken text. An entry
    that differs from the built-in lexicon is named as the workspace's (lexicon.yaml)."""
    lexicon = lexicon or builtin_lexicon()
    lines = [t("textprep.explain.change", before=s.change.before, after=s.change.after,
               source=_source(s, lexicon)) for s in explanation.steps]
    if not lines:
        lines.append(t("textprep.explain.unchanged"))
    lines.append(t("textprep.explain.spoken", text=explanation.spoken))
    return lines


# Rules whose every change is a lexicon entry: the entry says it all.
_LEXICON_RULES = ("expand_abbreviations", "fix_words", "read_units")


def _source(step: Step, lexicon: Lexicon) -> str:
    entries = step.change.entries
    what = {"name": step.rule, "what": t(f"textprep.rule.{step.rule}")}
    if not entries:
        return t("textprep.explain.rule", **what)
    keys = ", ".join(key for _, key in entries)
    builtin = builtin_lexicon()
    if any(getattr(builtin, table).get(key) != getattr(lexicon, table).get(key)
           for table, key in entries):
        return t("textprep.explain.workspace", keys=keys)
    if step.rule in _LEXICON_RULES:
        return t("textprep.explain.lexicon", keys=keys)
    return t("textprep.explain.rule_and_lexicon", keys=keys, **what)


Rule = Callable[[str, Lexicon], str]

# The order matters: typography and lines first, then text in capitals lowered (so every later
# rule finds its context words); document numbers before abbreviations (their codes hold "UBND",
# "CP"…); abbreviations and words before any number (so "SĐT" and "hotline"
# become phone cues, "BCH" a context); phones before ranges (their dashes are not ranges);
# "24/7" and fractions before dates; ranges before signs (a dash between numbers is "đến", one before a
# number is "âm"); dates, times, units, "per" slashes, percentages and ordinals before plain
# numbers.
RULES: list[Rule] = [
    tidy_typography, join_lines, lower_capitals, read_document_numbers, expand_abbreviations, fix_words,
    read_symbols, read_roman_numerals, read_phone_numbers, read_round_the_clock, read_fractions,
    read_ranges, read_signs, read_dates, read_times, read_units, read_per_slashes,
    read_percentages, read_ordinals, read_numbers, finish_sentences,
]
