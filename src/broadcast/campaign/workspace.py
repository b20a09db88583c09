"""Find, load and check a campaign workspace; report every problem at once.

A workspace is a folder with ``broadcast.yaml`` (settings), message files (YAML, CSV or XLSX),
``communes.yaml`` and optionally ``lexicon.yaml``, recordings and jingles. ``load`` returns a
``Workspace`` and the warnings, or raises ``InputProblems`` listing every error and warning.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from broadcast.campaign import checks, records
from broadcast.campaign.fields import check_record, languages
from broadcast.campaign.model import (
    SETTINGS_FILE,
    Commune,
    Message,
    Profile,
    Settings,
    Slot,
    Source,
    Workspace,
)
from broadcast.campaign.sheets import read_rows
from broadcast.campaign.yamlfile import LineMap
from broadcast.campaign.yamlfile import load as load_yaml
from broadcast.errors import InputError, InputProblems, Problem

ENV_VAR = "BROADCAST_WORKSPACE"


def discover(option: str | os.PathLike | None) -> Path:
    """The workspace folder: ``-w/--workspace``, else $BROADCAST_WORKSPACE, else the current folder."""
    chosen = option or os.environ.get(ENV_VAR) or "."
    root = Path(chosen).expanduser().resolve()
    if not (root / SETTINGS_FILE).is_file():
        raise InputError("workspace.not_found", folder=str(root), file=SETTINGS_FILE)
    return root


def sample_dir() -> Path:
    """The shipped sample campaign: inside the wheel, or ``playlists/`` in a source checkout."""
    packaged = Path(str(resources.files("broadcast") / "sample"))
    if (packaged / SETTINGS_FILE).is_file():
        return packaged
    return Path(str(resources.files("broadcast"))).resolve().parents[1] / "playlists"


def init(dest: Path) -> Path:
    """Make a new workspace at ``dest`` from the sample campaign; never overwrite anything."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise InputError("workspace.init_not_empty", folder=str(dest))
    shutil.copytree(sample_dir(), dest, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("build", "dist", ".*"))
    return dest


@dataclass
class _Reader:
    """Collects problems while the records of one workspace are read."""

    root: Path
    problems: list[Problem] = field(default_factory=list)

    def yaml(self, name: str) -> object:
        data, found = load_yaml(self.root / name, name)
        self.problems += found
        return data

    def record(self, raw: object, table: dict, file: str, label: str | None = None,
               line: int | None = None) -> dict:
        return check_record(raw, table, file=file, record=label, problems=self.problems, line=line)

    def errors(self) -> int:
        return sum(1 for p in self.problems if p.is_error)

    def unique(self, seen: dict[str, str], values: dict, file: str, line: int | None, key: str) -> None:
        """Complain when an id was used before (even by a record that has other errors)."""
        ident = values.get("id")
        if ident is None:
            return
        if ident in seen:
            self.problems.append(Problem(key, file=file, line=line, record=str(ident), field="id",
                                         params={"other": seen[ident]}))
        else:
            seen[ident] = f"{file}:{line}"

    def section(self, raw: object, key: str, file: str) -> list:
        """The list under ``key`` of a YAML file, complaining if it is not one."""
        items = raw.get(key) if isinstance(raw, dict) else None
        if not isinstance(items, list):
            self.problems.append(Problem("workspace.expected_list", file=file,
                                         line=getattr(raw, "line", None), params={"key": key}))
            return []
        return items


def load(root: Path) -> tuple[Workspace, list[Problem]]:
    """Read and check the workspace at ``root``. Raises ``InputProblems`` if anything is wrong."""
    reader = _Reader(Path(root))
    settings, extra = _settings(reader)
    if settings is None:
        raise InputProblems(reader.problems)
    profiles = _profiles(reader, extra.get("profiles"))
    named_slots = _named_slots(reader, extra.get("slots"))
    messages = _messages(reader, extra.get("messages"), settings)
    communes = _communes(reader, extra.get("communes", "communes.yaml"), named_slots)
    lexicon = _lexicon(reader, extra.get("lexicon"))
    workspace = Workspace(reader.root, settings, tuple(messages), tuple(communes), profiles,
                          *lexicon)
    reader.problems += checks.cross_checks(workspace)
    if any(p.is_error for p in reader.problems):
        raise InputProblems(reader.problems)
    return workspace, reader.problems


