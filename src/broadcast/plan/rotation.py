"""Fair rotation: which message plays next, how a slot fills, and the walk over the campaign.

Weighted fair queuing, per commune over the whole campaign. Every message carries a *virtual
service* ``served`` that grows by ``1/weight`` per play, so a message of weight 2 advances half as
fast and is picked about twice as often. A pick takes, among the messages that fit in what is
left of the slot, the lowest *finish tag* ``served + 1/weight``; ties go to a daily rotation of the
workspace order, so no message always wins ties. Two more rules keep shares even: a message
that fits may not overtake a further-behind one that does not (``Rotation.pick``), and a message
that becomes eligible late joins at the current virtual time (``Rotation.open_day``).

This module knows ids, weights and durations only, in whole milliseconds so that sums are exact
and a slot is never overrun by a rounding; ``schedule`` turns its placements into playlist items.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import Counter
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass

from broadcast.campaign.model import PRIORITIES, WEEKDAYS, Commune, Message, ScheduleRules, Slot

Queue = list[tuple[tuple[float, int], "Entry"]]
"""One tier's messages with their ``Rotation.key``, kept sorted."""


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
    """How one slot is filled (milliseconds)."""

    budget: int
    room: int
    """The longest message that may play in the slot: the budget less the opening jingle."""
    gap: int
    jingle: int | None
    """Duration of the station jingle; None when there is none."""
    jingle_every: int
    jingle_at_start: bool
    caps: Mapping[str, int]
    """Plays of one message per slot, per tier (emergency and priority: once)."""


@dataclass(frozen=True, slots=True)
class Placement:
    """One item of a slot: a message (``id``) or the station jingle (``id`` None)."""

    id: str | None
    start: int
    duration: int


class Rotation:
    """One commune's fairness state over the campaign."""

    def __init__(self, count: int, reach: float = 1.0) -> None:
        self.count = count  # messages in the workspace: the tie-break rotates modulo this
        self.reach = reach  # the largest 1/weight: how far one play moves a message
        # served = base + plays_since_base / weight, recomputed rather than summed so that
        # weights like 3 do not drift by rounding and equal shares stay exactly equal.
        self._base: dict[str, float] = {}
        self._since: Counter[str] = Counter()
        self._served: dict[str, float] = {}
        self._before: frozenset[str] = frozenset()
        self._clock: dict[str, float] = {}  # the system virtual time, per tier

    def served(self, message_id: str) -> float:
        return self._served.get(message_id, 0.0)

    def open_day(self, eligible: Sequence[Entry]) -> None:
        """Start a broadcast day with these messages eligible.

        A message that was not eligible on the previous broadcast day (validity starting later,
        weekday limits) joins at its tier's virtual time, the lowest ``served`` of the messages
        that stayed eligible: it does not hog the slots catching up on days it could not play,
        and a new message is not starved behind the old ones either.
        """
        joining = [e for e in eligible if e.id not in self._before]
        if joining:  # rare after the first day: most days nobody joins
            lowest: dict[str, float] = {}
            for e in eligible:
                if e.id in self._before:
                    lowest[e.tier] = min(lowest.get(e.tier, math.inf), self.served(e.id))
            for tier, served in lowest.items():
                self._clock[tier] = max(self._clock.get(tier, 0.0), served)
            for e in joining:
                clock = self._clock.get(e.tier, 0.0)
                if self.served(e.id) < clock:
                    self._base[e.id], self._since[e.id], self._served[e.id] = clock, 0, clock
        self._before = frozenset(e.id for e in eligible)

    def record(self, entry: Entry) -> None:
        """``entry`` has just been played."""
        self._since[entry.id] += 1
        self._served[entry.id] = self._base.get(entry.id, 0.0) + self._since[entry.id] / entry.weight

    def key(self, entry: Entry, day: int) -> tuple[float, int]:
        """Pick order: the finish tag, then the workspace order rotated by the day number."""
        return self.served(entry.id) + 1 / entry.weight, (entry.index - day) % self.count

    def pick(self, queue: Queue, left: int, room: int, barred: Container[str]) -> int | None:
        """The position in ``queue`` of the message to play next in the ``left`` milliseconds,
        or None when its tier is done for this slot.

        Candidates: not ``barred`` (just played, or played ``caps`` times in this slot) and
        not longer than the slot's ``room``. The first candidate in pick order that fits wins,
        unless the fairness guard stops it: a message that fits may not overtake a candidate
        that does not fit while it is already further ahead (higher ``served``), or a long clip
        that rarely fits would fall behind by more than one play. The long clip then opens a
        later slot.
        """
        served = self._served
        bar = math.inf  # the lowest served among the candidates that do not fit
        fitting: list[tuple[int, float]] = []
        limit = math.inf
        for position, ((finish, _), entry) in enumerate(queue):
            # The winner's served is at most that of the first fitting candidate f, and a
            # blocker b is behind it (served_b < served_f), so b's finish tag is below
            # served_f + 1/weight_b <= served_f + reach: nothing past this limit matters.
            if finish >= limit:
                break
            if entry.duration > room or entry.id in barred:
                continue
            mine = served.get(entry.id, 0.0)
            if entry.duration > left:
                bar = mine if mine < bar else bar
            else:
                if not fitting:
                    limit = mine + self.reach
                fitting.append((position, mine))
        for position, mine in fitting:
            if mine <= bar:
                return position
        return None


