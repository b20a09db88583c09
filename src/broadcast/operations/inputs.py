"""The checks of a campaign that need the floors above its files: text preparation (a text with
nothing left to speak) and the sound (every recording and jingle probed). Every action opens its
campaign through ``load``, so nothing ``check`` refuses is ever rendered, and ``check`` answers
everything ``render`` would find out later, at once."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

from broadcast.campaign import workspace as workspace_files
from broadcast.campaign.model import Message, Workspace
from broadcast.errors import InputProblems, Problem
from broadcast.sound import probe
from broadcast.speech import textprep


def load(root: Path) -> tuple[Workspace, list[Problem]]:
    """The campaign at ``root`` and its warnings; ``InputProblems`` with every problem of every
    file, recordings included, when anything is wrong."""
    found = workspace_files.read(root)
    problems = [*found.problems,
                *unspeakable(found.messages, found.lexicon),
                *probe.media_problems(found.root, found.messages, found.jingles, found.recordings)]
    if found.workspace is None or any(p.is_error for p in problems):
        raise InputProblems(problems)
    return found.workspace, problems


def unspeakable(messages: Iterable[Message], lexicon: Mapping[str, Mapping[str, str]]) -> list[Problem]:
    """Texts that text preparation leaves with no letter or digit (only punctuation, symbols,
    emoji): the clip would be a chime and silence."""
    tables = tuple(sorted((name, tuple(sorted(table.items()))) for name, table in lexicon.items()))
    found = []
    for message in messages:
        if message.text is None or message.recording is not None or message.awaiting_recording:
            continue
        where = {"file": message.source.file, "line": message.source.line, "record": message.id,
                 "field": "text"}
        if _only_addresses(message.text):
            found.append(Problem("workspace.only_address", **where))
        elif not _speakable(message.text, tables):
            found.append(Problem("workspace.nothing_to_say", **where))
    return found


_ADDRESS = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[\w-]+(?:\.[\w-]+)*"
                      r"\.(?:vn|com|net|org|gov|edu|info)(?:/\S*)?", re.IGNORECASE)
"""A web or e-mail address: read aloud letter by letter, it tells a listener nothing."""


def _only_addresses(text: str) -> bool:
    """Whether the text is nothing but addresses (a link pasted where the script belongs)."""
    if not _ADDRESS.search(text):
        return False
    rest = _ADDRESS.sub(" ", text)
    return not any(unicodedata.category(char)[0] in "LN" for char in rest)


@functools.lru_cache(maxsize=4096)
def _speakable(text: str, tables: tuple) -> bool:
    """Whether the prepared text holds a letter or digit; remembered, since every action opens
    the campaign and the texts rarely change between two."""
    spoken = textprep.prepare(text, textprep.builtin_lexicon().extended(**{k: dict(v) for k, v in tables}))
    return any(unicodedata.category(char)[0] in "LN" for char in spoken)
