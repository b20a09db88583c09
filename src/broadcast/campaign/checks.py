"""Checks across records: things no single field can tell (duplicates, overlaps, coverage)."""

from __future__ import annotations

from collections import defaultdict

from broadcast.campaign.fields import language_name, languages
from broadcast.campaign.model import SETTINGS_FILE, Commune, Message, Workspace
from broadcast.errors import Problem


def cross_checks(ws: Workspace) -> list[Problem]:
    problems: list[Problem] = []
    problems += _campaign(ws)
    for message in ws.messages:
        problems += _message(ws, message)
    for commune in ws.communes:
        problems += _overlaps(commune)
    problems += _coverage(ws)
    return problems


def _campaign(ws: Workspace) -> list[Problem]:
    found = []
    campaign = ws.settings.campaign
    if campaign.start > campaign.end:
        found.append(Problem("workspace.campaign_dates", file=SETTINGS_FILE, record="campaign",
                             params={"start": campaign.start, "end": campaign.end}))
    if ws.settings.profile not in ws.profiles:
        found.append(Problem("workspace.unknown_profile", file=SETTINGS_FILE, field="profile",
                             params={"name": ws.settings.profile, "known": ", ".join(ws.profiles)}))
    return found


def _message(ws: Workspace, message: Message) -> list[Problem]:
    where = {"file": message.source.file, "line": message.source.line, "record": message.id}
    found = []
    tts = languages()[message.language].get("tts", False)
    if message.text is None and message.recording is None and tts:
        found.append(Problem("workspace.text_or_recording", **where))
    if message.awaiting_recording:
        found.append(Problem("workspace.awaiting_recording", severity="warning", **where,
                             params={"language": language_name(message.language)}))
    if message.valid_from and message.valid_until and message.valid_from > message.valid_until:
        found.append(Problem("workspace.validity_reversed", field="valid_until", **where,
                             params={"start": message.valid_from, "end": message.valid_until}))
    campaign = ws.settings.campaign
    if (message.valid_until and message.valid_until < campaign.start) or (
            message.valid_from and message.valid_from > campaign.end):
        found.append(Problem("workspace.validity_outside", severity="warning", **where,
                             params={"start": campaign.start, "end": campaign.end}))
    if message.profile and message.profile not in ws.profiles:
        found.append(Problem("workspace.unknown_profile", field="profile", **where,
                             params={"name": message.profile, "known": ", ".join(ws.profiles)}))
    return found


def _overlaps(commune: Commune) -> list[Problem]:
    where = {"file": commune.source.file, "line": commune.source.line, "record": commune.id}
    found = []
    for i, slot in enumerate(commune.slots):
        if slot.start_minute + slot.minutes > 24 * 60:
            found.append(Problem("workspace.slot_past_midnight", field="slots", **where,
                                 params={"slot": slot.name}))
        for other in commune.slots[i + 1:]:
            if slot.name == other.name:
                found.append(Problem("workspace.duplicate_slot", field="slots", **where,
                                     params={"slot": slot.name}))
            elif set(slot.weekdays) & set(other.weekdays) and (
                    slot.start_minute < other.start_minute + other.minutes
                    and other.start_minute < slot.start_minute + slot.minutes):
                found.append(Problem("workspace.slots_overlap", field="slots", **where,
                                     params={"a": slot.name, "b": other.name}))
    return found


def _coverage(ws: Workspace) -> list[Problem]:
    """Warn, once per language, where it is spoken with nothing ready to say in it, or said
    where nobody speaks it."""
    found = []
    ready = {m.language for m in ws.messages if not m.awaiting_recording}
    said = {m.language: m for m in reversed(ws.messages)}
    silent: dict[str, list[Commune]] = defaultdict(list)
    for commune in ws.communes:
        for lang in commune.languages:
            if lang not in ready:
                silent[lang].append(commune)
    for lang, communes in silent.items():
        first = communes[0].source
        found.append(Problem("workspace.language_no_content", severity="warning", file=first.file,
                             line=first.line, field="languages",
                             params={"language": language_name(lang), "count": len(communes),
                                     "communes": ", ".join(c.id for c in communes)}))
    spoken = {lang for commune in ws.communes for lang in commune.languages}
    for lang, message in said.items():
        if lang not in spoken:
            found.append(Problem("workspace.language_unheard", severity="warning",
                                 file=message.source.file, line=message.source.line,
                                 record=message.id, field="language",
                                 params={"language": language_name(lang)}))
    return found
