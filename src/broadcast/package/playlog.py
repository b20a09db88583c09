"""The blank play log every package carries: the operator marks what was played and sends it back.

``nhat-ky-phat.csv``: one row per planned message, with empty columns the operator fills in
("Đã phát (có/không)", "Giờ phát thực tế", "Ghi chú"); ``ledger/asrun.py`` reads it back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Mapping

from broadcast.campaign.model import WEEKDAYS
from broadcast.i18n import t_in
from broadcast.package.manifest import PLAY_LOG
from broadcast.plan import schedule

NAME = PLAY_LOG
COLUMNS = ("commune", "date", "weekday", "slot", "planned_time", "order", "message", "title",
           "file", "played", "actual_time", "note")
"""The blank sheet's columns, in order; headers are ``asrun.column.<name>`` in the catalogs."""

def blank_sheet(commune_plan: schedule.CommunePlan,
                path_of: Callable[[dt.date, schedule.SlotPlan, int], str],
                titles: Mapping[str, str] | None = None) -> str:
    """The blank play log of one commune (CSV, UTF-8 with BOM, CRLF, Vietnamese headers).

    One row per planned message (jingles are not logged); ``path_of(day, slot, index)`` names
    the file of the slot's item ``index``, as in the schedule sheet. The commune id is on every
    row, so a sheet sent back under any file name still says where it comes from. Slots are
    named as the operator calls them (``titles``: code → name), as in the schedule sheet.
    """
    titles = titles or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([t_in("vi", f"asrun.column.{name}") for name in COLUMNS])
    for day in commune_plan.days:
        weekday = t_in("vi", f"sheet.day_{WEEKDAYS[day.date.weekday()]}")
        for slot in day.slots:
            start = dt.datetime.combine(day.date, slot.start)
            for index, item in enumerate(slot.items):
                if item.kind != "message":
                    continue
                at = (start + dt.timedelta(seconds=item.start)).strftime("%H:%M:%S")
                writer.writerow([commune_plan.commune, day.date.isoformat(), weekday,
                                 titles.get(slot.slot, slot.slot), at,
                                 index + 1, item.id, item.title, path_of(day.date, slot, index),
                                 "", "", ""])
    return "\ufeff" + buffer.getvalue()
