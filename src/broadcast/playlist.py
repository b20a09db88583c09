"""Playlist and schedule-sheet writers: extended M3U8, PLS, and the CSV sheet an operator reads.

Plain text out of plain data. Paths are relative with forward slashes (every player, every OS);
the order given is the order written, exactly; titles stay in Vietnamese (UTF-8).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from broadcast.i18n import t_in

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


SHEET_COLUMNS = ("date", "weekday", "slot", "time", "order", "kind", "id", "title", "language",
                 "priority", "duration", "file")


def sheet(rows: Iterable[Sequence[object]], lang: str = "vi") -> str:
    """A CSV sheet with headers in ``lang`` (Vietnamese: it goes to the commune), UTF-8 with BOM
    so Excel shows Vietnamese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=CRLF)
    writer.writerow([t_in(lang, f"sheet.{column}") for column in SHEET_COLUMNS])
    writer.writerows(rows)
    return "\ufeff" + buffer.getvalue()
