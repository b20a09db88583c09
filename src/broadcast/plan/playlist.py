"""Playlist and schedule-sheet writers: extended M3U8, PLS, the CSV sheet an operator reads, and
the day-by-day table the office reads on the terminal.

Plain text out of plain data. Paths are relative with forward slashes (every player, every OS);
the order given is the order written, exactly; titles stay in Vietnamese (UTF-8).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from broadcast.campaign.model import WEEKDAYS
from broadcast.i18n import t, t_in
from broadcast.plan.schedule import CommunePlan, Schedule, SlotPlan

CRLF = "\r\n"
"""Windows line ends: USB players and Windows tools read them, and every other parser too."""


@dataclass(frozen=True)
class Entry:
    path: str
    duration: float
    title: str


def _clean(title: str) -> str:
    return " ".join(title.split())


def m3u8(entries: Sequence[Entry], name: str | None = None) -> str:
    """An extended M3U playlist in UTF-8: ``#EXTINF:<seconds>,<title>`` before each path."""
    lines = ["#EXTM3U"]
    if name:
        lines.append(f"#PLAYLIST:{_clean(name)}")
    for entry in entries:
        lines.append(f"#EXTINF:{round(entry.duration)},{_clean(entry.title)}")
        lines.append(entry.path)
    return CRLF.join(lines) + CRLF


def pls(entries: Sequence[Entry]) -> str:
    """A PLS (version 2) playlist: numbered File/Title/Length keys."""
    lines = ["[playlist]"]
    for number, entry in enumerate(entries, start=1):
        lines += [f"File{number}={entry.path}", f"Title{number}={_clean(entry.title)}",
                  f"Length{number}={round(entry.duration)}"]
    lines += [f"NumberOfEntries={len(entries)}", "Version=2"]
    return CRLF.join(lines) + CRLF


def both(name: str, entries: Sequence[Entry], title: str | None = None) -> dict[str, str]:
    """The M3U8 and PLS playlists of one list, keyed by file name; ``title`` is what a player
    shows as the list's name (``slot_title``), else the file's name."""
    title = title or name.rsplit("/", 1)[-1]
    return {f"{name}.m3u8": m3u8(entries, title), f"{name}.pls": pls(entries)}


def slot_title(title: str, day: dt.date | None = None) -> str:
    """A playlist's name as operators say it: the slot's name, and the day for a dated list
    ("Phiên chợ sáng 02/12/2026"), never the file's code."""
    return f"{title} {day.strftime('%d/%m/%Y')}" if day else title


SHEET_COLUMNS = ("date", "weekday", "slot", "time", "order", "kind", "id", "title", "language",
                 "priority", "duration", "file")


def schedule_sheet(commune: CommunePlan, path_of: Callable[[dt.date, SlotPlan, int], str],
                   lang: str = "vi", titles: Mapping[str, str] | None = None) -> str:
    """The CSV schedule of one commune: one row per item, with the file each item plays.

    ``path_of(day, slot, index)`` names the file of the slot's item ``index`` as the reader
    of the sheet finds it. Headers and labels are in ``lang``: Vietnamese, since the sheet goes
    to the commune; slots are named by ``titles`` (code → name people use). UTF-8 with a
    byte-order mark, so Excel shows Vietnamese correctly.
    """
    titles = titles or {}
    label = cache(lambda key: t_in(lang, key))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=CRLF)
    writer.writerow([label(f"sheet.{column}") for column in SHEET_COLUMNS])
    for day in commune.days:
        weekday = label(f"sheet.day_{WEEKDAYS[day.date.weekday()]}")
        for slot in day.slots:
            start = dt.datetime.combine(day.date, slot.start)
            for index, item in enumerate(slot.items):
                at = (start + dt.timedelta(seconds=item.start)).strftime("%H:%M:%S")
                writer.writerow([day.date.isoformat(), weekday, titles.get(slot.slot, slot.slot), at,
                                 index + 1,
                                 label(f"sheet.kind_{item.kind}"), item.id, item.title,
                                 item.language, label(f"sheet.priority_{item.priority}"),
                                 round(item.duration, 1), path_of(day.date, slot, index)])
    return "\ufeff" + buffer.getvalue()


def clock(seconds: float) -> str:
    """A duration as minutes:seconds, the way operators read it."""
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


def table(plan: Schedule, names: dict[str, str],
          titles: dict[str, dict[str, str]] | None = None) -> list[str]:
    """The plan day by day, slot by slot, item by item, in the reader's language; slots by the
    names operators use (``titles``: commune → code → name)."""
    lines = []
    for commune in plan.communes:
        called = (titles or {}).get(commune.commune, {})
        lines.append(f"{names[commune.commune]} ({commune.commune})")
        for day in commune.days:
            lines.append(f"  {day.date.isoformat()} {t('sheet.day_' + WEEKDAYS[day.date.weekday()])}")
            for slot in day.slots:
                lines.append("    " + t("cli.schedule.slot", slot=called.get(slot.slot, slot.slot),
                                        start=slot.start.strftime("%H:%M"),
                                        used=clock(slot.used), budget=clock(slot.budget)))
                start = dt.datetime.combine(day.date, slot.start)
                for item in slot.items:
                    at = (start + dt.timedelta(seconds=item.start)).strftime("%H:%M:%S")
                    lines.append(f"      {at}  {clock(item.duration):>6}  {item.title}")
    return lines
