"""Fair rotation: which message plays next, how a slot fills, and the walk over the campaign.

Weighted fair queuing, per commune over the whole campaign. Every message carries a *virtual
service* ``served`` that grows by ``1/weight`` per play, so a message of weight 2 advances half as
fast and is picked about twice as often. A pick takes, among the messages that fit in what is
left of the slot, the lowest *finish tag* ``served + 1/weight``; ties go to a daily rotation of the
workspace order, so no message always wins ties. This module knows ids, weights and durations
only, in whole milliseconds so that sums are exact and a slot is never overrun by a rounding;
``schedule`` turns its placements into playlist items.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from broadcast.model import PRIORITIES, WEEKDAYS, Commune, Message, ScheduleRules, Slot


@dataclass(frozen=True)
class Entry:
    """A message as the rotation sees it."""

    id: str
    tier: str
    duration: int
    """Milliseconds."""
    weight: float
    index: int
    """Position in the workspace: the daily tie-break rotates over it."""


@dataclass(frozen=True)
class SlotRules:
    """How one slot is filled: its budget and the station-jingle rules (milliseconds)."""

    budget: int
    gap: int
    jingle: int | None
    """Duration of the station jingle; None when there is none."""
    jingle_every: int
    jingle_at_start: bool
    caps: Mapping[str, int]
    """Plays of one message per slot, per tier (emergency and priority: once)."""


@dataclass(frozen=True)
class Placement:
    """One item of a slot: a message (``id``) or the station jingle (``id`` None)."""

    id: str | None
    start: int
    duration: int


class Rotation:
    """One commune's fairness state over the campaign."""

    def __init__(self, count: int) -> None:
        self.count = count  # messages in the workspace: the tie-break rotates modulo this
        self.plays: Counter[str] = Counter()
        # served = base + plays_since_base / weight, recomputed rather than summed so that
        # weights like 3 do not drift by rounding and equal shares stay exactly equal.
        self._base: dict[str, float] = {}
        self._since: Counter[str] = Counter()
        self._served: dict[str, float] = {}
        self._before: frozenset[str] = frozenset()
        self._clock: dict[str, float] = {}  # the system virtual time, per tier

    def served(self, message_id: str) -> float:
        return self._served.get(message_id, 0.0)

    def open_day(self, eligible: Iterable[Entry]) -> None:
        """Start a broadcast day with these messages eligible.

        A message that was not eligible on the previous broadcast day (validity starting later,
        weekday limits) joins at the tier's virtual time, the lowest ``served`` of the messages
        that stayed eligible: it does not hog the slots catching up on days it could not play,
        and a new message is not starved behind the old ones either.
        """
        entries = list(eligible)
        for tier in sorted({e.tier for e in entries}):
            staying = [self.served(e.id) for e in entries if e.tier == tier and e.id in self._before]
            if staying:
                self._clock[tier] = max(self._clock.get(tier, 0.0), min(staying))
            clock = self._clock.get(tier, 0.0)
            for e in entries:
                if e.tier == tier and e.id not in self._before and self.served(e.id) < clock:
                    self._base[e.id], self._since[e.id] = clock, 0
                    self._served[e.id] = clock
        self._before = frozenset(e.id for e in entries)

    def record(self, entry: Entry) -> None:
        self.plays[entry.id] += 1
        self._since[entry.id] += 1
        self._served[entry.id] = self._base.get(entry.id, 0.0) + self._since[entry.id] / entry.weight

    def key(self, entry: Entry, day: int) -> tuple[float, int]:
        """Pick order: the finish tag, then the workspace order rotated by the day number."""
        finish = self._served.get(entry.id, 0.0) + 1 / entry.weight
        return finish, (entry.index - day) % self.count

    def pick(self, queue: Sequence[tuple[tuple[float, int], Entry]],
             longest_first: Sequence[Entry], room: int,
             allowed: Callable[[Entry], bool]) -> int | None:
        """The position in ``queue`` (sorted by ``key``) of the message to play next in ``room``
        milliseconds, or None when the tier is done for this slot.

        Fairness guard: a message that fits may not overtake one that does not fit while it is
        already further ahead (higher ``served``); otherwise a long clip that rarely fits would
        fall behind by more than one play. Stopping leaves the rest of the slot to later tiers,
        and the long clip opens the next slot.
        """
        served = self._served
        bar = math.inf  # the lowest served among the messages that no longer fit
        for entry in longest_first:
            if entry.duration <= room:
                break
            if allowed(entry):
                bar = min(bar, served.get(entry.id, 0.0))
        for position, (_, entry) in enumerate(queue):
            if entry.duration <= room and served.get(entry.id, 0.0) <= bar and allowed(entry):
                return position
        return None


def fill(rotation: Rotation, tiers: Sequence[Sequence[Entry]], rules: SlotRules,
         day: int) -> list[Placement]:
    """Fill one slot, tier after tier (emergency, priority, normal), never past its budget.

    A station jingle is owed at the start (``jingle_at_start``) and after every ``jingle_every``
    messages, and is placed only together with the message that follows it: so it never ends
    the slot and two jingles never meet. ``gap`` of silence separates items.
    """
    placed: list[Placement] = []
    used, since_jingle, previous = 0, 0, None
    in_slot: Counter[str] = Counter()
    owed = rules.jingle is not None and rules.jingle_at_start

    def allowed(entry: Entry) -> bool:  # never twice in a row, at most `caps` times per slot
        return entry.id != previous and in_slot[entry.id] < rules.caps[entry.tier]

    for tier in tiers:
        # Kept sorted as plays go: only the message just played changes its key.
        queue = sorted((rotation.key(e, day), e) for e in tier)
        longest_first = sorted(tier, key=lambda e: -e.duration)
        while True:
            lead = (rules.gap if placed else 0) + (rules.jingle + rules.gap if owed else 0)
            position = rotation.pick(queue, longest_first, rules.budget - used - lead, allowed)
            if position is None:
                break
            entry = queue.pop(position)[1]
            start = used + (rules.gap if placed else 0)
            if owed:
                placed.append(Placement(None, start, rules.jingle))
                start += rules.jingle + rules.gap
                since_jingle = 0
            placed.append(Placement(entry.id, start, entry.duration))
            used = start + entry.duration
            rotation.record(entry)
            bisect.insort(queue, (rotation.key(entry, day), entry))
            in_slot[entry.id] += 1
            previous = entry.id
            since_jingle += 1
            owed = rules.jingle is not None and 0 < rules.jingle_every <= since_jingle
    return placed


