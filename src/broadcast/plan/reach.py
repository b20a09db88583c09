"""Who an urgent message reaches: a priority or emergency message in one language never plays in
a commune that does not speak it, and the office must hear that before the day it matters."""

from __future__ import annotations

from broadcast.campaign.languages import language_name
from broadcast.campaign.model import Workspace
from broadcast.errors import Problem

URGENT = ("priority", "emergency")
_SHOWN = 5


def unreached(ws: Workspace) -> list[Problem]:
    """One warning per urgent message that some communes will hear and others, which do not
    speak its language, never will."""
    found = []
    for message in ws.messages:
        if message.priority not in URGENT or message.awaiting_recording:
            continue
        missed = [c for c in ws.communes if message.language not in c.languages]
        if not missed or len(missed) == len(ws.communes):  # nobody: "no_airtime" says so already
            continue
        spoken = sorted({lang for c in missed for lang in c.languages})
        shown = ", ".join(c.id for c in missed[:_SHOWN]) + (", …" if len(missed) > _SHOWN else "")
        found.append(Problem(f"schedule.unreached.{message.priority}", file=message.source.file,
                             line=message.source.line, record=message.id, field="language",
                             severity="warning", params={
                                 "language": language_name(message.language), "count": len(missed),
                                 "communes": shown,
                                 "spoken": ", ".join(language_name(lang) for lang in spoken)}))
    return found
