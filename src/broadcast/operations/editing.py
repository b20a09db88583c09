"""Reading and editing a campaign's records from a front end: the messages, communes and settings
as they are written in the files (even while the files have errors, so they can be fixed), each
with the problems ``check`` finds in it, and saving one record back.

A save is checked first, field by field, against the workspace format (nothing unreadable is
written), then written in place keeping the file's comments and layout (``yamledit``),
atomically, under the workspace lock, and the whole campaign is checked again at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from broadcast.campaign import fields, records, shape
from broadcast.campaign.model import SETTINGS_FILE, WEEKDAYS
from broadcast.errors import InputError, InputProblems, Problem
from broadcast.operations import yamledit
from broadcast.operations.campaign import Campaign

SHORT_WEEKDAYS = ("t2", "t3", "t4", "t5", "t6", "t7", "cn")
"""How the sample writes weekdays; a saved record writes them the same way."""
SECTIONS = {"message": "messages", "commune": "communes"}


@dataclass(frozen=True)
class Checked:
    """The campaign checked: every problem, and the loaded campaign when it has no errors."""

    problems: list[Problem]
    campaign: Campaign | None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def check_all(root: Path) -> Checked:
    """Every problem of the campaign at ``root``, never raising for problems in its files."""
    campaign = Campaign(root)
    try:
        _ = campaign.workspace  # loads and checks every file
    except InputProblems as exc:
        return Checked(list(exc.problems), None)
    return Checked(list(campaign.warnings), campaign)


@dataclass(frozen=True)
class Record:
    """One message or commune as written: where it is and its raw values."""

    kind: str
    file: str
    index: int
    line: int | None
    values: dict
    editable: bool
    """Records in spreadsheets are edited in the spreadsheet."""
    problems: list[Problem] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.values.get("id") or "")

    @property
    def ref(self) -> str:
        """A stable name for links: the file and the record's place in it."""
        return f"{self.file}:{self.index}"


def message_files(root: Path) -> list[str]:
    """The message files broadcast.yaml lists (``messages.yaml`` when it lists none)."""
    try:
        settings = yamledit.read(root / SETTINGS_FILE, SETTINGS_FILE)
    except InputError:
        settings = None
    listed = settings.get("messages") if isinstance(settings, Mapping) else None
    names = fields.split_list(listed) if listed else []
    return names or ["messages.yaml"]


def communes_file(root: Path) -> str:
    try:
        settings = yamledit.read(root / SETTINGS_FILE, SETTINGS_FILE)
    except InputError:
        return "communes.yaml"
    name = settings.get("communes") if isinstance(settings, Mapping) else None
    return fields.nfc(name) if name else "communes.yaml"


def list_records(root: Path, kind: str, problems: list[Problem] = ()) -> list[Record]:
    """Every message (or commune) in file order, each with the problems found in it."""
    files = message_files(root) if kind == "message" else [communes_file(root)]
    found: list[Record] = []
    for name in files:
        if kind == "message" and name.lower().endswith((".csv", ".xlsx")):
            from broadcast.campaign.sheets import read_rows

            rows, _ = read_rows(root / name, name)
            found += [Record(kind, name, i, row.line, dict(row), False) for i, row in enumerate(rows)]
            continue
        try:
            data = yamledit.read(root / name, name)
        except InputError:
            continue
        items = data.get(SECTIONS[kind]) if isinstance(data, Mapping) else None
        for i, item in enumerate(items if isinstance(items, list) else []):
            values = dict(item) if isinstance(item, Mapping) else {}
            found.append(Record(kind, name, i, yamledit.line_of(item), values, True))
    return _with_problems(found, problems)


def _with_problems(found: list[Record], problems: list[Problem]) -> list[Record]:
    """Each problem goes to the record it names, or the one whose lines hold it."""
    out = []
    for n, record in enumerate(found):
        after = next((r.line for r in found[n + 1:] if r.file == record.file and r.line), None)
        mine = [p for p in problems if p.file == record.file and (
            (p.record and p.record == record.id) or (
                not p.record and p.line and record.line and record.line <= p.line
                and (after is None or p.line < after)))]
        out.append(Record(record.kind, record.file, record.index, record.line, record.values,
                          record.editable, mine))
    return out


def find_record(root: Path, kind: str, ref: str, problems: list[Problem] = ()) -> Record:
    for record in list_records(root, kind, problems):
        if record.ref == ref or (record.id and record.id == ref):
            return record
    raise InputError("ui.edit.no_record", record=ref)