@dataclass(frozen=True)
class Timing:
    """The campaign's slot rules, in milliseconds."""

    rules: ScheduleRules
    jingle: int | None
    """The station jingle's duration; None when there is none."""

    def budget(self, slot: Slot) -> int:
        share = slot.fill if slot.fill is not None else self.rules.fill
        return round(slot.minutes * 60 * share * 1000)

    def room(self, slot: Slot) -> int:
        """The longest message that fits in the slot: its budget less the opening jingle."""
        if self.jingle is None or not self.rules.jingle_at_start:
            return self.budget(slot)
        return self.budget(slot) - self.jingle - round(self.rules.gap_seconds * 1000)

    def lead(self) -> int:
        """The most silence and jingle that can come before one message inside a slot."""
        gap = round(self.rules.gap_seconds * 1000)
        if self.jingle is None or self.rules.jingle_every == 0:
            return gap
        return gap + self.jingle + gap

    def slot_rules(self, slot: Slot) -> SlotRules:
        return SlotRules(budget=self.budget(slot), gap=round(self.rules.gap_seconds * 1000),
                         jingle=self.jingle, jingle_every=self.rules.jingle_every,
                         jingle_at_start=self.rules.jingle_at_start,
                         caps={"emergency": 1, "priority": 1, "normal": self.rules.max_per_slot})


@dataclass(frozen=True)
class SlotFill:
    """One slot of one day, filled."""

    slot: Slot
    budget: int
    placements: tuple[Placement, ...]
    longest: int
    """The longest eligible message that fits the slot (0: none was eligible)."""
    short: bool
    """Under-filled: even the longest eligible message, with its jingle and gaps, would still
    have fitted in what was left, so the slot ran out of messages rather than of time."""

    @property
    def used(self) -> int:
        last = self.placements[-1] if self.placements else None
        return last.start + last.duration if last else 0


@dataclass(frozen=True)
class DayFill:
    day: dt.date
    eligible: int
    """How many messages were eligible that day."""
    slots: tuple[SlotFill, ...]


def valid_on(message: Message, day: dt.date) -> bool:
    """Within the message's validity dates (each optional, inclusive) and weekdays."""
    return ((message.valid_from is None or message.valid_from <= day)
            and (message.valid_until is None or day <= message.valid_until)
            and WEEKDAYS[day.weekday()] in message.weekdays)


def slots_on(commune: Commune, day: dt.date) -> list[Slot]:
    """The commune's slots that speak on ``day``, in start order."""
    weekday = WEEKDAYS[day.weekday()]
    return sorted((s for s in commune.slots if weekday in s.weekdays), key=lambda s: s.start)


def pool(commune: Commune, messages: Sequence[Message], durations: Mapping[str, int],
         timing: Timing) -> list[tuple[Message, Entry]]:
    """The commune's messages that could ever play: its languages, rendered, fitting a slot.

    A message that fits no slot at all is left out here, not only at pick time, so that it
    cannot hold back the virtual time of the messages that do play.
    """
    longest = max((timing.room(s) for s in commune.slots), default=0)
    found = []
    for index, message in enumerate(messages):
        duration = durations.get(message.id)
        if (message.language in commune.languages and not message.awaiting_recording
                and duration is not None and duration <= longest):
            found.append((message, Entry(message.id, message.priority, duration,
                                         message.weight, index)))
    return found


def walk(commune: Commune, messages: Sequence[Message], durations: Mapping[str, int],
         timing: Timing, days: Sequence[dt.date]) -> list[DayFill]:
    """Fill the commune's slots day after day, in time order; fairness runs over all of them."""
    eligible = pool(commune, messages, durations, timing)
    rotation = Rotation(len(messages))
    filled = []
    for number, day in enumerate(days):
        slots = slots_on(commune, day)
        if not slots:
            continue
        today = [entry for message, entry in eligible if valid_on(message, day)]
        rotation.open_day(today)
        filled.append(DayFill(day, len(today), tuple(
            _fill_slot(rotation, timing, slot, today, number) for slot in slots)))
    return filled


def _fill_slot(rotation: Rotation, timing: Timing, slot: Slot, today: list[Entry],
               number: int) -> SlotFill:
    room = timing.room(slot)
    fits = [e for e in today if e.duration <= room]
    tiers = [[e for e in fits if e.tier == tier] for tier in PRIORITIES]
    rules = timing.slot_rules(slot)
    placements = tuple(fill(rotation, tiers, rules, number))
    longest = max((e.duration for e in fits), default=0)
    end = placements[-1].start + placements[-1].duration if placements else 0
    return SlotFill(slot, rules.budget, placements, longest,
                    short=bool(fits) and end + timing.lead() + longest <= rules.budget)
