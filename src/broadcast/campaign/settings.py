"""``broadcast.yaml``: the organization, the campaign, and the settings every record reads.

Whatever can be read is read even when other parts are wrong: the message and commune files are
checked with what the settings gave (the default language, the slot names, the folders
recordings may come from), so one run names every problem in every file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

from broadcast.campaign import fields as f
from broadcast.campaign import records
from broadcast.campaign.fields import FieldError
from broadcast.campaign.model import SETTINGS_FILE, Profile, RecordingRules, Settings, Slot
from broadcast.campaign.reader import Reader
from broadcast.campaign.yamlfile import LineMap

LONG_CAMPAIGN_DAYS = 366
"""A campaign longer than a year is more often a mistyped year than a plan."""


@dataclass
class SettingsRead:
    """What ``broadcast.yaml`` gave, as far as it could be read."""

    settings: Settings | None
    """None when a required part is missing or wrong (the problems say which)."""
    readable: bool = True
    """False when the file could not be read at all: what depends on it is not complained about."""
    language: str = "vie"
    recordings: RecordingRules = field(default_factory=RecordingRules)
    values: dict = field(default_factory=dict)
    line_of: Callable[[str], int | None] = lambda _key: None
    written: frozenset = frozenset()
    """The keys the file holds, good or not."""

    def get(self, key: str, default: object = None) -> object:
        return self.values.get(key, default)

    def judged(self, key: str) -> bool:
        """Whether names defined under ``key`` can be looked up: the file was read and the
        section is absent or good (a broken section was reported; lookups would only echo it)."""
        return self.readable and (key in self.values or key not in self.written)


def read_settings(reader: Reader) -> SettingsRead:
    """Read and check ``broadcast.yaml``; every problem goes to ``reader``."""
    raw = reader.yaml(SETTINGS_FILE)
    if SETTINGS_FILE in reader.broken:
        return SettingsRead(None, readable=False)
    if raw is None:  # empty, or comments only: every required field is then named as missing
        raw = LineMap()
    elif not isinstance(raw, LineMap):  # a list or a value: nothing in it can be judged
        reader.add("workspace.top_not_mapping", file=SETTINGS_FILE, line=getattr(raw, "line", None) or 1,
                   params={"key": "organization"})
        reader.broken.add(SETTINGS_FILE)
        return SettingsRead(None, readable=False)
    values = reader.record(raw, records.settings_table(reader.root), SETTINGS_FILE)
    line_of = raw.line_of

    def part(key: str, table: dict) -> dict:
        return reader.record(values.get(key, {}), table, SETTINGS_FILE, key, line_of(key))

    recordings = records.build_recordings(part("recordings", records.recordings_table(reader.root)))
    campaign = _campaign(reader, raw, values)
    parts = {
        "speech": records.build_speech(part("speech", records.SPEECH_TABLE)),
        "jingles": records.build_jingles({**part("jingles", records.jingles_table(reader.root,
                                                                                  recordings.folders)),
                                          "lines": _lines(values.get("jingles"), line_of("jingles"))}),
        "schedule": records.build_schedule(part("schedule", records.SCHEDULE_TABLE)),
        "signing": records.build_signing(part("signing", records.SIGNING_TABLE)),
        "contact": records.build_contact(part("contact", records.CONTACT_TABLE)),
    }
    settings = None
    if campaign is not None and "organization" in values:
        settings = Settings(organization=values["organization"], campaign=campaign,
                            language=values.get("language", "vie"),
                            profile=values.get("profile", "loudspeaker"), recordings=recordings, **parts)
    # A key written with no value ('slots:') holds nothing, which can be judged: it is not broken.
    return SettingsRead(settings, True, values.get("language", "vie"), recordings, values, line_of,
                        frozenset(k for k, v in raw.items() if v is not None))


def _lines(raw: object, line: int | None) -> dict[str, int]:
    if isinstance(raw, LineMap):
        return {str(key): raw.line_of(key) for key in raw}
    return {} if line is None else {key: line for key in ("station", "intro", "outro")}


def _campaign(reader: Reader, raw: LineMap, values: dict) -> records.Campaign | None:
    """The campaign record, its dates in order; a campaign of years is worth a second look."""
    line = raw.line_of("campaign") if "campaign" in raw else None
    if raw.get("campaign") is None:
        reader.add("workspace.campaign_missing", file=SETTINGS_FILE, line=line, field="campaign",
                   params={"parts": ", ".join(records.CAMPAIGN_TABLE)})
        return None
    given = values.get("campaign")
    if given is None:  # written, but not as 'name: value' lines: told already
        return None
    checked = reader.record(given, records.CAMPAIGN_TABLE, SETTINGS_FILE, "campaign", line)
    if set(records.CAMPAIGN_TABLE) - set(checked):
        return None
    campaign = records.build_campaign(checked)
    at = given.line_of("end") if isinstance(given, LineMap) else line
    if campaign.start > campaign.end:
        reader.add("workspace.campaign_dates", file=SETTINGS_FILE, line=at, record="campaign",
                   field="end", params={"start": campaign.start, "end": campaign.end})
        return None
    days = (campaign.end - campaign.start).days + 1
    if days > LONG_CAMPAIGN_DAYS:
        reader.add("workspace.campaign_long", file=SETTINGS_FILE, line=at, record="campaign", field="end",
                   severity="warning", params={"days": days, "start": campaign.start, "end": campaign.end})
    return campaign


@cache
def builtin_profiles() -> dict[str, Profile]:
    table = yaml.safe_load((resources.files("broadcast") / "data" / "profiles.yaml").read_text("utf-8"))
    return {name: Profile(name=name, **values) for name, values in table.items()}


def read_profiles(reader: Reader, raw: object) -> dict[str, Profile]:
    """The built-in profiles and the workspace's own (each based on another)."""
    profiles = dict(builtin_profiles())
    for name, spec in (raw or {}).items():
        line = raw.line_of(name) if isinstance(raw, LineMap) else None
        label = f"profiles.{name}"
        if not _good_name(reader, name, label, line):
            continue
        values = reader.record(spec, records.PROFILE_TABLE, SETTINGS_FILE, label, line)
        base = profiles.get(values.get("base", "loudspeaker"))
        if base is None:
            reader.add("workspace.unknown_profile", file=SETTINGS_FILE, line=line, record=label, field="base",
                       params={"name": values["base"], "known": ", ".join(profiles)})
            continue
        profiles[str(name)] = records.build_profile(str(name), base, values)
    return profiles