def table_of(root: Path, kind: str) -> dict[str, fields.Field]:
    return records.message_table(root) if kind == "message" else records.COMMUNE_TABLE_BASE


@dataclass(frozen=True)
class Saved:
    record: Record
    """The record as written, with the problems the new check finds in it."""
    checked: Checked


def save_record(root: Path, kind: str, ref: str | None, values: Mapping[str, object], *,
                digest: str | None = None) -> Saved:
    """Write one record's fields (None removes a field) into its file, or a new record at the
    end of the first YAML file; refuse (``InputProblems``) values the format cannot read."""
    target = _target(root, kind, ref)
    doc = yamledit.Document.load(root / target.file, target.file)
    section = doc.section(SECTIONS[kind])
    _refuse_bad(root, kind, target, values)
    order = list(table_of(root, kind))
    with Campaign(root).writing("ui"):
        if target.index < len(section):
            yamledit.update(section[target.index], dict(values), order)
        else:
            yamledit.append(section, yamledit.new_record(values, order))
        doc.save(digest)
    checked = check_all(root)
    index = min(target.index, len(section) - 1)
    record = next(r for r in list_records(root, kind, checked.problems)
                  if r.file == target.file and r.index == index)
    return Saved(record, checked)


def _target(root: Path, kind: str, ref: str | None) -> Record:
    if ref:
        record = find_record(root, kind, ref)
        if not record.editable:
            raise InputError("ui.edit.in_sheet", path=record.file)
        return record
    name = save_target(root, kind)
    count = sum(1 for r in list_records(root, kind) if r.file == name)
    return Record(kind, name, count, None, {}, True)


def save_target(root: Path, kind: str) -> str:
    """The file new records go to: the first YAML file of their kind."""
    files = message_files(root) if kind == "message" else [communes_file(root)]
    name = next((f for f in files if f.lower().endswith((".yaml", ".yml"))), None)
    if name is None:
        raise InputError("ui.edit.no_yaml_file")
    return name


def _refuse_bad(root: Path, kind: str, target: Record, values: Mapping[str, object]) -> None:
    """The record as it will be, checked field by field, and its id against the others."""
    merged = {**target.values, **values}
    raw = {k: _as_raw(v) for k, v in merged.items() if v is not None}
    problems: list[Problem] = []
    shape.check_record(raw, table_of(root, kind), file=target.file, record=str(raw.get("id") or ""),
                       problems=problems, line=target.line)
    ident = str(raw.get("id") or "")
    others = [r for r in list_records(root, kind) if r.ref != target.ref]
    if ident and any(r.id.lower() == ident.lower() for r in others):
        problems.append(Problem("ui.edit.duplicate_id", file=target.file, record=ident, field="id",
                                params={"id": ident}))
    errors = [p for p in problems if p.is_error]
    if errors:
        raise InputProblems(errors)


def _as_raw(value: object) -> object:
    """A value as the workspace reader would see it in the file."""
    if isinstance(value, (list, tuple)):
        return [_as_raw(v) for v in value]
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return value


def form_values(values: Mapping[str, object]) -> dict[str, object]:
    """A record's values as a form shows them: dates as YYYY-MM-DD (what a date picker takes),
    weekdays as mon…sun, lists joined with commas, the rest as text."""
    shown: dict[str, object] = {}
    for key, value in values.items():
        if value is None:
            continue
        if key.rsplit("__", 1)[-1] in ("valid_from", "valid_until", "start", "end"):
            shown[key] = _or_text(fields.date, value, lambda d: d.isoformat())
        elif key == "weekdays":
            shown[key] = _or_text(fields.weekdays, value, list)
        elif key in ("topics", "languages"):
            shown[key] = ", ".join(fields.split_list(value))
        elif key == "slots":
            items = value if isinstance(value, list) else [value]
            shown[key] = [item if isinstance(item, Mapping) else str(item) for item in items]
        else:
            shown[key] = fields.nfc(value) if not isinstance(value, bool) else value
    return shown


def _or_text(parse, value: object, show):
    try:
        return show(parse(value))
    except fields.FieldError:
        return str(value)


def weekdays_written(days: list[str]) -> list[str] | None:
    """Chosen weekdays (mon…sun) as the sample writes them; every day or none means "every day",
    which is written as no field at all."""
    chosen = [d for d in WEEKDAYS if d in days]
    if not chosen or len(chosen) == len(WEEKDAYS):
        return None
    return [SHORT_WEEKDAYS[WEEKDAYS.index(d)] for d in chosen]
