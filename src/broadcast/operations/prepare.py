"""Preparing a campaign: make one, check it, hear how a text will be read, read a clip's tags.
(Rendering and planning, which load the audio and speech machinery, are in ``produce``.)"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from broadcast.campaign import encoding
from broadcast.campaign import workspace as workspace_files
from broadcast.errors import InputError, Problem
from broadcast.operations.campaign import Campaign, find_optional
from broadcast.plan import reach
from broadcast.progress import Notice, Reporter, quiet
from broadcast.sound import tags
from broadcast.speech import textprep


def init(folder: Path) -> Path:
    """A new campaign folder from the shipped sample; never over anything."""
    return workspace_files.init(folder)


@dataclass(frozen=True)
class Checked:
    messages: int
    communes: int
    waiting: int
    """Messages awaiting their recording."""
    warnings: list[Problem]


def check(campaign: Campaign) -> Checked:
    """Every problem of the campaign's files at once (raises ``InputProblems`` on errors), and
    the urgent messages some communes will never hear (their language is not spoken there)."""
    ws = campaign.workspace
    return Checked(len(ws.messages), len(ws.communes), sum(1 for m in ws.messages if m.awaiting_recording),
                   [*campaign.warnings, *reach.unreached(ws)])


def spoken(text: str | bytes, workspace_option: str | None, *, explain: bool = False,
           report: Reporter = quiet) -> list[str]:
    """The text as it will be spoken (one line), or with ``explain`` the rule or lexicon entry
    behind every change, then the spoken text. Inside a campaign its lexicon is used, whatever
    is wrong elsewhere in the campaign; a lexicon that cannot be used is said so (a notice)."""
    text = as_text(text)
    lexicon = textprep.builtin_lexicon()
    campaign = find_optional(workspace_option)
    if campaign is not None:
        tables, problems = workspace_files.lexicon_only(campaign.root)
        errors = [p for p in problems if p.is_error]
        if errors:
            report(Notice("spoken.lexicon_unusable", {"problem": errors[0].render(), "count": len(errors)}))
        else:
            lexicon = lexicon.extended(**tables)
    if not explain:
        return [textprep.prepare(text, lexicon)]
    return list(textprep.explanation_lines(textprep.explain(text, lexicon), lexicon))


def as_text(given: str | bytes) -> str:
    """Text given on the command line or piped in: UTF-8 (or the Windows code page), never
    binary data printed back as mojibake. Undecodable bytes in an argument arrive as lone
    surrogates; they are read back as the bytes they were."""
    if isinstance(given, str):
        if not any("\ud800" <= char <= "\udfff" for char in given):
            return unicodedata.normalize("NFC", given)
        given = given.encode("utf-8", "surrogateescape")
    try:
        text = encoding.decode(given, legacy=True)
    except encoding.NotText as exc:
        raise InputError("spoken.utf16" if exc.key == "encoding.utf16" else "spoken.not_text") from None
    if encoding.bad_characters(text):
        raise InputError("spoken.not_text")
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Tags:
    path: Path
    version: str | None
    """ID3 version ("2.3.0"), "" when the file has no ID3 tag."""
    fields: dict[str, str]
    error: InputError | None = None
    """Why the file's tags could not be read (it is no MP3, or its tags are damaged)."""


def read_tags(paths: Sequence[Path]) -> list[Tags]:
    """The tags of each file, or for a file that is no MP3 the error saying so."""
    found = []
    for path in paths:
        try:
            found.append(Tags(path, *tags.inspect(path)))
        except InputError as exc:
            found.append(Tags(path, None, {}, exc))
    return found
