"""As-run logs: reading filled play logs back.

Regulators and the office want what was actually broadcast, not only what was planned. Each
package holds ``nhat-ky-phat.csv`` (``package/playlog.py``): one row per planned message, with
empty columns the operator fills in ("Đã phát (có/không)", "Giờ phát thực tế", "Ghi chú"). Filled
sheets (CSV or XLSX) and
the CSV exports of smart-radio platforms come back and are read through one column table kept as
data (``data/asrun_columns.yaml``, which also documents the rules). A bad row becomes a
``Problem`` naming the file and row; it never stops the import.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from broadcast.campaign import sheets
from broadcast.errors import InputProblems, Problem
from broadcast.i18n import LANGUAGES, t, t_in
from broadcast.ledger.book import Ledger, Play
from broadcast.package.playlog import COLUMNS
from broadcast.plan import schedule

UNREADABLE = ("asrun.file_missing", "asrun.unreadable", "asrun.empty", "asrun.missing_columns",
              "asrun.no_commune")
"""Problems that make a whole file unusable."""
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")
_TIME = re.compile(r"(\d{1,2})\s*[:hg]\s*(\d{2})?(?::(\d{2}))?(?:\.\d+)?")
_PLACE_WORDS = ("ubnd ", "dai truyen thanh ", "xa ", "phuong ", "thi tran ", "dac khu ")


def fold(text: object) -> str:
    """Lower case, no diacritics, single spaces, "_" as space: "Thời_gian  phát" → "thoi gian phat"."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().replace("_", " ").split())


@cache
def _table() -> dict:
    return yaml.safe_load((resources.files("broadcast") / "data" / "asrun_columns.yaml").read_text("utf-8"))


@cache
def column_aliases() -> dict[str, str]:
    """Folded header → field: the data table, the field names, and our own sheet's headers."""
    aliases = {}
    for name, spellings in _table()["columns"].items():
        for spelling in (name, *spellings):
            aliases[fold(spelling)] = name
    for name in COLUMNS:
        for lang in LANGUAGES:
            aliases.setdefault(fold(t_in(lang, f"asrun.column.{name}")), name)
    return aliases


@cache
def _played_values() -> dict[str, bool | None]:
    values = _table()["values"]
    return {**{fold(v): None for v in values["pending"]}, **{fold(v): False for v in values["not_played"]},
            **{fold(v): True for v in values["played"]}}


@dataclass(frozen=True)
class _Known:
    """What rows are checked against."""

    communes: dict[str, str]
    """Folded id or name → commune id."""
    ids: tuple[str, ...]
    """Commune ids, longest first (file names)."""
    messages: dict[str, str]
    titles: dict[str, str]
    """Folded title → message id."""
    planned: frozenset | None
    """(commune, date, message) of every planned item; None without a plan."""
    ever: frozenset = frozenset()
    """(commune, message) of every planned item, whatever the day."""


def _place_key(text: object) -> str:
    key = fold(text)
    for word in _PLACE_WORDS:
        key = key.removeprefix(word)
    return key


def _known(plan: schedule.Schedule | None, communes: Mapping[str, str],
           messages: Mapping[str, str] | None) -> _Known:
    items = [(c.commune, d.date, i) for c in plan.communes for d in c.days for s in d.slots
             for i in s.items if i.kind == "message"] if plan else []
    titles = {**{i.id: i.title for _, _, i in items}, **(messages or {})}
    names = {**{fold(n): i for i, n in communes.items()}, **{_place_key(n): i for i, n in communes.items()},
             **{fold(i): i for i in communes}}
    return _Known(names, tuple(sorted(communes, key=len, reverse=True)), titles,
                  {fold(title): ident for ident, title in titles.items()},
                  frozenset((c, d, i.id) for c, d, i in items) if plan else None,
                  frozenset((c, i.id) for c, _, i in items))


def _file_commune(path: Path, known: _Known) -> str | None:
    """``xa-a_thang11.csv`` → ``xa-a``: the longest known id the name starts with, then a break."""
    stem = path.stem.lower()
    for ident in known.ids:
        if stem.startswith(ident.lower()) and stem[len(ident):len(ident) + 1] in ("", "_", "-", ".", " "):
            return ident
    return None


def _commune(value: object, from_file: str | None, known: _Known) -> str | None:
    if value is None:
        return from_file
    if not known.ids:  # nothing to check against: take the sheet's word for it
        return str(value).strip()
    return known.communes.get(fold(value)) or known.communes.get(_place_key(value))


