"""Checks across records: things no single field can tell (overlaps, names used elsewhere,
coverage)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from broadcast.campaign.languages import language_name
from broadcast.campaign.model import SETTINGS_FILE, WEEKDAYS, Commune, Message, Profile, Workspace
from broadcast.errors import Problem
from broadcast.i18n import current_language


def cross_checks(ws: Workspace) -> list[Problem]:
    """What needs the whole, valid workspace: validity against the campaign, and coverage."""
    problems: list[Problem] = []
    for message in ws.messages:
        problems += _within_campaign(ws, message) + _on_no_slot_day(ws, message)
    problems += _coverage(ws)
    return problems


def _on_no_slot_day(ws: Workspace, message: Message) -> list[Problem]:
    """A message whose weekdays no slot of any commune hearing its language has: it would be
    listed everywhere and played nowhere."""
    hearing = [c for c in ws.communes if message.language in c.languages]
    days = {day for c in hearing for slot in c.slots for day in slot.weekdays}
    if not hearing or message.awaiting_recording or days & set(message.weekdays):
        return []
    return [Problem("workspace.never_plays", severity="warning", file=message.source.file,
                    line=message.source.line, record=message.id, field="weekdays",
                    params={"days": _spelled(message.weekdays),
                            "slot_days": _spelled(d for d in WEEKDAYS if d in days)})]


_VIETNAMESE_DAYS = dict(zip(WEEKDAYS, ("t2", "t3", "t4", "t5", "t6", "t7", "cn"), strict=True))


def _spelled(days: Iterable[str]) -> str:
    """Weekdays as the reader writes them: t2…cn in Vietnamese, mon…sun in English."""
    vietnamese = current_language() == "vi"
    return ", ".join(_VIETNAMESE_DAYS[d] if vietnamese else d for d in days)


def profile_names(messages: Iterable[Message], profiles: Mapping[str, Profile], default: object,
                  line_of: Callable[[str], int | None]) -> list[Problem]:
    """The default profile and every message's profile must exist."""
    known = ", ".join(profiles)
    found = []
    if default is not None and default not in profiles:
        found.append(Problem("workspace.unknown_profile", file=SETTINGS_FILE, line=line_of("profile"),
                             field="profile", params={"name": default, "known": known}))
    for message in messages:
        if message.profile and message.profile not in profiles:
            found.append(Problem("workspace.unknown_profile", file=message.source.file,
                                 line=message.source.line, record=message.id, field="profile",
                                 params={"name": message.profile, "known": known}))
    return found


def _within_campaign(ws: Workspace, message: Message) -> list[Problem]:
    campaign = ws.settings.campaign
    if (message.valid_until and message.valid_until < campaign.start) or (
            message.valid_from and message.valid_from > campaign.end):
        return [Problem("workspace.validity_outside", severity="warning", file=message.source.file,
                        line=message.source.line, record=message.id,
                        params={"start": campaign.start, "end": campaign.end})]
    return []


def overlaps(commune: Commune) -> list[Problem]:
    """Slots of one commune past midnight, listed twice, or overlapping on a day."""
    where = {"file": commune.source.file, "line": commune.source.line, "record": commune.id}
    found = []
    for i, slot in enumerate(commune.slots):
        if slot.start_minute + slot.minutes > 24 * 60:
            found.append(Problem("workspace.slot_past_midnight", field="slots", **where,
                                 params={"slot": slot.name}))
        for other in commune.slots[i + 1:]:
            if slot.name.casefold() == other.name.casefold():
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
