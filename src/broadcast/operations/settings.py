"""The campaign's settings (``broadcast.yaml``) from a front end, and the choices a form offers:
languages, priorities, weekdays, engines, channels, profiles, slots, jingles and recordings.

Settings are addressed by dotted names (``campaign.start``, ``slots.sang.minutes``); each new
value is checked with the field's own parser before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from broadcast.campaign import fields, records
from broadcast.campaign.fields import FieldError
from broadcast.campaign.languages import language_name
from broadcast.campaign.languages import languages as known_languages
from broadcast.campaign.model import CHANNELS, ENGINES, PRIORITIES, SETTINGS_FILE, SLOT_TITLES, WEEKDAYS
from broadcast.campaign.workspace import builtin_profiles
from broadcast.errors import InputProblems, Problem
from broadcast.operations import yamledit
from broadcast.operations.campaign import Campaign
from broadcast.operations.editing import Checked, check_all

AUDIO_SUFFIXES = (".wav", ".mp3", ".m4a", ".ogg", ".oga", ".opus", ".flac", ".aac", ".wma")

EDITABLE = {
    "organization": records.settings_table(Path("."))["organization"],
    "language": records.settings_table(Path("."))["language"],
    "profile": records.settings_table(Path("."))["profile"],
    **{f"campaign.{k}": v for k, v in records.CAMPAIGN_TABLE.items()},
    "speech.engine": records.SPEECH_TABLE["engine"],
    "speech.rate": records.SPEECH_TABLE["rate"],
    **{f"schedule.{k}": records.SCHEDULE_TABLE[k] for k in ("fill", "jingle_every", "max_per_slot")},
    **{f"contact.{k}": v for k, v in records.CONTACT_TABLE.items()},
}
"""The settings the page edits, with the parser that checks each; slots are added per name."""
SLOT_ORDER = list(records.SLOT_TABLE)


@dataclass(frozen=True)
class Choices:
    languages: list[tuple[str, str, bool]]
    """(code, name in the reader's language, has speech synthesis)."""
    priorities: tuple[str, ...]
    weekdays: tuple[str, ...]
    engines: tuple[str, ...]
    channels: tuple[str, ...]
    profiles: list[str]
    slots: list[str]
    jingles: list[str]
    recordings: list[str]
    slot_titles: dict[str, str]
    """Slot code → the name operators use (its ``title``, else the usual name of a common code)."""

    @property
    def language_names(self) -> dict[str, str]:
        """Language code → its name in the reader's language."""
        return {code: name for code, name, _ in self.languages}


def choices(root: Path) -> Choices:
    """What the forms of the campaign at ``root`` offer to choose from."""
    settings = yamledit.read(root / SETTINGS_FILE, SETTINGS_FILE)
    named = settings.get("slots") if isinstance(settings, Mapping) else None
    own = settings.get("profiles") if isinstance(settings, Mapping) else None
    languages = [(code, language_name(code), bool(entry.get("tts")))
                 for code, entry in known_languages().items()]
    slots = {str(k): v for k, v in named.items()} if isinstance(named, Mapping) else {}
    titles = {code: str(v.get("title") or "") if isinstance(v, Mapping) else "" for code, v in slots.items()}
    return Choices(languages, PRIORITIES[::-1], WEEKDAYS, ENGINES, CHANNELS,
                   [*builtin_profiles(), *(own if isinstance(own, Mapping) else {})], list(slots),
                   _audio_files(root, "jingles"), _audio_files(root, "recordings"),
                   {code: title or SLOT_TITLES.get(code, code) for code, title in titles.items()})


def _audio_files(root: Path, folder: str) -> list[str]:
    where = root / folder
    if not where.is_dir():
        return []
    return sorted(p.relative_to(root).as_posix() for p in where.rglob("*")
                  if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES and not p.name.startswith("."))


def _settings_doc(root: Path) -> yamledit.Document:
    return yamledit.Document.load(root / SETTINGS_FILE, SETTINGS_FILE)


@dataclass(frozen=True)
class Settings:
    values: dict[str, object]
    """Dotted name → the value as written."""
    slots: dict[str, dict]
    digest: str


def read_settings(root: Path) -> Settings:
    data = yamledit.read(root / SETTINGS_FILE, SETTINGS_FILE)
    data = data if isinstance(data, Mapping) else {}
    values = {}
    for name in EDITABLE:
        head, _, tail = name.partition(".")
        value = data.get(head)
        if tail:
            value = value.get(tail) if isinstance(value, Mapping) else None
        values[name] = value
    slots = data.get("slots")
    shown = {str(k): dict(v) for k, v in slots.items() if isinstance(v, Mapping)} \
        if isinstance(slots, Mapping) else {}
    return Settings(values, shown, yamledit.digest(root / SETTINGS_FILE))


def save_settings(root: Path, values: Mapping[str, object], *, digest: str | None = None) -> Checked:
    """Set settings by dotted name (``slots.<name>.<field>`` for a slot; None removes a value),
    each checked by its field's parser first, then check the whole campaign again."""
    problems = [p for name, value in values.items() if value is not None
                for p in _problems(name, value)]
    if problems:
        raise InputProblems(problems)
    doc = _settings_doc(root)
    with Campaign(root).writing("ui"):
        for name, value in values.items():
            if name.startswith("slots.") and name.endswith(".start") and isinstance(value, str):
                value = fields.clock(value)  # written "06:00", in quotes, as the file asks
            _set(doc.data, name.split("."), value)
        doc.save(digest)
    return check_all(root)


def _problems(name: str, value: object) -> list[Problem]:
    parts = name.split(".")
    is_slot = parts[0] == "slots" and len(parts) == 3
    spec = records.SLOT_TABLE.get(parts[-1]) if is_slot else EDITABLE.get(name)
    if spec is None:
        return [Problem("ui.edit.unknown_setting", file=SETTINGS_FILE, field=name)]
    raw = value.strftime("%H:%M") if isinstance(value, dt.time) else value
    try:
        spec.parse(raw)
    except FieldError as exc:
        return [Problem(exc.key, file=SETTINGS_FILE, field=name, params=exc.params)]
    return []


def _set(data: object, path: list[str], value: object) -> None:
    node = data
    for i, part in enumerate(path[:-1]):
        if not isinstance(node.get(part), Mapping) and value is None:
            return
        # A new slot is a flow mapping on one line, like the sample's.
        node = yamledit.mapping_at(node, part, list(records.settings_table(Path("."))), flow=bool(i))
    order = {"slots": SLOT_ORDER, "contact": list(records.CONTACT_TABLE)}.get(
        path[0], list(records.settings_table(Path("."))))
    yamledit.update(node, {path[-1]: value}, order)
