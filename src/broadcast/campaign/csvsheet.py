"""Message sheets and play logs saved as CSV, the way Excel and Notepad save them.

Text in UTF-8 (BOM or not) or Windows code page 1258, separated by ",", ";" or tabs. csv reads
a stray quote without a word: it swallows the rows after it, glues cells together, or runs to
the end of the file. Every such row is marked (``StrayQuoteRow``, ``UnclosedCell``) so the
sheet readers tell it at the row where the quote opens.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from broadcast.campaign import encoding
from broadcast.campaign.yamlfile import too_big
from broadcast.i18n import t


class SheetError(ValueError):
    """A sheet that cannot be read; ``key`` names the catalog sentence saying why and how."""

    def __init__(self, key: str, line: int | None = None, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.line = line
        self.params = params

    def __str__(self) -> str:
        return t(self.key, **self.params)


def csv_grid(path: Path) -> list[tuple[int, list[object]]]:
    """Every record with the line it starts on (a quoted cell may span lines)."""
    if (over := too_big(path)) is not None:
        raise SheetError("workspace.file_too_big", **over)
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        raise SheetError("workspace.sheet_is_xlsx")
    try:
        # Excel's "CSV (Comma delimited)" on a Vietnamese Windows PC saves in code page 1258.
        text = encoding.decode(raw, legacy=True)
    except encoding.NotText as exc:
        raise SheetError(exc.key, exc.line) from None
    for line, char in encoding.bad_characters(text)[:1]:
        raise SheetError("encoding.bad_character", line, char=encoding.code_point(char))
    first = text.splitlines()[0] if text else ""
    # Where "," is the decimal mark, Excel separates list items with ";".
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    grid, start = [], 1
    try:
        for row in reader:
            grid.append((start, row))
            start = reader.line_num + 1
    except csv.Error:  # a field past csv's size limit: a quote that never closes
        raise SheetError("workspace.sheet_unclosed_quote", start, row=start) from None
    if grid and grid[-1][1] and _unclosed_at_end(text, grid[-1][0], delimiter):
        cells = grid[-1][1]
        cells[-1] = UnclosedCell(cells[-1])  # the quote opened in the last cell csv read
    return _mark_stray_quotes(grid, text, delimiter)


class StrayQuoteRow(list):
    """The cells of a CSV row where a quoted value goes on after its closing quote
    (``"Tảo hôn",x`` is fine, ``"Tảo hôn"x`` or ``"2026-11-15,…,"Phòng`` is not): csv then
    glues cells together and shifts the ones after them, silently."""


def _mark_stray_quotes(grid: list[tuple[int, list]], text: str, delimiter: str) -> list[tuple[int, list]]:
    if '"' not in text:
        return grid
    lines = text.splitlines(keepends=True)
    starts = [line for line, _ in grid] + [len(lines) + 1]
    marked = []
    for (line, cells), end in zip(grid, starts[1:], strict=True):
        record = "".join(lines[line - 1:end - 1])
        if '"' in record and not isinstance(cells[-1:] and cells[-1], UnclosedCell):
            try:
                list(csv.reader(io.StringIO(record, newline=""), delimiter=delimiter, strict=True))
            except csv.Error:
                cells = StrayQuoteRow(cells)
        marked.append((line, cells))
    return marked


class UnclosedCell(str):
    """The cell of a sheet's last row whose opening quote never closes: csv ran it to the end of
    the file (on rows before the last, the line breaks it swallowed give it away)."""


def _unclosed_at_end(text: str, start: int, delimiter: str) -> bool:
    """Whether the last record holds a quote that opens and never closes."""
    rest = "".join(text.splitlines(keepends=True)[start - 1:])
    try:
        list(csv.reader(io.StringIO(rest, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        return "end of data" in str(exc) or "EOF" in str(exc)
    return False
