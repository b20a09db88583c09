"""Messages from a spreadsheet (XLSX or CSV, as the office writes them) added to the campaign's
messages file, where they can be edited like the others.

All rows or none: every row is checked as ``check`` checks a sheet row (fields, and ids new and
unique), and one bad row writes nothing; the problems name the sheet's row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from broadcast.campaign import fields, shape
from broadcast.campaign.sheets import read_rows
from broadcast.errors import InputProblems, Problem
from broadcast.operations import editing, yamledit
from broadcast.operations.campaign import Campaign

LIST_FIELDS = ("topics", "weekdays")


@dataclass(frozen=True)
class Imported:
    ids: list[str]
    file: str
    """The messages file they were added to."""
    checked: editing.Checked


def import_sheet(root: Path, path: Path, shown: str) -> Imported:
    """Append every message of the sheet at ``path`` (named ``shown``) to the first YAML
    messages file; raise ``InputProblems`` and write nothing if any row has an error."""
    rows, problems = read_rows(path, shown)
    table = editing.table_of(root, "message")
    taken = {r.id.lower(): r for r in editing.list_records(root, "message") if r.id}
    for row in rows:
        ident = str(row.get("id") or "")
        shape.check_record(row, table, file=shown, record=ident or None, problems=problems, line=row.line)
        if ident and ident.lower() in taken:
            problems.append(Problem("ui.edit.duplicate_id", file=shown, line=row.line, record=ident,
                                    field="id", params={"id": ident}))
        taken.setdefault(ident.lower(), row)
    errors = [p for p in problems if p.is_error]
    if errors or not rows:
        raise InputProblems(errors or [Problem("workspace.sheet_empty", file=shown)])
    target = editing.save_target(root, "message")
    doc = yamledit.Document.load(root / target, target)
    section = doc.section("messages")
    order = list(table)
    with Campaign(root).writing("ui"):
        for row in rows:
            yamledit.append(section, yamledit.new_record(_written(row), order))
        doc.save(doc.digest)
    return Imported([str(row["id"]) for row in rows], target, editing.check_all(root))


def _written(row: dict) -> dict:
    """A sheet row's cells as a YAML record writes them: lists as lists, dates as dates."""
    values = {}
    for key, value in row.items():
        if key in LIST_FIELDS:
            values[key] = fields.split_list(value)
        elif isinstance(value, dt.datetime):
            values[key] = value.date()
        elif isinstance(value, (dt.date, int, float)):
            values[key] = value
        else:
            values[key] = fields.nfc(value)
    return values
