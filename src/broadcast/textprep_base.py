"""What every text-preparation rule shares: the number patterns and a replacement that can say
what it replaced.

Rules replace text through :func:`sub` instead of ``pattern.sub``. Normally that is the same
call; inside :func:`recording` (``broadcast spoken --explain``) each replacement is also written
down as a :class:`Change`, so the explanation comes from the very code that prepares the text and
can never disagree with it. A replacement built from lexicon entries returns :func:`from_lexicon`,
a plain string that also carries the entries' names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

# A number written the Vietnamese way: "." groups thousands, "," is the decimal mark.
NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
# Not glued to letters, digits or other number punctuation: "H5N1", "COVID-19", "56/2020"
# and anything the rules did not recognise are left as written.
ALONE_BEFORE = r"(?<![\w.,/:])(?<!\w-)"
ALONE_AFTER = r"(?![\w]|[.,/:]\d)"
# Where a sentence or clause ends: what a number's context is looked for within.
SENTENCE_END = re.compile(r"[.!?;]\s|[.!?;]$|\n")

Entry = tuple[str, str]  # (lexicon table, key), e.g. ("abbreviations", "VSTBPN")


@dataclass(frozen=True)
class Change:
    """One replacement a rule made: the text it found, what it wrote, the lexicon entries used."""

    before: str
    after: str
    entries: tuple[Entry, ...] = ()


class _FromLexicon(str):
    entries: tuple[Entry, ...] = ()


def from_lexicon(text: str, *entries: Entry) -> str:
    """``text``, remembering which lexicon entries it was read from (for the explanation)."""
    spoken = _FromLexicon(text)
    spoken.entries = entries
    return spoken


_RECORD: ContextVar[list[Change] | None] = ContextVar("textprep_record", default=None)


def sub(pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str], text: str) -> str:
    """``pattern.sub(repl, text)``; inside :func:`recording`, each replacement is written down."""
    record = _RECORD.get()
    if record is None:
        return pattern.sub(repl, text)

    def traced(m: re.Match[str]) -> str:
        token = _RECORD.set(None)  # replacements made inside this one are part of it
        try:
            spoken = repl(m)
        finally:
            _RECORD.reset(token)
        if spoken != m[0]:
            record.append(_trimmed(m[0], str(spoken), getattr(spoken, "entries", ())))
        return spoken

    return pattern.sub(traced, text)


@contextmanager
def recording() -> Iterator[list[Change]]:
    """Collect the changes every :func:`sub` makes inside the ``with`` block."""
    changes: list[Change] = []
    token = _RECORD.set(changes)
    try:
        yield changes
    finally:
        _RECORD.reset(token)


_TOKENS = re.compile(r"\S+|\s+")


def _trimmed(before: str, after: str, entries: tuple[Entry, ...]) -> Change:
    # A rule may match its cue word with the number ("Tổng đài 111"); the explanation shows
    # only the part that changed ("111 → một một một").
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    while len(old) > 1 and len(new) > 1 and old[0] == new[0]:
        old, new = old[1:], new[1:]
    while len(old) > 1 and len(new) > 1 and old[-1] == new[-1]:
        old, new = old[:-1], new[:-1]
    return Change("".join(old).strip(), "".join(new).strip(), entries)


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the sentence holding ``text[start:end]`` begins and ends."""
    begin = 0
    for m in SENTENCE_END.finditer(text, 0, start):
        begin = m.end()
    after = SENTENCE_END.search(text, end)
    return begin, after.start() if after else len(text)
