"""One speech choice per campaign: the voice chosen for the last render is the voice of the next.

``build --offline`` followed by ``usb COMMUNE E:\\`` once re-rendered every clip with the online
voice the settings name (no internet: a minute of retries, then failure; a slow link: voices
silently swapped inside a package). So the choice made with ``--offline`` or ``--online`` is
kept beside the clips (``build/speech.json``), and every later action that renders without
either flag uses it, and says so when it has to render anything with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from broadcast import fsio
from broadcast.operations.campaign import Campaign

CHOICE = Path("build") / "speech.json"


@dataclass(frozen=True)
class Voice:
    offline: bool
    remembered: bool
    """Taken from the last render rather than from a flag given now."""


def choose(campaign: Campaign, offline: bool | None) -> Voice:
    """``--offline`` (True) or ``--online`` (False) when given, else what the last render used,
    else online (each message's engine, else the campaign's)."""
    if offline is not None:
        return Voice(offline, False)
    try:
        kept = json.loads((campaign.root / CHOICE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return Voice(False, False)
    return Voice(bool(kept.get("offline")), True) if isinstance(kept, dict) else Voice(False, False)


def remember(campaign: Campaign, voice: Voice) -> None:
    """Keep a choice given by a flag for the actions that follow."""
    if not voice.remembered:
        fsio.write_text(campaign.root / CHOICE, json.dumps({"offline": voice.offline}) + "\n")
