"""Which clip plays where and when: every commune, day and slot of the campaign, as plain data.

``plan`` walks the communes (workspace order), the campaign's dates and each day's slots in
order, and fills every slot from the messages eligible there: in the commune's languages, rendered,
valid that day. Emergency messages come first, then priority, then normal ones fill the rest;
``rotation`` decides which message is next so that airtime is shared fairly over the campaign.
The result is frozen data that playlists, packages and reports read; nothing here touches audio.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, replace

from broadcast.campaign.languages import language_name
from broadcast.campaign.model import Commune, Message, Workspace
from broadcast.errors import InputError, Problem
from broadcast.plan import reach
from broadcast.plan.rotation import DayFill, Placement, SlotFill, Timing, calendar, slots_on, valid_on, walk

STATION = "_station"
"""The id of station-jingle items."""
_SHOWN_DATES = 5
_COMMUNE_WARNINGS = ("schedule.empty_days", "schedule.underfilled", "schedule.recording_missing")


@dataclass(frozen=True)
class ClipInfo:
    """A rendered clip, as the planner needs it."""

    id: str
    """Message id, or ``"_station"`` for the station jingle."""
    path: str
    """Opaque to the planner; carried into the items."""
    duration: float
    """Seconds."""
    title: str


@dataclass(frozen=True, slots=True)
class Item:
    """One entry of a slot's playlist."""

    kind: str
    """``"message"`` or ``"jingle"``."""
    id: str
    path: str
    title: str
    start: float
    """Seconds from the slot's start, counting the jingles and gaps before it."""
    duration: float
    priority: str
    """``"emergency"``, ``"priority"`` or ``"normal"`` (jingles are normal)."""
    language: str
    """The message's language; empty for jingles."""

    def to_json(self) -> dict:
        return {"kind": self.kind, "id": self.id, "path": self.path, "title": self.title,
                "start": round(self.start, 3), "duration": round(self.duration, 3),
                "priority": self.priority, "language": self.language}


@dataclass(frozen=True)
class SlotPlan:
    """What one slot plays on one day."""

    slot: str
    start: dt.time
    minutes: int
    budget: float
    """Seconds available to the campaign: ``minutes * 60 * fill``."""
    items: tuple[Item, ...]

    @property
    def used(self) -> float:
        """Seconds from the slot's start to the end of its last item."""
        return self.items[-1].start + self.items[-1].duration if self.items else 0.0

    def to_json(self) -> dict:
        return {"slot": self.slot, "start": self.start.isoformat(timespec="minutes"),
                "minutes": self.minutes, "budget": round(self.budget, 3),
                "used": round(self.used, 3), "items": [i.to_json() for i in self.items]}


@dataclass(frozen=True)
class DayPlan:
    date: dt.date
    slots: tuple[SlotPlan, ...]

    def to_json(self) -> dict:
        return {"date": self.date.isoformat(), "slots": [s.to_json() for s in self.slots]}


@dataclass(frozen=True)
class CommunePlan:
    """A commune's broadcast days (only the days on which it has a slot)."""

    commune: str
    days: tuple[DayPlan, ...]

    def to_json(self) -> dict:
        return {"commune": self.commune, "days": [d.to_json() for d in self.days]}


@dataclass(frozen=True)
class Schedule:
    """The whole campaign's plan, with the warnings found while making it."""

    campaign: str
    start: dt.date
    end: dt.date
    communes: tuple[CommunePlan, ...]
    warnings: tuple[Problem, ...]

    def to_json(self) -> dict:
        """Plain JSON types, ISO dates and times, keys in a fixed order."""
        return {"campaign": self.campaign, "start": self.start.isoformat(),
                "end": self.end.isoformat(), "communes": [c.to_json() for c in self.communes],
                "warnings": [_problem_json(p) for p in self.warnings]}


def _problem_json(problem: Problem) -> dict:
    params = {k: v if isinstance(v, (int, float, str)) else str(v)
              for k, v in problem.params.items()}
    return {"key": problem.key, "severity": problem.severity, "file": problem.file,
            "line": problem.line, "record": problem.record, "field": problem.field,
            "params": params}