def fill(rotation: Rotation, queues: Sequence[Queue], rules: SlotRules,
         day: int) -> list[Placement]:
    """Fill one slot from the tiers' queues in order (emergency, priority, normal), never
    past its budget. The queues stay sorted for the day's next slot.

    A station jingle is owed at the start (``jingle_at_start``) and after every ``jingle_every``
    messages, and is placed only together with the message that follows it: so it never ends
    the slot and two jingles never meet. ``gap`` of silence separates items.
    """
    placed: list[Placement] = []
    used, since_jingle = 0, 0
    in_slot: Counter[str] = Counter()
    capped: set[str] = set()  # played ``caps`` times in this slot
    barred: set[str] = set()  # capped, and the message just played: never twice in a row
    owed = rules.jingle is not None and rules.jingle_at_start
    for queue in queues:
        while True:
            lead = (rules.gap if placed else 0) + (rules.jingle + rules.gap if owed else 0)
            position = rotation.pick(queue, rules.budget - used - lead, rules.room, barred)
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
            if in_slot[entry.id] >= rules.caps[entry.tier]:
                capped.add(entry.id)
            barred = capped | {entry.id}
            since_jingle += 1
            owed = rules.jingle is not None and 0 < rules.jingle_every <= since_jingle
    return placed


@dataclass(frozen=True)
class Timing:
    """The campaign's slot rules, in milliseconds."""

    rules: ScheduleRules
    jingle: int | None
    """The station jingle's duration; None when there is none."""

    @property
    def gap(self) -> int:
        return round(self.rules.gap_seconds * 1000)

    def budget(self, slot: Slot) -> int:
        share = slot.fill if slot.fill is not None else self.rules.fill
        return round(slot.minutes * 60 * share * 1000)

    def room(self, slot: Slot) -> int:
        """The longest message that fits in the slot: its budget less the opening jingle."""
        if self.jingle is None or not self.rules.jingle_at_start:
            return self.budget(slot)
        return self.budget(slot) - self.jingle - self.gap

    def lead(self) -> int:
        """The most silence and jingle that can come before one message inside a slot."""
        if self.jingle is None or self.rules.jingle_every == 0:
            return self.gap
        return self.gap + self.jingle + self.gap

    def slot_rules(self, slot: Slot) -> SlotRules:
        return SlotRules(budget=self.budget(slot), room=self.room(slot), gap=self.gap,
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


def calendar(messages: Sequence[Message], days: Sequence[dt.date]) -> list[frozenset[str]]:
    """For each day, the ids of the messages valid on it (once for all communes)."""
    return [frozenset(m.id for m in messages if valid_on(m, day)) for day in days]


def slots_on(commune: Commune, day: dt.date) -> list[Slot]:
    """The commune's slots that speak on ``day``, in start order."""
    weekday = WEEKDAYS[day.weekday()]
    return sorted((s for s in commune.slots if weekday in s.weekdays), key=lambda s: s.start)


def pool(commune: Commune, messages: Sequence[Message], durations: Mapping[str, int],
         timing: Timing) -> list[Entry]:
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
            found.append(Entry(message.id, message.priority, duration, message.weight, index))
    return found


def walk(commune: Commune, messages: Sequence[Message], durations: Mapping[str, int],
         timing: Timing, days: Sequence[dt.date],
         valid: Sequence[frozenset[str]]) -> list[DayFill]:
    """Fill the commune's slots day after day, in time order; fairness runs over all of them.
    ``valid`` is the ``calendar`` of ``days``."""
    eligible = pool(commune, messages, durations, timing)
    rotation = Rotation(len(messages), max((1 / e.weight for e in eligible), default=1.0))
    filled = []
    for number, day in enumerate(days):
        slots = slots_on(commune, day)
        if not slots:
            continue
        today = [entry for entry in eligible if entry.id in valid[number]]
        rotation.open_day(today)
        keyed = sorted((rotation.key(e, number), e) for e in today)
        queues = [[(k, e) for k, e in keyed if e.tier == tier] for tier in PRIORITIES]
        lengths = sorted(e.duration for e in today)
        filled.append(DayFill(day, len(today), tuple(
            _fill_slot(rotation, timing, slot, lengths, queues, number) for slot in slots)))
    return filled


def _fill_slot(rotation: Rotation, timing: Timing, slot: Slot, lengths: list[int],
               queues: list[Queue], number: int) -> SlotFill:
    rules = timing.slot_rules(slot)
    placements = tuple(fill(rotation, queues, rules, number))
    fitting = bisect.bisect_right(lengths, rules.room)  # lengths: today's durations, sorted
    longest = lengths[fitting - 1] if fitting else 0
    end = placements[-1].start + placements[-1].duration if placements else 0
    return SlotFill(slot, rules.budget, placements, longest,
                    short=longest > 0 and end + timing.lead() + longest <= rules.budget)
