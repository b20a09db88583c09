"""HUONG-DAN.txt: plain Vietnamese instructions for the commune operator, from the page data.

Plain text with Windows line ends (Notepad on an old office PC must show it right) and a UTF-8
byte-order mark added by the package writer.
"""

from __future__ import annotations

from broadcast.i18n import t_in
from broadcast.plan.playlist import clock

NAME = "HUONG-DAN.txt"


COLUMNS = ("date", "weekday", "slot", "start", "folder", "count", "length")
RIGHT = frozenset({"count", "length"})
"""Columns of numbers, aligned on the right."""


def _schedule_lines(data: dict) -> list[str]:
    """The schedule as a table whose columns are as wide as their longest cell: slot names are
    the office's own ("Phiên chợ sáng"), of any length, and Notepad shows a fixed-width font."""
    rows = []
    for day in data["days"]:
        for slot in day["slots"]:
            rows.append({"date": _vietnamese_date(day["date"]), "weekday": day["weekday"],
                         "slot": slot.get("title") or slot["slot"], "start": slot["start"],
                         "folder": slot["folder"],
                         "count": str(sum(1 for item in slot["items"] if item["kind"] == "message")),
                         "length": clock(sum(item["duration"] for item in slot["items"]))})
    if not rows:
        return [t_in("vi", "guide.nothing")]
    header = {name: t_in("vi", f"guide.column.{name}") for name in COLUMNS}
    widths = {name: max(len(row[name]) for row in (header, *rows)) for name in COLUMNS}

    def line(row: dict) -> str:
        cells = (row[n].rjust(widths[n]) if n in RIGHT else row[n].ljust(widths[n]) for n in COLUMNS)
        return "  ".join(cells).rstrip()
    return [line(header), *(line(row) for row in rows)]


def _examples(data: dict) -> str:
    """The package's own first two folders, as examples of how folders are named."""
    slots = [(day, slot) for day in data["days"] for slot in day["slots"]][:2]
    return "; ".join(t_in("vi", "guide.example_one", folder=slot["folder"],
                          slot=(slot.get("title") or slot["slot"]).lower(),
                          day=_vietnamese_date(day["date"])[:5]) for day, slot in slots)


def _vietnamese_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def render(data: dict) -> str:
    """The instructions as text (``data`` as for the offline page)."""
    audio = sum(len(slot["items"]) for day in data["days"] for slot in day["slots"])
    params = {
        "campaign": data["campaign"]["name"], "organization": data["organization"],
        "commune": data["commune"]["name"], "province": data["commune"]["province"],
        "version": data["version"], "created": data["created"], "files": audio,
        "start": _vietnamese_date(data["campaign"]["start"]),
        "end": _vietnamese_date(data["campaign"]["end"]),
    }
    contents = t_in("vi", "guide.contents", **params).splitlines()
    if _examples(data):  # after the line that says how folders are named
        contents.insert(2, t_in("vi", "guide.example", examples=_examples(data)))
    parts = [t_in("vi", "guide.header", **params), "\n".join(contents) + "\n",
             t_in("vi", "guide.play", **params), t_in("vi", "guide.schedule_title", **params),
             *_schedule_lines(data), "", t_in("vi", "guide.check", **params)]
    if data.get("fingerprint"):
        parts.append(t_in("vi", "guide.fingerprint", fingerprint=data["fingerprint"]))
    parts.append(t_in("vi", "guide.contact", **params))
    contact = data.get("contact") or {}
    parts += [t_in("vi", f"guide.contact_{key}", value=value) for key, value in contact.items()]
    text = "\n".join(parts)
    return "\r\n".join(text.splitlines()) + "\r\n"
