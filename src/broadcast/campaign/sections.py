"""The message files, the communes file and the lexicon: each item checked field by field.

Checks that one record can answer alone are made here, with the record's file and line: a
message with neither text nor recording, dates in the wrong order, a commune with no slots.
"""

from __future__ import annotations

import os
from pathlib import Path

from broadcast.campaign import checks, records
from broadcast.campaign.fields import nfc, shown
from broadcast.campaign.languages import language_name, languages
from broadcast.campaign.model import LEXICON_TABLES, Commune, Message, Slot, Source
from broadcast.campaign.reader import Reader
from broadcast.campaign.settings import NamedSlots, slot
from broadcast.campaign.sheets import column_aliases, read_rows
from broadcast.campaign.yamlfile import LineMap

DEFAULT_MESSAGE_FILES = ("messages.yaml", "messages.csv", "messages.xlsx")


def message_files(reader: Reader, listed: tuple[str, ...] | None) -> tuple[str, ...]:
    if listed:
        return listed
    found = tuple(n for n in DEFAULT_MESSAGE_FILES if (reader.root / n).is_file())
    return found or ("messages.yaml",)


def _message_rows(reader: Reader, name: str) -> list:
    if name.lower().endswith((".csv", ".xlsx")):
        rows, found = read_rows(reader.root / name, name)
        reader.problems += found
        if any(p.is_error and p.line is None for p in found):
            reader.broken.add(name)
        return rows
    return reader.section(reader.yaml(name), "messages", name)


def read_messages(reader: Reader, files: tuple[str, ...], default_language: str,
                  folders: tuple[Path, ...] = ()) -> list[Message]:
    """Every message of every message file; a message with an error is reported, not kept."""
    table = records.message_table(reader.root, folders)
    messages: list[Message] = []
    seen: dict[str, tuple[str, str]] = {}
    for name in files:
        rows = _message_rows(reader, name)
        for index, raw in enumerate(rows):
            line = reader.item_line(rows, index, raw)
            label = shown(str(raw.get("id"))) if isinstance(raw, dict) and raw.get("id") else None
            before = reader.errors()
            values = reader.record(raw, table, name, label, line, aliases=column_aliases())
            reader.unique(seen, values, name, line, "workspace.duplicate_message")
            if reader.errors() > before:
                continue  # reported already; cross-checks on a broken record would only echo it
            lang = values.get("language", default_language)
            tts = bool(languages().get(lang, {}).get("tts"))
            message = records.build_message(values, default_language=default_language, tts=tts,
                                            source=Source(name, line, _field_lines(raw)))
            if _message_problems(reader, message, tts):
                continue
            messages.append(message)
    return messages


def _message_problems(reader: Reader, message: Message, tts: bool) -> bool:
    """Problems one message shows alone; True if any is an error."""
    where = {"file": message.source.file, "line": message.source.line, "record": message.id}
    before = reader.errors()
    if message.text is None and message.recording is None and tts:
        reader.add("workspace.text_or_recording", **where)
    if message.valid_from and message.valid_until and message.valid_from > message.valid_until:
        reader.add("workspace.validity_reversed", field="valid_until", **where,
                   params={"start": message.valid_from, "end": message.valid_until})
    if message.awaiting_recording:
        reader.add("workspace.awaiting_recording", severity="warning", **where,
                   params={"language": language_name(message.language)})
    return reader.errors() > before


def read_communes(reader: Reader, name: str, named: NamedSlots) -> list[Commune]:
    communes: list[Commune] = []
    seen: dict[str, tuple[str, str]] = {}
    unknown: dict[str, list[tuple[str | None, int | None]]] = {}
    items = reader.section(reader.yaml(name), "communes", name)
    for index, raw in enumerate(items):
        line = reader.item_line(items, index, raw)
        label = shown(str(raw.get("id"))) if isinstance(raw, dict) and raw.get("id") else None
        before = reader.errors()
        values = reader.record(raw, records.COMMUNE_TABLE_BASE, name, label, line)
        at = raw.line_of("slots") if isinstance(raw, LineMap) and "slots" in raw else line
        slots = _commune_slots(reader, values.get("slots"), named, name, label, at, unknown)
        reader.unique(seen, values, name, line, "workspace.duplicate_commune")
        if reader.errors() > before or not slots:
            continue
        commune = records.build_commune(values, slots, Source(name, line))
        found = checks.overlaps(commune)
        reader.problems += found
        if not found:
            communes.append(commune)
    for slot_name, users in unknown.items():  # one problem per name, not one per commune
        label, line = users[0]
        reader.add("workspace.unknown_slot", file=name, line=line, record=label, field="slots",
                   params={"name": slot_name, "known": ", ".join(named.slots) or "-", "count": len(users),
                           "communes": ", ".join(str(u[0]) for u in users)})
    return communes