def _good_name(reader: Reader, name: object, label: str, line: int | None) -> bool:
    """Profile and slot names are codes (they are written in other files and name folders)."""
    try:
        f.ident(name)
    except FieldError as exc:
        reader.add(exc.key, file=SETTINGS_FILE, line=line, record=label, params=exc.params)
        return False
    return True


def slot(reader: Reader, raw: object, file: str, label: str | None, line: int | None) -> Slot | None:
    values = reader.record(raw, records.SLOT_TABLE, file, label, line)
    if {"name", "start", "minutes"} - set(values):
        return None
    return records.build_slot(values)


@dataclass
class NamedSlots:
    """The daily slots ``broadcast.yaml`` names, and every name it declares (a slot with an
    error is still declared: a commune naming it is not told it does not exist)."""

    slots: dict[str, Slot] = field(default_factory=dict)
    declared: set[str] = field(default_factory=set)
    known: bool = True
    """False when broadcast.yaml could not be read: no slot name can be judged."""


def read_named_slots(reader: Reader, raw: object, known: bool = True) -> NamedSlots:
    named = NamedSlots(known=known)
    seen: dict[str, str] = {}
    for name, spec in (raw or {}).items():
        line = raw.line_of(name) if isinstance(raw, LineMap) else None
        named.declared.add(str(name))
        label = f"slots.{name}"
        if not _good_name(reader, name, label, line):
            continue
        if str(name).casefold() in seen:  # folder names like 1511_sang: one folder on FAT
            reader.add("workspace.slot_case", file=SETTINGS_FILE, line=line, record=label,
                       params={"other": seen[str(name).casefold()]})
        seen[str(name).casefold()] = str(name)
        if isinstance(spec, dict):  # the key is the slot's name
            lines = getattr(spec, "lines", {})
            spec = LineMap({**spec, "name": name})
            spec.lines.update(lines)
            spec.line = line or 0
        found = slot(reader, spec, SETTINGS_FILE, label, line)
        if found:
            named.slots[str(name)] = found
    return named
