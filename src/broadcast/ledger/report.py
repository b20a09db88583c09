"""The office's report: packages delivered, minutes by topic and language, planned versus played.

Like the office's annual report ("USB data for 13 communes"), per commune and in total:

- **Packages** by channel and date. A package is one content version of one commune's package
  through one channel (USB, disk image, a pull from the cloud): delivering the same version again
  through the same channel (a second stick) counts once, on its latest date in the period. A
  publish only puts a package where the commune can fetch it: it is counted apart, as published,
  not as delivered, until a pull is recorded. Builds are not deliveries and are not counted.
- **Minutes** of content by topic and language, from the latest version delivered to each commune
  (per campaign) in the period: plays × seconds of each message. A message with several topics
  counts under each of them.
- **Messages reached**: distinct message ids in those latest versions.
- **Planned versus played**, when as-run plays exist: the message items planned in the period by
  the latest delivered version (or ``plan``) against the plays the communes logged.

``build_report`` makes plain data; ``tables`` lays it out once, in Vietnamese; the writers only
format (Vietnamese numbers for people, plain ones in CSV and XLSX).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path

from broadcast.campaign import sheets
from broadcast.campaign.languages import languages
from broadcast.i18n import t_in
from broadcast.ledger.book import Delivery, Ledger, Play, local_date
from broadcast.ledger.report_reach import Audience, unreached
from broadcast.package import destination
from broadcast.plan import schedule

DELIVERED = ("usb", "image", "cloud")
"""Channels a package reaches the commune by: a stick, an image handed over, a pull."""
ROUTES = {"usb": "usb", "image": "image", "pull": "cloud", "publish": "published"}
"""Action → the channel the report counts it under; "published" is not a delivery."""


def _vi(key: str, **params: object) -> str:
    return t_in("vi", key, **params)


@dataclass(frozen=True)
class Package:
    """One version of one commune's package through one channel, counted once."""

    date: dt.date
    commune: str
    name: str
    channel: str
    campaign: str
    sequence: int
    version: str
    files: int
    bytes: int
    times: int
    """How many deliveries of it the period holds."""


@dataclass(frozen=True)
class Figures:
    """The figures of one commune, or of all of them (``commune == ""``)."""

    commune: str
    name: str
    packages: dict[str, int]
    topics: dict[str, float]
    """Topic ("" for none) → minutes."""
    languages: dict[str, float]
    """Language code → minutes."""
    messages: int
    planned: int
    played: int
    not_played: int
    unplanned: int
    """Played but not planned for that commune on that date."""
    matched: int
    """Planned items that a play covers (per commune, date and message)."""

    @property
    def minutes(self) -> float:
        return sum(self.languages.values())

    @property
    def rate(self) -> float | None:
        """Per cent of planned items played."""
        return 100 * self.matched / self.planned if self.planned else None


@dataclass(frozen=True)
class Report:
    start: dt.date | None
    end: dt.date | None
    packages: tuple[Package, ...]
    communes: tuple[Figures, ...]
    total: Figures
    has_plays: bool
    warnings: tuple[str, ...] = ()
    """Urgent messages that reached no commune of some language group (``report_reach``)."""


def _packages(deliveries: list[Delivery]) -> list[Package]:
    groups: dict[tuple, list[Delivery]] = {}
    for d in deliveries:  # oldest first, so the last of each group is the latest
        groups.setdefault((d.campaign, d.commune, d.channel, d.version), []).append(d)
    found = [Package(local_date(d.time), d.commune, d.commune_name, d.channel, d.campaign, d.sequence,
                     d.version, d.files, d.bytes, len(group))
             for group in groups.values() for d in group[-1:]]
    order = [*DELIVERED, "published"]
    return sorted(found, key=lambda p: (p.date, p.commune, order.index(p.channel), p.sequence))


def _latest(deliveries: list[Delivery]) -> list[Delivery]:
    """Per campaign and commune, the delivery of the highest package number (numbers only go up;
    a re-sent older version does not replace a newer one), the latest of equals."""
    kept: dict[tuple[str, str], Delivery] = {}
    for d in deliveries:  # oldest first
        held = kept.get((d.campaign, d.commune))
        if held is None or d.sequence >= held.sequence:
            kept[d.campaign, d.commune] = d
    return list(kept.values())


