"""The date-less playlist of each slot, for players that cannot follow dates.

Such a player plays the same list every day, so it may hold only messages valid on every day of
the campaign (and on every weekday the campaign has); a message whose dates are the campaign's
own is one of them. The list is the day that keeps the most such messages, with the others taken
out and the slot's rules kept: no jingle twice in a row, never the same message twice in a row,
never a jingle last, items back to back as in the dated playlists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from broadcast.campaign.model import Workspace
from broadcast.plan.rotation import valid_on
from broadcast.plan.schedule import Item, Schedule


def evergreen(ws: Workspace, plan_: Schedule, commune_id: str) -> dict[str, list[Item]]:
    """Per slot, the items of the date-less playlist (see the module's description)."""
    span = ws.settings.campaign
    days = [span.start + dt.timedelta(days=n) for n in range((span.end - span.start).days + 1)]
    always = {m.id for m in ws.messages if all(valid_on(m, day) for day in days)}
    gap = ws.settings.schedule.gap_seconds
    best: dict[str, list[Item]] = {}
    commune = next(c for c in plan_.communes if c.commune == commune_id)
    for day in commune.days:
        for slot in day.slots:
            items = _keep_rules([i for i in slot.items if i.kind == "jingle" or i.id in always])
            if _messages(items) > _messages(best.get(slot.slot, [])):
                best[slot.slot] = _back_to_back(items, gap)
    return best


def _keep_rules(items: list[Item]) -> list[Item]:
    """What taking messages out of a slot can break, mended: two jingles or two plays of one
    message side by side, a jingle last."""
    kept: list[Item] = []
    for item in items:
        if kept and item.kind == "jingle" and kept[-1].kind == "jingle":
            continue
        last_said = next((i for i in reversed(kept) if i.kind == "message"), None)
        if item.kind == "message" and last_said is not None and last_said.id == item.id:
            continue  # not even with a jingle between
        kept.append(item)
    while kept and kept[-1].kind == "jingle":
        kept.pop()
    return kept


def _back_to_back(items: list[Item], gap: float) -> list[Item]:
    laid, start = [], 0.0
    for item in items:
        laid.append(replace(item, start=round(start, 3)))
        start += item.duration + gap
    return laid


def _messages(items: list[Item]) -> int:
    return sum(1 for i in items if i.kind == "message")