def _settings(reader: _Reader) -> tuple[Settings | None, dict]:
    raw = reader.yaml(SETTINGS_FILE)
    if raw is None:
        return None, {}
    values = reader.record(raw, records.settings_table(reader.root), SETTINGS_FILE)
    line_of = raw.line_of if isinstance(raw, LineMap) else (lambda _k: None)
    campaign_values = reader.record(values.get("campaign"), records.CAMPAIGN_TABLE, SETTINGS_FILE,
                                    "campaign", line_of("campaign")) if "campaign" in values else {}
    speech = reader.record(values.get("speech", {}), records.SPEECH_TABLE, SETTINGS_FILE, "speech",
                           line_of("speech"))
    jingles = reader.record(values.get("jingles", {}), records.jingles_table(reader.root),
                            SETTINGS_FILE, "jingles", line_of("jingles"))
    schedule = reader.record(values.get("schedule", {}), records.SCHEDULE_TABLE, SETTINGS_FILE,
                             "schedule", line_of("schedule"))
    signing = reader.record(values.get("signing", {}), records.SIGNING_TABLE, SETTINGS_FILE,
                            "signing", line_of("signing"))
    if set(records.CAMPAIGN_TABLE) - set(campaign_values) or "organization" not in values:
        return None, {}
    settings = Settings(
        organization=values["organization"],
        campaign=records.build_campaign(campaign_values),
        language=values.get("language", "vie"),
        profile=values.get("profile", "loudspeaker"),
        speech=records.build_speech(speech),
        jingles=records.build_jingles(jingles),
        schedule=records.build_schedule(schedule),
        signing=records.build_signing(signing),
    )
    return settings, {k: values[k] for k in values if k in
                      ("profiles", "slots", "messages", "communes", "lexicon")}


@cache
def builtin_profiles() -> dict[str, Profile]:
    table = yaml.safe_load((resources.files("broadcast") / "data" / "profiles.yaml").read_text("utf-8"))
    return {name: Profile(name=name, **values) for name, values in table.items()}


def _profiles(reader: _Reader, raw: object) -> dict[str, Profile]:
    profiles = dict(builtin_profiles())
    for name, spec in (raw or {}).items():
        line = raw.line_of(name) if isinstance(raw, LineMap) else None
        values = reader.record(spec, records.PROFILE_TABLE, SETTINGS_FILE, f"profiles.{name}", line)
        base = profiles.get(values.get("base", "loudspeaker"))
        if base is None:
            reader.problems.append(Problem("workspace.unknown_profile", file=SETTINGS_FILE, line=line,
                                           record=f"profiles.{name}", field="base",
                                           params={"name": values["base"], "known": ", ".join(profiles)}))
            continue
        profiles[str(name)] = records.build_profile(str(name), base, values)
    return profiles


def _slot(reader: _Reader, raw: object, file: str, label: str, line: int | None) -> Slot | None:
    values = reader.record(raw, records.SLOT_TABLE, file, label, line)
    if set(("name", "start", "minutes")) - set(values):
        return None
    return records.build_slot(values)


def _named_slots(reader: _Reader, raw: object) -> dict[str, Slot]:
    slots = {}
    for name, spec in (raw or {}).items():
        line = raw.line_of(name) if isinstance(raw, LineMap) else None
        spec = LineMap(spec, name=name) if isinstance(spec, dict) else spec
        if isinstance(spec, LineMap):
            spec.line = line or 0
        slot = _slot(reader, spec, SETTINGS_FILE, f"slots.{name}", line)
        if slot:
            slots[str(name)] = slot
    return slots


