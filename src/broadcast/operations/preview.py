"""Hearing one message before building: render just its clip, and tell each message's state
(its clip ready for the current text and settings, changed since, or awaiting a recording)."""

from __future__ import annotations

from pathlib import Path

from broadcast.errors import InputError
from broadcast.operations import voice
from broadcast.operations.campaign import Campaign
from broadcast.operations.produce import clip_reporter
from broadcast.progress import Reporter, quiet
from broadcast.sound import render as renderer
from broadcast.sound.cache import Store
from broadcast.sound.render import ClipResult

READY, CHANGED, AWAITING = "ready", "changed", "awaiting"


def clip_states(campaign: Campaign) -> dict[str, str]:
    """Message id → ``ready`` (a clip made from exactly its current inputs exists, with either
    voice), ``changed`` (it must be rendered) or ``awaiting`` (a recording)."""
    ws = campaign.workspace
    states: dict[str, str] = {}
    voices = (False,) if ws.settings.speech.engine == "espeak" else (False, True)
    for offline in voices:
        for job in renderer.plan(ws, offline=offline):
            made = Store(job.cache_root / "clips").get(job.clip_key, ".mp3") is not None
            if made and job.output.is_file():
                states[job.message_id] = READY
            else:
                states.setdefault(job.message_id, CHANGED)
    for message in ws.messages:
        if message.awaiting_recording:
            states[message.id] = AWAITING
    return states


def preview_clip(campaign: Campaign, message_id: str, *, offline: bool | None = None,
                 report: Reporter = quiet) -> ClipResult:
    """Render (or reuse) the clip of one message into ``build/clips/``, as ``render`` would:
    with the campaign's speech choice unless ``offline`` says otherwise (``voice``), so the
    build that follows reuses it, and a campaign made offline is never heard through Google."""
    chosen = voice.choose(campaign, offline).offline
    with campaign.writing("render"):
        jobs = [j for j in renderer.plan(campaign.workspace, offline=chosen) if j.message_id == message_id]
        if not jobs:
            raise InputError("ui.preview.nothing", id=message_id)
        results, failures = renderer.render(jobs, workers=1, progress=clip_reporter(report, 1))
    if failures:
        raise failures[0].error
    return results[0]


def clip_file(campaign: Campaign, message_id: str) -> Path:
    """The rendered clip of a message, for playing in the page; only a real message's."""
    if message_id not in {m.id for m in campaign.workspace.messages}:
        raise InputError("ui.edit.no_record", record=message_id)
    path = campaign.root / renderer.CLIPS_DIR / f"{message_id}.mp3"
    if not path.is_file():
        raise InputError("ui.preview.not_made", id=message_id)
    return path
