"""Messages kept in spreadsheets: CSV (as Excel saves it) and XLSX. The only openpyxl user.

Each row becomes a ``LineMap`` keyed by field name, its line being the sheet row, so the
workspace checks spreadsheet rows exactly as it checks YAML records. Column headers may be the
field names or their Vietnamese names (``data/columns.yaml``).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import zipfile
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from broadcast.campaign.csvsheet import SheetError, StrayQuoteRow, UnclosedCell, csv_grid
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


MULTILINE_FIELDS = frozenset({"text", "comment"})
"""The only fields whose cells may hold a line break (Alt+Enter in Excel)."""


def read_rows(path: Path, shown: str) -> tuple[list[LineMap], list[Problem]]:
    """The records of a CSV or XLSX sheet, and the problems with its header and cells."""
    try:
        grid = _grid(path)
    except FileNotFoundError:
        return [], [Problem("workspace.file_missing", file=shown)]
    except IsADirectoryError:
        return [], [Problem("workspace.is_folder", file=shown)]
    except PermissionError:
        return [], [Problem("workspace.no_permission", file=shown)]
    except SheetError as exc:
        return [], [Problem(exc.key, file=shown, line=exc.line, params=exc.params)]
    except OSError as exc:
        return [], [Problem("workspace.unreadable", file=shown,
                            params={"reason": exc.strerror or type(exc).__name__})]
    return _records(grid, shown, csv_file=path.suffix.lower() != ".xlsx")


def _records(grid: list[tuple[int, list[object]]], shown: str, *,
             csv_file: bool) -> tuple[list[LineMap], list[Problem]]:
    rows = [(n, cells) for n, cells in grid if any(_filled(c) for c in cells)]
    if not rows:
        return [], [Problem("workspace.sheet_empty", file=shown)]
    header_line, header = rows[0]
    names, blank, problems = _header(header, header_line, shown)
    if not any(names):  # data where the header belongs: one problem, not one per cell
        return [], [Problem("workspace.sheet_no_header", file=shown, line=header_line)]
    if len(rows) == 1:
        return [], [*problems, Problem("workspace.sheet_header_only", file=shown, line=header_line)]
    records = []
    for line, cells in rows[1:]:
        found = _row_problems(names, blank, cells, line, shown, csv_file)
        problems += found
        if found:
            continue
        record = LineMap()
        record.line = line
        for name, cell in zip(names, cells, strict=False):
            if name and _filled(cell):
                record[name] = _field_value(cell)
                record.lines[name] = line
        records.append(record)
    return records, problems


def _header(header: list[object], line: int,
            shown: str) -> tuple[list[str | None], set[int], list[Problem]]:
    """The field of each column (None for a blank, unknown or repeated header), the columns
    whose header is blank (or merged into its neighbour), and the header's problems."""
    names: list[str | None] = []
    problems: list[Problem] = []
    first: dict[str, str] = {}
    blank = {index for index, cell in enumerate(header) if not _filled(cell)}
    for cell in header:
        name = column_aliases().get(_header_key(str(cell))) if _filled(cell) else None
        if _filled(cell) and name is None:
            problems.append(Problem("workspace.unknown_column", file=shown, line=line,
                                    params={"column": str(cell).strip()}))
        elif name in first:
            problems.append(Problem("workspace.duplicate_column", file=shown, line=line, field=name,
                                    params={"column": str(cell).strip(), "other": first[name]}))
            name = None
        elif name:
            first[name] = str(cell).strip()
        names.append(name)
    return names, blank, problems


