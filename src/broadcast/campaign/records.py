"""What each kind of workspace record may hold: field tables, and builders from checked fields.

The tables are the single source of truth for the workspace format: the checker rejects any field
not listed here, and the README documents exactly these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from broadcast.campaign import fields as f
from broadcast.campaign.fields import Field, FieldError
from broadcast.campaign.model import (
    ENGINES,
    Campaign,
    Commune,
    Jingles,
    Message,
    Profile,
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


def existing_file(root: Path) -> Callable[[object], Path]:
    """A file named relative to the workspace (or absolute) that must exist."""
    def parse(value: object) -> Path:
        raw = f.nfc(value)
        path = Path(raw) if Path(raw).is_absolute() else root / raw
        if not path.is_file():
            raise FieldError("field.file_not_found", value=raw)
        return path
    return parse


def optional_file(root: Path) -> Callable[[object], Path | None]:
    """Like ``existing_file``, but ``none`` switches a default jingle off for one message."""
    must_exist = existing_file(root)

    def parse(value: object) -> Path | None:
        if value is False or f.nfc(value).lower() in ("none", "không"):
            return None
        return must_exist(value)
    return parse


def message_table(root: Path) -> dict[str, Field]:
    return {
        "id": Field(f.ident, required=True),
        "title": Field(f.text, required=True),
        "topics": Field(f.text_list),
        "language": Field(f.language),
        "priority": Field(f.priority),
        "valid_from": Field(f.date),
        "valid_until": Field(f.date),
        "weekdays": Field(f.weekdays),
        "repeat": Field(f.integer(1, 5)),
        "weight": Field(f.number(0.1, 100)),
        "text": Field(f.text, blank_ok=False),
        "recording": Field(existing_file(root)),
        "engine": Field(engine),
        "voice": Field(f.nfc),
        "speaker": Field(f.text),
        "profile": Field(f.ident),
        "intro": Field(optional_file(root)),
        "outro": Field(optional_file(root)),
        "comment": Field(f.nfc),
    }


SLOT_TABLE = {
    "name": Field(f.ident, required=True),
    "start": Field(f.clock, required=True),
    "minutes": Field(f.integer(1, 240), required=True),
    "weekdays": Field(f.weekdays),
    "fill": Field(f.number(0.05, 1.0)),
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
    "name": Field(f.text, required=True),
    "province": Field(f.text, required=True),
    "district": Field(f.text),
    "languages": Field(f.language_list, required=True),
    "slots": Field(lambda value: value, required=True),
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
    "name": Field(f.text, required=True),
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


def settings_table(root: Path) -> dict[str, Field]:
    def mapping(value: object) -> object:
        return value
    return {
        "organization": Field(f.text, required=True),
        "campaign": Field(mapping, required=True),
        "language": Field(f.language),
        "profile": Field(f.ident),
        "speech": Field(mapping),
        "jingles": Field(mapping),
        "messages": Field(f.split_list),
        "communes": Field(f.nfc),
        "lexicon": Field(existing_file(root)),
        "slots": Field(mapping),
        "profiles": Field(mapping),
        "schedule": Field(mapping),
        "signing": Field(mapping),
    }


def jingles_table(root: Path) -> dict[str, Field]:
    return {name: Field(existing_file(root)) for name in ("station", "intro", "outro")}


def build_campaign(values: dict) -> Campaign:
    return Campaign(**values)


def build_speech(values: dict) -> SpeechSettings:
    return SpeechSettings(**values)


def build_jingles(values: dict) -> Jingles:
    return Jingles(**values)


def build_signing(values: dict) -> SigningSettings:
    return SigningSettings(**values)


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