def _planned(plan: schedule.Schedule | None, start: dt.date | None, end: dt.date | None) -> Counter:
    return Counter((c.commune, d.date, i.id) for c in (plan.communes if plan else ()) for d in c.days
                   if (start is None or d.date >= start) and (end is None or d.date <= end)
                   for s in d.slots for i in s.items if i.kind == "message")


def _figures(commune: str, name: str, packages: list[Package], latest: list[Delivery],
             plays: list[Play], planned: Counter) -> Figures:
    mine = (lambda c: c == commune) if commune else (lambda c: True)
    topics: Counter = Counter()
    langs: Counter = Counter()
    for line in (c for d in latest if mine(d.commune) for c in d.content):
        minutes = line.plays * line.seconds / 60
        langs[line.language] += minutes
        topics.update({topic: minutes for topic in line.topics or ("",)})
    plays = [p for p in plays if mine(p.commune)]
    planned = Counter({k: n for k, n in planned.items() if mine(k[0])})
    played = Counter((p.commune, p.date, p.message) for p in plays if p.played)
    return Figures(commune, name, dict(Counter(p.channel for p in packages if mine(p.commune))),
                   dict(topics), dict(langs),
                   len({(c.message) for d in latest if mine(d.commune) for c in d.content}),
                   sum(planned.values()), sum(played.values()), sum(not p.played for p in plays),
                   sum(n for k, n in played.items() if k not in planned),
                   sum(min(n, played[k]) for k, n in planned.items()))


def build_report(ledger: Ledger, *, start: dt.date | None = None, end: dt.date | None = None,
                 plan: schedule.Schedule | None = None, audience: Audience | None = None) -> Report:
    """The report for deliveries and plays dated within [start, end] (both optional).

    ``plan`` gives the planned items; without it, the plans the ledger holds for the latest
    delivered versions are used. With the campaign's ``audience``, the report warns about each
    urgent message that reached no commune of some language group."""
    routed = [replace(d, channel=ROUTES[d.action]) for d in ledger.deliveries(start, end)
              if d.action in ROUTES]
    packages = _packages(routed)
    deliveries = [d for d in routed if d.channel in DELIVERED]
    latest = _latest(deliveries)
    plays = ledger.plays(start, end)
    planned = _planned(plan or ledger.delivered_plan(), start, end)
    names = {d.commune: d.commune_name for d in routed}
    ids = sorted(set(names) | {p.commune for p in plays} | {k[0] for k in planned})
    communes = tuple(_figures(c, names.get(c, ""), packages, latest, plays, planned) for c in ids)
    return Report(start, end, tuple(packages), communes,
                  _figures("", _vi("report.total"), packages, latest, plays, planned), bool(plays),
                  tuple(unreached(latest, audience)))


@dataclass(frozen=True)
class Table:
    """One table of the report, laid out: the same for every format."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple, ...]


def _topic(name: str) -> str:
    return name or _vi("report.no_topic")


def _language(code: str) -> str:
    return str(languages().get(code, {}).get("vi", code)) if code else _vi("report.no_language")


def _row_of(f: Figures) -> tuple:
    return (f.commune or f.name, f.name if f.commune else "", *(f.packages.get(c, 0) for c in DELIVERED),
            sum(f.packages.get(c, 0) for c in DELIVERED), f.packages.get("published", 0), f.messages,
            round(f.minutes, 1))


def _matrix(title: str, report: Report, key: str, label) -> Table:
    """Rows: topics or languages by total minutes; columns: the total, then each commune."""
    totals = getattr(report.total, key)
    order = sorted(totals, key=lambda k: (-totals[k], label(k)))
    rows = [(label(k), round(totals[k], 1), *(round(getattr(f, key).get(k, 0.0), 1) for f in report.communes))
            for k in order]
    header = (_vi(f"report.column.{key}"), _vi("report.total"), *(f.commune for f in report.communes))
    return Table(title, header, tuple(rows))


def _plays_table(report: Report) -> Table:
    names = ("commune", "name", "planned", "played", "not_played", "unplanned", "rate")
    rows = [(f.commune or f.name, f.name if f.commune else "", f.planned, f.played, f.not_played,
             f.unplanned, None if f.rate is None else round(f.rate, 1))
            for f in (*report.communes, report.total)]
    return Table(_vi("report.table.plays"), tuple(_vi(f"report.column.{n}") for n in names), tuple(rows))


def tables(report: Report) -> list[Table]:
    """The report's tables, in the order they are shown."""
    summary = ("commune", "name", *DELIVERED, "packages", "published", "messages", "minutes")
    package = ("date", "commune", "name", "channel", "campaign", "sequence", "files", "megabytes", "times")
    found = [
        Table(_vi("report.table.summary"), tuple(_vi(f"report.column.{n}") for n in summary),
              tuple(_row_of(f) for f in (*report.communes, report.total))),
        Table(_vi("report.table.packages"), tuple(_vi(f"report.column.{n}") for n in package),
              tuple((p.date, p.commune, p.name, _vi(f"report.column.{p.channel}"), p.campaign, p.sequence,
                     p.files, round(p.bytes / 1e6, 1), p.times) for p in report.packages)),
        _matrix(_vi("report.table.topics"), report, "topics", _topic),
        _matrix(_vi("report.table.languages"), report, "languages", _language),
    ]
    return [*found, _plays_table(report)] if report.has_plays else found