def _commune_slots(reader: Reader, raw: object, named: NamedSlots, file: str, label: str | None,
                   line: int | None, unknown: dict[str, list]) -> tuple[Slot, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):  # slots: sang, chieu (the brackets left out)
        raw = [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]
    items = raw if isinstance(raw, list) else [raw]
    where = {"file": file, "line": line, "record": label, "field": "slots"}
    if not items:
        reader.add("field.empty", **where)
    slots = []
    for item in items:
        if isinstance(item, dict):
            found = slot(reader, item, file, label, getattr(item, "line", None) or line)
        else:
            found = named.slots.get(str(item))
            if found is None and named.known and str(item) not in named.declared:
                unknown.setdefault(str(item), []).append((label, line))
        if found:
            slots.append(found)
    return tuple(slots)


def read_lexicon(reader: Reader, path: Path | None) -> dict[str, dict[str, str]]:
    """The campaign's lexicon tables (``abbreviations``, ``words``, ``units``…), each of lines
    ``written: spoken``; ``lexicon.yaml`` is optional unless the settings name one."""
    if path is None:
        path = reader.root / "lexicon.yaml"
        if not path.exists() and not path.is_symlink():  # a folder or a broken link is told
            return {}
    inside = path.resolve().is_relative_to(reader.root.resolve())
    name_shown = os.path.relpath(path, reader.root) if inside else str(path)
    top = reader.top(reader.yaml(name_shown, path), name_shown, LEXICON_TABLES)
    if top is None:
        return {}
    tables = {}
    for name in LEXICON_TABLES:
        if top.get(name) is not None:
            tables[name] = _lexicon_table(reader, top, name, name_shown)
    return tables


CASE_BLIND_TABLES = frozenset({"words"})
"""Tables matched whatever the case: two keys differing only in case are one entry there."""


def _lexicon_table(reader: Reader, top: LineMap, name: str, shown_file: str) -> dict[str, str]:
    table = top[name]
    if not isinstance(table, dict):
        reader.add("workspace.expected_mapping", file=shown_file, line=top.line_of(name),
                   params={"key": name})
        return {}
    entries: dict[str, str] = {}
    first: dict[str, tuple[str, int | None]] = {}
    for written, spoken in table.items():
        line = table.line_of(written) if isinstance(table, LineMap) else top.line_of(name)
        where = {"file": shown_file, "line": line, "record": name, "field": shown(str(written))}
        reading = _lexicon_reading(reader, written, spoken, where)
        if reading is None:
            continue
        key = nfc(str(written))
        same = key.casefold() if name in CASE_BLIND_TABLES else key
        if same in first:  # Word's decomposed letters, or only the case differs: one entry
            reader.add("workspace.lexicon_same_key", **where,
                       params={"other": first[same][0], "line": first[same][1]})
            continue
        first[same] = (key, line)
        entries[key] = reading
    return entries


def _lexicon_reading(reader: Reader, written: object, spoken: object, where: dict) -> str | None:
    """The spoken form of one entry, or None (said why)."""
    if isinstance(spoken, (list, dict)):
        reader.add("field.is_list" if isinstance(spoken, list) else "field.is_mapping", **where)
    elif spoken is None or not str(spoken).strip() or not str(written).strip():
        reader.add("field.empty", **where)
    elif isinstance(written, bool) or isinstance(spoken, bool):
        reader.add("field.not_text_flag", **where,
                   params={"value": str(spoken if isinstance(spoken, bool) else written).lower()})
    else:
        return nfc(str(spoken))
    return None


def _field_lines(raw: object) -> dict[str, int]:
    """The line of each field of a YAML record (a sheet row has none of its own)."""
    lines = getattr(raw, "lines", None)
    return {str(k): v for k, v in lines.items()} if isinstance(lines, dict) else {}
