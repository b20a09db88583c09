"""Messages kept in spreadsheets: CSV (as Excel saves it) and XLSX. The only openpyxl user.

Each row becomes a ``LineMap`` keyed by field name, its line being the sheet row, so the
workspace checks spreadsheet rows exactly as it checks YAML records. Column headers may be the
field names or their Vietnamese names (``data/columns.yaml``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import zipfile
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from broadcast.campaign.yamlfile import LineMap
from broadcast.errors import Problem


@cache
def column_aliases() -> dict[str, str]:
    """Header text (normalized) → field name."""
    table = yaml.safe_load((resources.files("broadcast") / "data" / "columns.yaml").read_text("utf-8"))
    aliases: dict[str, str] = {}
    for name, spellings in table.items():
        aliases[_header_key(name)] = name
        for spelling in spellings or ():
            aliases[_header_key(spelling)] = name
    return aliases


def _header_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).strip().lower().replace("_", " ").split())


def read_rows(path: Path, shown: str) -> tuple[list[LineMap], list[Problem]]:
    """The records of a CSV or XLSX sheet, and the problems with its header."""
    try:
        grid = _xlsx_grid(path) if path.suffix.lower() == ".xlsx" else _csv_grid(path)
    except FileNotFoundError:
        return [], [Problem("workspace.file_missing", file=shown)]
    except (OSError, ValueError, zipfile.BadZipFile, KeyError) as exc:
        return [], [Problem("workspace.sheet_unreadable", file=shown, params={"reason": str(exc)})]
    return _records(grid, shown)


def _records(grid: list[tuple[int, list[object]]], shown: str) -> tuple[list[LineMap], list[Problem]]:
    rows = [(n, cells) for n, cells in grid if any(_filled(c) for c in cells)]
    if not rows:
        return [], [Problem("workspace.sheet_empty", file=shown)]
    header_line, header = rows[0]
    names: list[str | None] = []
    problems: list[Problem] = []
    for cell in header:
        if not _filled(cell):
            names.append(None)
            continue
        name = column_aliases().get(_header_key(str(cell)))
        if name is None:
            problems.append(Problem("workspace.unknown_column", file=shown, line=header_line,
                                    params={"column": str(cell).strip()}))
        names.append(name)
    records = []
    for line, cells in rows[1:]:
        record = LineMap()
        record.line = line
        for name, cell in zip(names, cells, strict=False):
            if name and _filled(cell):
                record[name] = cell.strip() if isinstance(cell, str) else cell
                record.lines[name] = line
        records.append(record)
    return records, problems


def _filled(cell: object) -> bool:
    return cell is not None and str(cell).strip() != ""


def _csv_grid(path: Path) -> list[tuple[int, list[object]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV (Comma delimited)" on a Vietnamese Windows PC saves in code page 1258.
        text = raw.decode("cp1258")
    first = text.splitlines()[0] if text else ""
    # Where "," is the decimal mark, Excel separates list items with ";".
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [(reader.line_num, row) for row in reader]


def _xlsx_grid(path: Path) -> list[tuple[int, list[object]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        grid = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            grid.append((number, [_xlsx_cell(c) for c in row]))
        return grid
    finally:
        book.close()


def _xlsx_cell(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read_grid(path: Path) -> list[tuple[int, list[object]]]:
    """Every row of a CSV or XLSX sheet with its row number, cells as read (no header mapping).

    For sheets whose columns are not message fields (play logs). Raises ``OSError``,
    ``ValueError``, ``zipfile.BadZipFile`` or ``KeyError`` for a file that cannot be read.
    """
    return _xlsx_grid(path) if path.suffix.lower() == ".xlsx" else _csv_grid(path)


_SHEET_NAME_BAD = str.maketrans({c: " " for c in "[]:*?/\\"})


def write_xlsx(dest: Path, sheets: dict[str, list[list[object]]]) -> None:
    """Write a workbook, one worksheet per entry (name → rows), atomically.

    Names are cut to Excel's 31 characters and cleared of the characters it refuses. Cells keep
    their types (numbers stay numbers, dates stay dates) so the office can compute with them.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from broadcast.fsio import atomic_path

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name.translate(_SHEET_NAME_BAD)[:31])
        for row in rows:
            sheet.append(list(row))
        for cell in sheet[1] if rows else ():
            cell.font = Font(bold=True)
        for column in sheet.columns:
            width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    with atomic_path(dest) as tmp:
        book.save(tmp)