def _message(record: dict, known: _Known) -> tuple[str, str] | None:
    """(message id, title): by id, else by title (exact, else the one known title it contains)."""
    ident, title = str(record.get("message", "")).strip(), str(record.get("title", "")).strip()
    if ident and (ident in known.messages or not known.messages):
        return ident, title or known.messages.get(ident, "")
    wanted = fold(title)
    found = known.titles.get(wanted) if wanted else None
    if found is None and wanted:
        inside = {i for key, i in known.titles.items() if key and key in wanted}
        found = inside.pop() if len(inside) == 1 else None
    return (found, title) if found else None


def parse_date(value: object) -> dt.date | None:
    """A date cell: a date, or text written YYYY-MM-DD or DD/MM/YYYY (also with - or .)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(str(value).strip(), fmt).date()
        except ValueError:
            continue
    return None


def parse_time(value: object) -> str | None:
    """A time cell (``06:05``, ``6h05``, ``06:05:30``, an Excel time) as ``HH:MM:SS``."""
    if isinstance(value, (dt.datetime, dt.time)):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float) and 0 <= value < 1:  # Excel keeps times as a fraction of a day
        return (dt.datetime.min + dt.timedelta(seconds=round(value * 86400))).strftime("%H:%M:%S")
    match = _TIME.fullmatch(str(value).strip().lower())
    if not match or int(match[1]) > 23 or int(match[2] or 0) > 59 or int(match[3] or 0) > 59:
        return None
    return f"{int(match[1]):02d}:{int(match[2] or 0):02d}:{int(match[3] or 0):02d}"


def parse_datetime(value: object) -> tuple[dt.date | None, str | None]:
    """A platform's time stamp: ISO 8601, ``15/11/2026 06:00`` or ``06:00 15/11/2026``; a lone
    date or time gives the other part as None."""
    if isinstance(value, dt.datetime):
        return value.date(), value.strftime("%H:%M:%S")
    if isinstance(value, dt.date):
        return value, None
    text = str(value).strip()
    try:  # the time as written: platforms log the local time of the loudspeakers
        stamp = dt.datetime.fromisoformat(text.replace("Z", ""))
        return stamp.date(), stamp.strftime("%H:%M:%S")
    except ValueError:
        pass
    parts = text.split()
    if len(parts) == 2:
        for day, time in (parts, parts[::-1]):
            if parse_date(day):
                return parse_date(day), parse_time(time)
    return (parse_date(text), parse_time(value)) if len(parts) <= 1 else (None, None)


def _when(record: dict) -> tuple[dt.date | None, str, bool]:
    """(date, time, whether a written actual time was unreadable). The actual time wins over
    the platform's time stamp, which wins over the planned time."""
    day, stamp_time = parse_datetime(record["datetime"]) if "datetime" in record else (None, None)
    if "date" in record:
        day = parse_date(record["date"])
    actual = parse_time(record["actual_time"]) if "actual_time" in record else None
    planned = parse_time(record["planned_time"]) if "planned_time" in record else None
    return day, actual or stamp_time or planned or "", "actual_time" in record and actual is None


def _play(record: dict, shown: str, line: int, from_file: str | None,
          known: _Known) -> tuple[Play | None, list[Problem]]:
    """One row as a play, or the problems that keep it out; (None, []) for a row not filled in."""
    raw = record.get("played", record.get("status"))
    played = _played_values().get(fold(raw), "?") if raw is not None else None
    if played is None:
        return None, []
    problems: list[Problem] = []

    def report(key: str, field: str, severity: str = "error", **params: object) -> None:
        problems.append(Problem(key, file=shown, line=line, field=field, severity=severity, params=params))

    if played == "?":
        report("asrun.bad_played", "played", value=raw)
    commune = _commune(record.get("commune"), from_file, known)
    if commune is None:
        report("asrun.unknown_commune", "commune", commune=record.get("commune", ""))
    day, time, bad_time = _when(record)
    if day is None:
        report("asrun.bad_date", "date", value=record.get("date", record.get("datetime", "")))
    message = _message(record, known)
    if message is None:
        report("asrun.unknown_message", "message",
               message=record.get("message", "") or record.get("title", ""))
    if problems:
        return None, problems
    if bad_time:
        report("asrun.bad_time", "actual_time", "warning", value=record["actual_time"])
    order = str(record.get("order", "")).strip()
    play = Play(commune, day, str(record.get("slot", "")).strip(), time, message[0], message[1],
                played is True, shown, line, int(order) if order.isdigit() else 0)
    if known.planned is not None and (commune, play.message) not in known.ever:
        report("asrun.never_planned", "message", "warning", message=play.message, commune=commune)
    elif play.played and known.planned is not None and (commune, day, play.message) not in known.planned:
        report("asrun.not_planned", "message", "warning", message=play.message, commune=commune,
               day=day.strftime("%d/%m/%Y"))
    return play, problems