@dataclass(frozen=True)
class _Context:
    """What every slot of the campaign shares."""

    ws: Workspace
    clips: Mapping[str, ClipInfo]
    jingle: ClipInfo | None
    timing: Timing
    days: list[dt.date]
    messages: dict[str, Message]


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def plan(ws: Workspace, clips: Mapping[str, ClipInfo], jingle: ClipInfo | None = None,
         communes: Collection[str] | None = None, *,
         each: Callable[[Schedule], None] | None = None) -> Schedule:
    """Plan the whole campaign for every commune, or for the ``communes`` named: a commune's plan
    never depends on another's, so one commune costs one commune. The same inputs give the same
    plan, byte for byte: nothing depends on the order of ``clips`` or on the clock. Whether a
    message plays anywhere is told only when every commune is planned.

    With ``each``, every commune's plan goes to it as soon as it is made and is not kept: the
    returned schedule then holds the warnings only, and a national plan costs one commune's
    memory, not the country's."""
    planned, warnings, played = [], [], Counter()
    for one in each_commune(ws, clips, jingle, communes):
        commune = one.communes[0]
        if each is None:
            planned.append(commune)
        else:
            each(one)
        played.update(i.id for day in commune.days for s in day.slots for i in s.items if i.kind != "jingle")
        warnings += one.warnings
    # Awaiting messages are reported per commune and language (recording_missing) instead.
    ctx = _context(ws, clips, jingle)
    warnings += [_no_airtime(ctx, m) for m in ws.messages
                 if communes is None and not m.awaiting_recording and not played[m.id]]
    warnings += reach.unreached(ws)
    campaign = ws.settings.campaign
    return Schedule(campaign.id, campaign.start, campaign.end, tuple(planned), tuple(warnings))


def each_commune(ws: Workspace, clips: Mapping[str, ClipInfo], jingle: ClipInfo | None = None,
                 communes: Collection[str] | None = None) -> Iterator[Schedule]:
    """The campaign's plan one commune at a time, in the workspace's order, each with that
    commune's own warnings: a caller that writes as it goes holds one commune, not the country."""
    ctx = _context(ws, clips, jingle)
    campaign, timing, days = ws.settings.campaign, ctx.timing, ctx.days
    durations = {m.id: _ms(clips[m.id].duration) for m in ws.messages if m.id in clips}
    valid = calendar(ws.messages, days)
    for commune in ws.communes:
        if communes is not None and commune.id not in communes:
            continue
        filled = walk(commune, ws.messages, durations, timing, days, valid)
        planned = CommunePlan(commune.id, tuple(
            DayPlan(day.day, tuple(_slot_plan(ctx, s) for s in day.slots)) for day in filled))
        yield Schedule(campaign.id, campaign.start, campaign.end, (planned,),
                       tuple(_commune_warnings(ws, commune, filled)))


def _context(ws: Workspace, clips: Mapping[str, ClipInfo], jingle: ClipInfo | None) -> _Context:
    campaign = ws.settings.campaign
    timing = Timing(ws.settings.schedule, _ms(jingle.duration) if jingle else None)
    days = [campaign.start + dt.timedelta(days=n)
            for n in range((campaign.end - campaign.start).days + 1)]
    return _Context(ws, clips, jingle, timing, days, {m.id: m for m in ws.messages})


def _slot_plan(ctx: _Context, filled: SlotFill) -> SlotPlan:
    slot = filled.slot
    items = tuple(_item(ctx, p) for p in filled.placements)
    return SlotPlan(slot.name, slot.start, slot.minutes, filled.budget / 1000, items)


def _item(ctx: _Context, placement: Placement) -> Item:
    start, duration = placement.start / 1000, placement.duration / 1000
    if placement.id is None:
        jingle = ctx.jingle
        return Item("jingle", STATION, jingle.path, jingle.title, start, duration, "normal", "")
    message, clip = ctx.messages[placement.id], ctx.clips[placement.id]
    return Item("message", message.id, clip.path, clip.title, start, duration, message.priority,
                message.language)