def _row_problems(names: list[str | None], blank: set[int], cells: list[object], line: int,
                  shown: str, csv_file: bool) -> list[Problem]:
    """A row whose cells cannot be trusted: a stray quote in a CSV swallowed line breaks (and
    with them further rows), or a value stands under no header (blank, merged or past the last)."""
    where = {"file": shown, "line": line}
    for index, cell in enumerate(cells):
        name = names[index] if index < len(names) else None
        swallowed = csv_file and isinstance(cell, str) and "\n" in cell.strip() and (
            name not in MULTILINE_FIELDS or _looks_like_rows(cell, len(names)))
        if swallowed or isinstance(cell, UnclosedCell):
            return [Problem("workspace.sheet_unclosed_quote", **where, field=name,
                            params={"row": line})]
    for index, cell in enumerate(cells):
        if isinstance(cell, str) and cell.strip() in EXCEL_ERRORS:
            name = names[index] if index < len(names) else None
            return [Problem("workspace.sheet_formula_error", **where, field=name,
                            params={"value": cell.strip(), "column": column_letter(index)})]
    if isinstance(cells, StrayQuoteRow):
        return [Problem("workspace.sheet_stray_quote", **where, params={"row": line})]
    stray = [index for index, cell in enumerate(cells) if _filled(cell)
             and (index >= len(names) or (names[index] is None and index in blank))]
    if stray:
        return [Problem("workspace.sheet_blank_header", **where,
                        params={"column": column_letter(stray[0])})]
    return []


def _looks_like_rows(cell: str, width: int) -> bool:
    """Whether the lines after the first hold what looks like more rows of the sheet."""
    return any(max(line.count(d) for d in ";,\t") >= max(1, width - 1)
               for line in cell.strip().splitlines()[1:])


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as Excel names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _filled(cell: object) -> bool:
    return cell is not None and str(cell).strip() != ""


def _xlsx_grid(path: Path) -> list[tuple[int, list[object]]]:
    from openpyxl import load_workbook

    if path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0":
        raise SheetError("workspace.sheet_old_xls")
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except zipfile.BadZipFile:
        raise SheetError("workspace.sheet_not_workbook") from None
    except Exception as exc:  # openpyxl's XML layers raise anything on a damaged workbook
        raise SheetError("workspace.sheet_damaged") from exc
    try:
        sheet = book.worksheets[0]
        grid = [(number, [_xlsx_cell(c) for c in row])
                for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
        if not any(_filled(c) for _, cells in grid for c in cells):
            _refuse_empty_first(book)
        return grid
    except SheetError:
        raise
    except Exception as exc:  # damage found while reading rows: same boundary as above
        raise SheetError("workspace.sheet_damaged") from exc
    finally:
        book.close()


EXCEL_ERRORS = frozenset({"#REF!", "#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!",
                          "#SPILL!", "#CALC!", "#GETTING_DATA"})
"""What a cell shows when its formula fails: never a title or a text."""


def _refuse_empty_first(book: object) -> None:
    """The first sheet is empty: if another holds rows, say which (messages are read from the
    first sheet only)."""
    for other in book.worksheets[1:]:  # type: ignore[attr-defined]
        if any(_filled(c) for row in other.iter_rows(values_only=True) for c in row):
            raise SheetError("workspace.sheet_first_empty", sheet=other.title)


def _xlsx_cell(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _field_value(cell: object) -> object:
    """A message cell as the sheet shows it: a number as its text ("12", "1.5": a CSV gives
    text too, and the number fields read numbers from it), a date as a date, a yes/no as one."""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return str(cell)
    return cell


def read_grid(path: Path) -> list[tuple[int, list[object]]]:
    """Every row of a CSV or XLSX sheet with its row number, cells as read (no header mapping).

    For sheets whose columns are not message fields (play logs). Raises ``OSError``, or
    ``SheetError`` (a ``ValueError`` whose text says why in the user's language) for a file
    that is not a readable sheet, or a CSV whose stray quote swallowed rows (they would be
    lost without a word).
    """
    grid = _grid(path)
    if path.suffix.lower() == ".xlsx":
        return grid
    width = len(grid[0][1]) if grid else 0  # the header row's
    for line, cells in grid:
        if any(isinstance(c, UnclosedCell) or (isinstance(c, str) and _looks_like_rows(c, width))
               for c in cells):
            raise SheetError("workspace.sheet_unclosed_quote", line, row=line)
        if isinstance(cells, StrayQuoteRow):
            raise SheetError("workspace.sheet_stray_quote", line, row=line)
    return grid


def _grid(path: Path) -> list[tuple[int, list[object]]]:
    return _xlsx_grid(path) if path.suffix.lower() == ".xlsx" else csv_grid(path)


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
