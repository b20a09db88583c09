"""Preparing a campaign: make one, check it, hear how a text will be read, read a clip's tags.
(Rendering and planning, which load the audio and speech machinery, are in ``produce``.)"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from broadcast.campaign import workspace as workspace_files
from broadcast.errors import InputError, Problem
from broadcast.operations.campaign import Campaign, find_optional
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
    """Every problem of the campaign's files at once (raises ``InputProblems`` on errors)."""
    ws = campaign.workspace
    return Checked(len(ws.messages), len(ws.communes), sum(1 for m in ws.messages if m.awaiting_recording),
                   campaign.warnings)


def spoken(text: str, workspace_option: str | None, *, explain: bool = False) -> list[str]:
    """The text as it will be spoken (one line), or with ``explain`` the rule or lexicon entry
    behind every change, then the spoken text. Inside a campaign its lexicon is used."""
    lexicon = textprep.builtin_lexicon()
    campaign = find_optional(workspace_option)
    if campaign is not None:
        try:
            ws = campaign.workspace
            lexicon = lexicon.extended(ws.lexicon_abbreviations, ws.lexicon_words)
        except InputError:
            if workspace_option:
                raise
            # A campaign with problems elsewhere still lets an editor check a script.
    if not explain:
        return [textprep.prepare(text, lexicon)]
    return list(textprep.explanation_lines(textprep.explain(text, lexicon), lexicon))


@dataclass(frozen=True)
class Tags:
    path: Path
    version: str | None
    """ID3 version ("2.3.0"), None when the file has no ID3 tag."""
    fields: dict[str, str]


def read_tags(paths: Sequence[Path]) -> list[Tags]:
    return [Tags(path, tags.version(path), tags.read(path)) for path in paths]