def _commune_warnings(ws: Workspace, commune: Commune, filled: list[DayFill]) -> list[Problem]:
    where = {"severity": "warning", "file": commune.source.file, "line": commune.source.line,
             "record": commune.id}
    found = []
    for language in commune.languages:
        waiting = [m.id for m in ws.messages if m.language == language and m.awaiting_recording]
        if waiting:
            found.append(Problem("schedule.recording_missing", field="languages", **where, params={
                "language": language_name(language), "count": len(waiting),
                "ids": ", ".join(waiting)}))
    empty = [day.day for day in filled if not day.eligible]
    if empty:
        shown = ", ".join(d.isoformat() for d in empty[:_SHOWN_DATES])
        found.append(Problem("schedule.empty_days", **where, params={
            "count": len(empty), "dates": shown + (", …" if len(empty) > _SHOWN_DATES else ""),
            "languages": ", ".join(language_name(lang) for lang in commune.languages)}))
    return found + _underfilled(commune, filled, where)


def _underfilled(commune: Commune, filled: list[DayFill], where: dict) -> list[Problem]:
    """One warning per slot that ran out of messages on some days (see ``SlotFill.short``)."""
    found = []
    for slot in commune.slots:
        runs = [s for day in filled for s in day.slots if s.slot.name == slot.name and s.longest]
        short = [s for s in runs if s.short]
        if short:
            least = min(short, key=lambda s: s.used)
            found.append(Problem("schedule.underfilled", field="slots", **where, params={
                "slot": slot.label, "code": slot.name, "count": len(short), "total": len(runs),
                "used": round(least.used / 1000), "budget": round(least.budget / 1000)}))
    return found


def _no_airtime(ctx: _Context, message: Message) -> Problem:
    """A message that never plays, and the first reason found why."""
    reason, params = _silence_reason(ctx, message)
    return Problem(f"schedule.no_airtime.{reason}", file=message.source.file,
                   line=message.source.line, record=message.id, severity="warning",
                   params=params)


def _silence_reason(ctx: _Context, message: Message) -> tuple[str, dict]:
    language = {"language": language_name(message.language)}
    if message.id not in ctx.clips:
        return "no_clip", {}
    speakers = [c for c in ctx.ws.communes if message.language in c.languages]
    if not speakers:
        return "no_language", language
    days = [d for d in ctx.days if valid_on(message, d)]
    if not days:
        campaign = ctx.ws.settings.campaign
        return "outside_campaign", {"start": campaign.start, "end": campaign.end}
    slots = [s for c in speakers for d in days for s in slots_on(c, d)]
    if not slots:
        return "no_slot", language
    room = max(ctx.timing.room(s) for s in slots)
    if _ms(ctx.clips[message.id].duration) > room:
        return "too_long", {**language, "seconds": round(ctx.clips[message.id].duration),
                            "room": room // 1000}
    return "crowded_out", {}


def select(schedule: Schedule, *, commune: str | None = None,
           day: dt.date | None = None) -> Schedule:
    """The part of a planned campaign for one commune and/or one day.

    Filter a whole-campaign plan rather than planning a part: fairness runs over the whole
    campaign, so a day's playlist must be the same whichever way it is asked for.
    """
    communes, start, end = schedule.communes, schedule.start, schedule.end
    if commune is not None:
        communes = tuple(c for c in communes if c.commune == commune)
        if not communes:
            raise InputError("schedule.unknown_commune", commune=commune,
                             known=", ".join(c.commune for c in schedule.communes))
    if day is not None:
        if not start <= day <= end:
            raise InputError("schedule.day_outside", day=day, start=start, end=end)
        communes = tuple(replace(c, days=tuple(d for d in c.days if d.date == day))
                         for c in communes)
        start = end = day
    warnings = tuple(w for w in schedule.warnings
                     if commune is None or w.key not in _COMMUNE_WARNINGS or w.record == commune)
    return Schedule(schedule.campaign, start, end, communes, warnings)


def plays(schedule: Schedule) -> dict[str, dict[str, int]]:
    """Commune id -> message id -> number of plays (message ids sorted)."""
    result = {}
    for commune in schedule.communes:
        counted = Counter(item.id for day in commune.days for slot in day.slots
                          for item in slot.items if item.kind == "message")
        result[commune.commune] = dict(sorted(counted.items()))
    return result