def _header_at(grid: list) -> int:
    """The header row: the first (of ten) naming two known columns. Platform exports often put a
    title line or two above it."""
    for n, (_, cells) in enumerate(grid[:10]):
        if len({column_aliases().get(fold(c)) for c in cells if c is not None} - {None}) >= 2:
            return n
    return 0


def _header(grid: list, path: Path, known: _Known) -> tuple[list[str | None], str | None, list[Problem]]:
    """The field of each column, the commune the file name gives, and what makes the file unusable."""
    line, cells = grid[0]
    fields = [column_aliases().get(fold(c)) if c is not None else None for c in cells]
    from_file = _file_commune(path, known) if "commune" not in fields else None
    needed = {"date": ("date", "datetime"), "message": ("message", "title"), "played": ("played", "status")}
    missing = [t(f"asrun.column.{name}") for name, any_of in needed.items()
               if not set(any_of) & set(fields)]
    where = {"file": str(path), "line": line}
    if missing:
        return fields, from_file, [Problem("asrun.missing_columns", **where,
                                           params={"columns": ", ".join(missing)})]
    if "commune" not in fields and from_file is None:
        return fields, None, [Problem("asrun.no_commune", **where, params={"name": path.name})]
    return fields, from_file, []


def _read_file(path: Path, known: _Known) -> tuple[list[Play], list[Problem]]:
    shown = str(path)
    try:
        grid = [(n, c) for n, c in sheets.read_grid(path) if any(str(x or "").strip() for x in c)]
    except FileNotFoundError:
        return [], [Problem("asrun.file_missing", file=shown)]
    except (OSError, ValueError, zipfile.BadZipFile, KeyError) as exc:
        return [], [Problem("asrun.unreadable", file=shown, params={"reason": str(exc)})]
    if not grid:
        return [], [Problem("asrun.empty", file=shown)]
    grid = grid[_header_at(grid):]
    fields, from_file, problems = _header(grid, path, known)
    if problems:
        return [], problems
    plays = []
    for line, cells in grid[1:]:
        record = {f: c for f, c in zip(fields, cells, strict=False) if f and str(c or "").strip()}
        play, found = _play(record, shown, line, from_file, known)
        plays += [play] if play else []
        problems += found
    if plays and known.planned is None:  # said once per file, not once per row
        problems.append(Problem("asrun.no_plan", file=shown, line=grid[0][0], severity="warning"))
    return plays, problems


def _merge(plays: list[Play]) -> list[Play]:
    """One play per key. Several loudspeaker clusters logging the same bulletin are one play for
    the commune, played if any cluster played it."""
    merged: dict[tuple, Play] = {}
    for play in plays:
        key = (play.commune, play.date, play.slot, play.at, play.message)
        first = merged.setdefault(key, play)
        if play.played and not first.played:
            merged[key] = replace(first, played=True)
    return list(merged.values())


def import_sheets(files: Sequence[Path], plan: schedule.Schedule | None, communes: Mapping[str, str],
                  messages: Mapping[str, str] | None = None) -> tuple[list[Play], list[Problem]]:
    """Read filled play logs and platform exports into plays, with every problem found.

    ``communes`` maps id → name (a commune column may give either); ``messages`` maps id → title
    (besides the plan's). With a plan, a row of a message the plan never had for that commune,
    or a play on a date it was not planned for, is a warning naming the file and row; without
    one, each file says once that its plays could not be checked. Rows with an empty
    played/status cell are not reported yet and left out.
    """
    known = _known(plan, communes, messages)
    plays, problems = [], []
    for path in files:
        found, trouble = _read_file(Path(path), known)
        plays += found
        problems += trouble
    return _merge(plays), problems


@dataclass(frozen=True)
class ImportResult:
    """What ``import_into`` did."""

    imported: int
    """Plays stored (new or replacing the same row of an earlier import)."""
    new: int
    skipped: int
    """Rows refused, each with an error problem."""
    problems: tuple[Problem, ...]


def import_into(ledger: Ledger, files: Sequence[Path], communes: Mapping[str, str] | None = None,
                messages: Mapping[str, str] | None = None) -> ImportResult:
    """Import play logs into the ledger, checked against the plans of the delivered versions.

    Raises ``InputProblems`` when not one file could be read; otherwise bad rows are reported
    and the rest imported."""
    plays, problems = import_sheets(files, ledger.delivered_plan(), {**ledger.communes(), **(communes or {})},
                                    {**ledger.messages(), **(messages or {})})
    unusable = {p.file for p in problems if p.key in UNREADABLE}
    if files and all(str(f) in unusable for f in files):
        raise InputProblems(problems)
    new = ledger.record_plays(plays) if plays else 0
    skipped = len({(p.file, p.line) for p in problems if p.is_error and p.key not in UNREADABLE})
    return ImportResult(len(plays), new, skipped, tuple(problems))
