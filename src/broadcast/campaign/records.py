"""What each kind of workspace record may hold: field tables, and builders from checked fields.

The tables are the single source of truth for the workspace format: the checker rejects any field
not listed here, and the README documents exactly these.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from broadcast.campaign import fields as f
from broadcast.campaign.fields import Field, FieldError
from broadcast.campaign.languages import language, language_list
from broadcast.campaign.model import (
    ENGINES,
    Campaign,
    Commune,
    Contact,
    Jingles,
    Message,
    Profile,
    RecordingRules,
    ScheduleRules,
    SigningSettings,
    Slot,
    Source,
    SpeechSettings,
)


def engine(value: object) -> str:
    name = f.nfc(value).lower()
    if name not in ENGINES:
        raise FieldError("field.bad_choice", value=name, choices=", ".join(ENGINES))
    return name


def _written_path(value: object) -> Path:
    if isinstance(value, bool):  # recording: true names no file
        raise FieldError("field.not_text_flag", value=str(value).lower())
    raw = f.nfc(value)
    if os.sep == "/" and "\\" in raw:  # written on Windows: recordings\bru.mp3
        raw = raw.replace("\\", "/")
    return Path(raw).expanduser()


def existing_file(root: Path) -> Callable[[object], Path]:
    """A file named relative to the workspace (or absolute) that must exist."""
    def parse(value: object) -> Path:
        written = _written_path(value)
        path = written if written.is_absolute() else root / written
        if path.is_dir():
            raise FieldError("field.is_folder", value=f.nfc(value))
        if not path.is_file():
            raise FieldError("field.file_not_found", value=f.nfc(value))
        return path
    return parse


_FOREIGN_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\|//)")
"""A path absolute on another system: C:\\Thu-am\\a.mp3, \\\\may-chu\\chung (a share)."""


def media_file(root: Path, folders: Sequence[Path] = ()) -> Callable[[object], Path]:
    """A recording or jingle: an existing file inside the campaign folder (it travels with it),
    written from the campaign folder, or inside one of the folders the settings allow
    (``recordings: {folders: [...]}``). A symbolic link counts where it leads."""
    must_exist = existing_file(root)
    inside = root.resolve()
    allowed = [inside, *(p.resolve() for p in folders)]

    def parse(value: object) -> Path:
        written = _written_path(value)
        if _FOREIGN_ABSOLUTE.match(f.nfc(value)) and not written.is_absolute():
            raise FieldError("field.outside_workspace", value=f.nfc(value))
        path = (written if written.is_absolute() else root / written).resolve()
        if not any(path.is_relative_to(folder) for folder in allowed):
            raise FieldError("field.outside_workspace", value=f.nfc(value))
        outside_folders = not any(path.is_relative_to(p.resolve()) for p in folders)
        if written.is_absolute() and path.is_relative_to(inside) and outside_folders:
            raise FieldError("field.absolute_path", value=f.nfc(value),
                             relative=path.relative_to(inside).as_posix())
        return must_exist(value)
    return parse


def optional_file(root: Path, folders: Sequence[Path] = ()) -> Callable[[object], Path | None]:
    """Like ``media_file``, but ``none`` switches a default jingle off for one message."""
    must_exist = media_file(root, folders)

    def parse(value: object) -> Path | None:
        if value is False or f.nfc(value).lower() in ("none", "không"):
            return None
        return must_exist(value)
    return parse


def message_table(root: Path, folders: Sequence[Path] = ()) -> dict[str, Field]:
    return {
        "id": Field(f.ident, required=True),
        "title": Field(f.line, required=True),
        "topics": Field(f.text_list, shape="list"),
        "language": Field(language),
        "priority": Field(f.priority),
        "valid_from": Field(f.date),
        "valid_until": Field(f.date),
        "weekdays": Field(f.weekdays, shape="list"),
        "repeat": Field(f.integer(1, 5)),
        "weight": Field(f.number(0.1, 100)),
        "text": Field(f.text, blank_ok=False),
        "recording": Field(media_file(root, folders)),
        "engine": Field(engine),
        "voice": Field(f.nfc),
        "speaker": Field(f.line),
        "profile": Field(f.ident),
        "intro": Field(optional_file(root, folders)),
        "outro": Field(optional_file(root, folders)),
        "comment": Field(f.nfc),
    }


SLOT_TABLE = {
    "name": Field(f.ident, required=True),
    "start": Field(f.clock, required=True),
    "minutes": Field(f.integer(1, 240), required=True),
    "weekdays": Field(f.weekdays, shape="list"),
    "fill": Field(f.number(0.05, 1.0)),
    "title": Field(f.line),
}

CONTACT_TABLE = {
    "person": Field(f.line),
    "phone": Field(f.plain),
    "email": Field(f.line),
}

SCHEDULE_TABLE = {
    "fill": Field(f.number(0.05, 1.0)),
    "jingle_every": Field(f.integer(0, 50)),
    "jingle_at_start": Field(f.flag),
    "gap_seconds": Field(f.number(0, 30)),
    "max_per_slot": Field(f.integer(1, 20)),
    "mixdown": Field(f.flag),
}

COMMUNE_TABLE_BASE = {
    "id": Field(f.ident, required=True),
    "name": Field(f.line, required=True),
    "province": Field(f.line, required=True),
    "district": Field(f.line),
    "languages": Field(language_list, required=True, shape="list"),
    "slots": Field(lambda value: value, required=True, shape="items"),
    "channel": Field(f.channel),
    "comment": Field(f.nfc),
}

def _key_path(value: object) -> Path:
    return Path(f.nfc(value)).expanduser()


def _moment(value: object) -> str:
    """An expiry as written: a date (2026-12-31) or a date and time; checked by the signer."""
    text = f.nfc(value)
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        raise FieldError("field.bad_date", value=text) from None
    return text


SIGNING_TABLE = {
    "key": Field(_key_path),
    "expires": Field(_moment),
}

CAMPAIGN_TABLE = {
    "id": Field(f.ident, required=True),
    "name": Field(f.line, required=True),
    "start": Field(f.date, required=True),
    "end": Field(f.date, required=True),
}

SPEECH_TABLE = {
    "engine": Field(engine),
    "voice": Field(f.nfc),
    "rate": Field(f.number(0.5, 2.0)),
}

PROFILE_TABLE = {
    "base": Field(f.ident),
    "sample_rate": Field(f.integer(8000, 48000)),
    "channels": Field(f.integer(1, 2)),
    "highpass_hz": Field(f.number(0, 1000)),
    "target_lufs": Field(f.number(-40, -5)),
    "true_peak_dbtp": Field(f.number(-12, 0)),
    "bitrate_kbps": Field(f.integer(32, 320)),
    "tempo": Field(f.number(0.5, 2.0)),
    "recording_tempo": Field(f.number(0.5, 2.0)),
    "lead_in_ms": Field(f.integer(0, 10000)),
    "lead_out_ms": Field(f.integer(0, 10000)),
    "repeat_gap_ms": Field(f.integer(0, 30000)),
    "silence_threshold_db": Field(f.number(-90, -10)),
}


MESSAGE_SUFFIXES = (".yaml", ".yml", ".csv", ".xlsx")


def _file_name(suffixes: tuple[str, ...]) -> Callable[[object], str]:
    """A file name the settings list: one of the kinds broadcast reads, inside the campaign
    folder (the campaign's own records travel with it to another computer)."""
    def parse(value: object) -> str:
        name = f.nfc(value)
        if not name.lower().endswith(suffixes):
            key = "field.old_excel" if name.lower().endswith((".xls", ".ods")) else "field.bad_file_kind"
            raise FieldError(key, value=name, kinds=", ".join(suffixes))
        written = _written_path(name)
        if written.is_absolute() or _FOREIGN_ABSOLUTE.match(name) or ".." in written.parts:
            raise FieldError("field.record_file_outside", value=name)
        return written.as_posix()
    return parse


def _message_files(value: object) -> tuple[str, ...]:
    names = tuple(_file_name(MESSAGE_SUFFIXES)(name) for name in f.split_list(value))
    if not names:
        raise FieldError("field.empty")
    seen: set[str] = set()
    for name in names:  # read twice, every message would collide with itself
        if name.casefold() in seen:
            raise FieldError("field.file_listed_twice", value=name)
        seen.add(name.casefold())
    return names


def _mapping(value: object) -> object:
    return value


def settings_table(root: Path) -> dict[str, Field]:
    return {
        "organization": Field(f.line, required=True),
        "campaign": Field(_mapping, shape="mapping"),  # required: settings names its parts
        "language": Field(language),
        "profile": Field(f.ident),
        "speech": Field(_mapping, shape="mapping"),
        "jingles": Field(_mapping, shape="mapping"),
        "messages": Field(_message_files, shape="list"),
        "communes": Field(_file_name((".yaml", ".yml"))),
        "lexicon": Field(existing_file(root)),
        "recordings": Field(_mapping, shape="mapping"),
        "slots": Field(_mapping, shape="mapping"),
        "profiles": Field(_mapping, shape="mapping"),
        "schedule": Field(_mapping, shape="mapping"),
        "signing": Field(_mapping, shape="mapping"),
        "contact": Field(_mapping, shape="mapping"),
    }


def jingles_table(root: Path, folders: Sequence[Path] = ()) -> dict[str, Field]:
    return {name: Field(media_file(root, folders)) for name in ("station", "intro", "outro")}


def _folders(root: Path) -> Callable[[object], tuple[Path, ...]]:
    def parse(value: object) -> tuple[Path, ...]:
        found = []
        for item in f.split_list(value):
            written = _written_path(item)
            path = written if written.is_absolute() else root / written
            if not path.is_dir():
                raise FieldError("field.folder_not_found", value=item)
            found.append(path)
        return tuple(found)
    return parse


def recordings_table(root: Path) -> dict[str, Field]:
    return {"folders": Field(_folders(root), shape="list"),
            "max_minutes": Field(f.number(0.1, 240))}


def build_recordings(values: dict) -> RecordingRules:
    return RecordingRules(**values)


def build_campaign(values: dict) -> Campaign:
    return Campaign(**values)


def build_speech(values: dict) -> SpeechSettings:
    return SpeechSettings(**values)


def build_jingles(values: dict) -> Jingles:
    return Jingles(**values)


def build_signing(values: dict) -> SigningSettings:
    return SigningSettings(**values)


def build_contact(values: dict) -> Contact:
    return Contact(**values)


def build_schedule(values: dict) -> ScheduleRules:
    return ScheduleRules(**values)


def build_slot(values: dict) -> Slot:
    return Slot(**values)


def build_profile(name: str, base: Profile | None, values: dict) -> Profile:
    merged = dict(vars(base)) if base else {}
    merged.update({k: v for k, v in values.items() if k != "base"})
    merged["name"] = name
    return Profile(**merged)


def build_message(values: dict, *, default_language: str, tts: bool, source: Source) -> Message:
    values = dict(values)
    values.setdefault("language", default_language)
    for jingle in ("intro", "outro"):
        if jingle in values and values[jingle] is None:
            del values[jingle]
            values[f"no_{jingle}"] = True
    awaiting = "recording" not in values and not tts
    return Message(**values, awaiting_recording=awaiting, source=source)


def build_commune(values: dict, slots: tuple[Slot, ...], source: Source) -> Commune:
    values = {k: v for k, v in values.items() if k != "comment"}
    values["slots"] = slots
    return Commune(**values, source=source)