def _message_files(reader: _Reader, listed: list[str] | None) -> list[str]:
    if listed:
        return listed
    found = [n for n in ("messages.yaml", "messages.csv", "messages.xlsx") if (reader.root / n).is_file()]
    return found or ["messages.yaml"]


def _message_rows(reader: _Reader, name: str) -> list:
    if name.lower().endswith((".csv", ".xlsx")):
        rows, found = read_rows(reader.root / name, name)
        reader.problems += found
        return rows
    return reader.section(reader.yaml(name), "messages", name)


def _messages(reader: _Reader, listed: list[str] | None, settings: Settings) -> list[Message]:
    table = records.message_table(reader.root)
    messages: list[Message] = []
    seen: dict[str, str] = {}
    for name in _message_files(reader, listed):
        for raw in _message_rows(reader, name):
            line = getattr(raw, "line", None)
            label = str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else None
            before = reader.errors()
            values = reader.record(raw, table, name, label, line)
            reader.unique(seen, values, name, line, "workspace.duplicate_message")
            if reader.errors() > before:
                continue  # reported already; cross-checks on a broken record would only echo it
            lang = values.get("language", settings.language)
            tts = bool(languages().get(lang, {}).get("tts"))
            messages.append(records.build_message(values, default_language=settings.language,
                                                  tts=tts, source=Source(name, line)))
    return messages


def _communes(reader: _Reader, name: str, named_slots: dict[str, Slot]) -> list[Commune]:
    communes: list[Commune] = []
    seen: dict[str, str] = {}
    for raw in reader.section(reader.yaml(name), "communes", name):
        line = getattr(raw, "line", None)
        label = str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else None
        before = reader.errors()
        values = reader.record(raw, records.COMMUNE_TABLE_BASE, name, label, line)
        slots = _commune_slots(reader, values.get("slots"), named_slots, name, label, line)
        reader.unique(seen, values, name, line, "workspace.duplicate_commune")
        if reader.errors() > before:
            continue
        communes.append(records.build_commune(values, slots, Source(name, line)))
    return communes


def _commune_slots(reader: _Reader, raw: object, named: dict[str, Slot], file: str,
                   label: str | None, line: int | None) -> tuple[Slot, ...]:
    slots = []
    for item in raw if isinstance(raw, list) else ([] if raw is None else [raw]):
        if isinstance(item, dict):
            slot = _slot(reader, item, file, label, getattr(item, "line", line))
        else:
            slot = named.get(str(item))
            if slot is None:
                reader.problems.append(Problem("workspace.unknown_slot", file=file, line=line,
                                               record=label, field="slots",
                                               params={"name": item, "known": ", ".join(named)}))
        if slot:
            slots.append(slot)
    return tuple(slots)


def _lexicon(reader: _Reader, path: Path | None) -> tuple[dict[str, str], dict[str, str]]:
    if path is None:
        if not (reader.root / "lexicon.yaml").is_file():
            return {}, {}
        path = reader.root / "lexicon.yaml"
    shown = os.path.relpath(path, reader.root) if path.is_relative_to(reader.root) else str(path)
    raw = reader.yaml(shown) if path.is_relative_to(reader.root) else load_yaml(path, shown)[0]
    if not isinstance(raw, dict):
        return {}, {}
    parts = []
    for key in ("abbreviations", "words"):
        table = raw.get(key) or {}
        if not isinstance(table, dict):
            reader.problems.append(Problem("workspace.expected_mapping", file=shown,
                                           line=raw.line_of(key), params={"key": key}))
            table = {}
        parts.append({str(k): str(v) for k, v in table.items()})
    for key in set(raw) - {"abbreviations", "words"}:
        reader.problems.append(Problem("field.unknown", file=shown, line=raw.line_of(key),
                                       field=str(key), params={"known": "abbreviations, words",
                                                               "close": ""}))
    return parts[0], parts[1]