def period(report: Report) -> str:
    start, end = (d.strftime("%d/%m/%Y") if d else None for d in (report.start, report.end))
    if start and end:
        return _vi("report.period", start=start, end=end)
    if start or end:
        return _vi("report.period_from" if start else "report.period_to", day=start or end)
    return _vi("report.period_all")


def notes(report: Report) -> list[str]:
    found = [_vi("report.note.packages"), _vi("report.note.minutes")]
    return [*found, _vi("report.note.plays")] if report.has_plays else found


def human(value: object) -> str:
    """A cell for people: 1.234 and 1.234,5 (Vietnamese marks), dates DD/MM/YYYY, "—" for none."""
    if value is None:
        return "—"
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _numeric(column: Iterable[object]) -> bool:
    return all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in column)


def to_table(report: Report) -> str:
    """Aligned plain text, numbers right-aligned, for the terminal."""
    lines = [_vi("report.title"), period(report), "", *report.warnings, *([""] if report.warnings else [])]
    for table in tables(report):
        lines += [table.title, "-" * len(table.title)]
        if not table.rows:
            lines += [_vi("report.empty"), ""]
            continue
        cells = [list(table.header), *([human(v) for v in row] for row in table.rows)]
        widths = [max(len(row[i]) for row in cells) for i in range(len(table.header))]
        right = [_numeric(row[i] for row in table.rows) for i in range(len(widths))]
        for row in cells:
            aligned = (c.rjust(w) if r else c.ljust(w) for c, w, r in zip(row, widths, right, strict=True))
            lines.append("  ".join(aligned).rstrip())
        lines.append("")
    return "\n".join([*lines, *notes(report)]) + "\n"


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else ("" if value is None else value)


def to_csv(report: Report) -> str:
    """Every table one after another (title row, header, rows, blank row); plain numbers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([[_vi("report.title")], [period(report)], *([w] for w in report.warnings), []])
    for table in tables(report):
        rows = ([_plain(v) for v in row] for row in table.rows)
        writer.writerows([[table.title], list(table.header), *rows, []])
    writer.writerows([note] for note in notes(report))
    return buffer.getvalue()


def is_own_report(path: Path) -> bool:
    """Whether the file at ``path`` is a report broadcast wrote (any format), which ``report -o``
    may replace: its first line (or page title) is the report's title, and a workbook is
    openpyxl's with that title in it. A file of the user's is never taken for one."""
    title = _vi("report.title")
    text = destination.head(path).decode("utf-8", "ignore").lstrip("\ufeff")
    if text.startswith(f"{title}\r\n") or text.startswith(f"{title}\n"):
        return True  # csv, table
    if text.startswith("<!DOCTYPE html>") and f"<title>{escape(title)}</title>" in text:
        return True
    try:
        with zipfile.ZipFile(path) as book:
            core = book.read("docProps/core.xml").decode("utf-8")
            strings = book.read("xl/worksheets/sheet1.xml").decode("utf-8")  # the information sheet
    except (OSError, KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return False
    return "<dc:creator>openpyxl</dc:creator>" in core and escape(title) in strings


def to_xlsx(report: Report, dest: Path) -> None:
    """A workbook: the title, period and notes, then one worksheet per table; written atomically."""
    info = [[_vi("report.title")], [period(report)], *([w] for w in report.warnings), [],
            *([n] for n in notes(report))]
    books = {_vi("report.sheet_info"): info}
    books.update({t.title: [list(t.header), *(list(r) for r in t.rows)] for t in tables(report)})
    sheets.write_xlsx(dest, books)
