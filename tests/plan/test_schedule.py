"""The planner: which clip plays where and when.

Every expected number below is worked out by hand from the rules (the reasoning is in the
comments), never pasted from a run. Durations are chosen so that the arithmetic is exact.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from collections import Counter
from pathlib import Path

import pytest
from conftest import write_workspace

from broadcast import i18n
from broadcast.campaign import workspace
from broadcast.campaign.model import (
    PRIORITIES,
    Campaign,
    Commune,
    Message,
    ScheduleRules,
    Settings,
    Slot,
    Source,
    Workspace,
)
from broadcast.errors import InputError
from broadcast.plan.rotation import Entry, Rotation
from broadcast.plan.schedule import ClipInfo, Schedule, plan, plays, select

START = dt.date(2026, 11, 16)  # a Monday
END = dt.date(2026, 12, 15)  # 30 days; weekends: 21-22, 28-29 Nov, 5-6, 12-13 Dec
MORNING = Slot("sang", dt.time(6, 0), 10)
EVENING = Slot("chieu", dt.time(17, 0), 10)
JINGLE = ClipInfo("_station", "jingles/nhac-hieu.mp3", 10.0, "Nhạc hiệu")
SAMPLE = Path(__file__).resolve().parents[2] / "playlists"


def message(id: str, line: int = 1, **fields) -> Message:
    return Message(id=id, title=f"Tin {id}", language=fields.pop("language", "vie"),
                   source=Source("messages.yaml", line), **fields)


def commune(id: str = "xa-a", languages: tuple[str, ...] = ("vie",),
            slots: tuple[Slot, ...] = (MORNING,), line: int = 1) -> Commune:
    return Commune(id, f"Xã {id}", "Quảng Trị", languages, slots,
                   source=Source("communes.yaml", line))


def make_ws(messages: list[Message], communes: list[Commune] | None = None, *,
            start: dt.date = START, end: dt.date = END, **rules) -> Workspace:
    """Rules default to the plainest slot: no jingle, no gap, a message at most once."""
    rules = {"jingle_every": 0, "jingle_at_start": False, "max_per_slot": 1, **rules}
    settings = Settings("Ban Dân tộc", Campaign("thu", "Thử", start, end),
                        schedule=ScheduleRules(**rules))
    return Workspace(Path("."), settings, tuple(messages), tuple(communes or [commune()]), {})


def clips_for(**seconds: float) -> dict[str, ClipInfo]:
    return {id: ClipInfo(id, f"clips/{id}.mp3", s, f"Tin {id}") for id, s in seconds.items()}


def every_slot(schedule: Schedule):
    for c in schedule.communes:
        for day in c.days:
            for slot in day.slots:
                yield c.commune, day.date, slot


def said(slot) -> list[str]:
    return [i.id for i in slot.items if i.kind == "message"]


def layout(slot) -> list[tuple[str, float, float]]:
    return [(i.id, i.start, i.duration) for i in slot.items]


def assert_well_formed(schedule: Schedule, ws: Workspace) -> None:
    """The rules every slot keeps, whatever the content."""
    rules, messages = ws.settings.schedule, {m.id: m for m in ws.messages}
    communes = {c.id: c for c in ws.communes}
    for commune_id, day, slot in every_slot(schedule):
        items = slot.items
        assert slot.used <= slot.budget + 1e-9, (commune_id, day, slot.slot)
        for before, item in itertools.pairwise(items):
            assert item.start == pytest.approx(before.start + before.duration + rules.gap_seconds)
            assert not (before.kind == item.kind == "jingle")
        # never twice in a row, not even with a jingle between
        assert all(a != b for a, b in itertools.pairwise(said(slot))), (commune_id, day, slot.slot)
        assert not items or (items[0].start == 0 and items[-1].kind == "message")
        order = [PRIORITIES.index(i.priority) for i in items if i.kind == "message"]
        assert order == sorted(order), (commune_id, day, slot.slot)
        counts = Counter(said(slot))
        for id, n in counts.items():
            m = messages[id]
            assert n <= (rules.max_per_slot if m.priority == "normal" else 1)
            assert m.language in communes[commune_id].languages
            assert m.valid_from is None or m.valid_from <= day
            assert m.valid_until is None or day <= m.valid_until


# --- one slot, item by item --------------------------------------------------------------------

def test_a_slot_laid_out_by_hand():
    ws = make_ws([message("a"), message("b"), message("c")], [commune(slots=(Slot("s", dt.time(6), 5),))],
                 end=START, jingle_every=1, jingle_at_start=True, gap_seconds=2, max_per_slot=2)
    schedule = plan(ws, clips_for(a=60, b=50, c=40), JINGLE)
    slot = schedule.communes[0].days[0].slots[0]
    # Budget 300 s. All start at served 0, ties go to workspace order on day 0: a, b, c, each
    # after a jingle (10 s) and 2 s gaps around it. Then a again (c just played): 192+2 = J,
    # 204 = a, ends 264. Next would cost 2+10+2+50 = 64 (b) or 54 (c): both past 300. Stop.
    assert layout(slot) == [("_station", 0, 10), ("a", 12, 60), ("_station", 74, 10),
                            ("b", 86, 50), ("_station", 138, 10), ("c", 150, 40),
                            ("_station", 192, 10), ("a", 204, 60)]
    assert slot.budget == 300 and slot.used == 264


def test_jingle_every_two_and_never_trailing():
    ws = make_ws([message("a"), message("b"), message("c")], [commune(slots=(Slot("s", dt.time(6), 4),))],
                 end=START, jingle_every=2, max_per_slot=2)
    slot = plan(ws, clips_for(a=40, b=40, c=40), JINGLE).communes[0].days[0].slots[0]
    # 240 s, no opening jingle. a, b, J, c (served 0 went first), a (tie a/b, c just played,
    # a first in order), J, b: ends at 220. Then a jingle is not owed (one message since the
    # last), but no 40 s clip fits in 20 s. The slot ends on a message.
    assert layout(slot) == [("a", 0, 40), ("b", 40, 40), ("_station", 80, 10), ("c", 90, 40),
                            ("a", 130, 40), ("_station", 170, 10), ("b", 180, 40)]


def test_a_slot_that_would_end_on_a_jingle_ends_on_the_message_before():
    # 60 s: J (10) + a (40) = 50. The jingle owed after a would just fit (50 + 10 = 60) but b
    # would not (10 + 40), so neither is placed: a jingle only goes in with the message after it.
    ws = make_ws([message("a"), message("b")], [commune(slots=(Slot("s", dt.time(6), 1),))],
                 end=START, jingle_every=1, jingle_at_start=True)
    slot = plan(ws, clips_for(a=40, b=40), JINGLE).communes[0].days[0].slots[0]
    assert layout(slot) == [("_station", 0, 10), ("a", 10, 40)]


def test_no_jingle_items_without_a_jingle_clip():
    ws = make_ws([message("a"), message("b")], end=START, jingle_every=1, jingle_at_start=True)
    slot = plan(ws, clips_for(a=40, b=40)).communes[0].days[0].slots[0]
    assert said(slot) == ["a", "b"] and all(i.kind == "message" for i in slot.items)


def test_budget_is_inclusive_and_counts_the_gaps():
    three_minutes = [commune(slots=(Slot("s", dt.time(6), 3),))]
    msgs = [message("a"), message("b"), message("c")]
    clips = clips_for(a=60, b=60, c=60)
    # 3 x 60 = 180 = the budget: a slot may be filled exactly to its length.
    exact = plan(make_ws(msgs, three_minutes, end=START), clips).communes[0].days[0].slots[0]
    assert said(exact) == ["a", "b", "c"] and exact.used == 180
    # With 1 s gaps the third would end at 182: only two fit.
    gapped = plan(make_ws(msgs, three_minutes, end=START, gap_seconds=1), clips)
    assert layout(gapped.communes[0].days[0].slots[0]) == [("a", 0, 60), ("b", 61, 60)]


def test_slot_fill_overrides_the_workspace_fill():
    slots = (Slot("sang", dt.time(6), 10, fill=0.5), Slot("chieu", dt.time(17), 10))
    ws = make_ws([message("a")], [commune(slots=slots)], end=START, fill=0.8)
    day = plan(ws, clips_for(a=60)).communes[0].days[0]
    assert [s.budget for s in day.slots] == [300, 480]  # 600 x 0.5, 600 x 0.8


# --- priorities ------------------------------------------------------------------------------

def test_emergency_then_priority_then_normal():
    msgs = [message("n1"), message("p1", priority="priority"),
            message("e1", priority="emergency"), message("n2")]
    ws = make_ws(msgs, end=START, max_per_slot=2)
    slot = plan(ws, clips_for(n1=100, p1=100, e1=50, n2=100)).communes[0].days[0].slots[0]
    # 600 s: e1 (once), p1 (once), then the normal ones twice each, alternating: 550 s.
    assert said(slot) == ["e1", "p1", "n1", "n2", "n1", "n2"]
    assert [i.priority for i in slot.items] == ["emergency", "priority"] + ["normal"] * 4


def test_priority_messages_take_turns_when_they_do_not_all_fit():
    msgs = [message(f"p{i}", priority="priority") for i in (1, 2, 3)]
    ws = make_ws(msgs, [commune(slots=(Slot("s", dt.time(6), 4),))], end=START + dt.timedelta(days=2))
    schedule = plan(ws, clips_for(p1=100, p2=100, p3=100))
    # 240 s holds two. Day 0: p1, p2 (order). Day 1: p3 is behind (served 0) so first; p1/p2 tie
    # and day 1's rotated order puts p2 first. Day 2: p1 and p3 at 1, p2 at 2; rotated order
    # puts p3 first. Each played twice in three days.
    assert [said(d.slots[0]) for d in schedule.communes[0].days] == [
        ["p1", "p2"], ["p3", "p2"], ["p3", "p1"]]


# --- fairness --------------------------------------------------------------------------------

def fairness_ws(shorts: int = 4, short: float = 100, long: float = 350,
                max_per_slot: int = 1) -> tuple[Workspace, dict[str, ClipInfo]]:
    """Short messages s1, s2… and one long one, two 600 s slots a day for 30 days. The long one
    fits only while ``long`` seconds are left, so it is often the one that does not fit."""
    msgs = [message(f"s{i}") for i in range(1, shorts + 1)] + [message("long")]
    ws = make_ws(msgs, [commune(slots=(MORNING, EVENING))], max_per_slot=max_per_slot)
    return ws, clips_for(**{m.id: short for m in msgs[:-1]}, long=long)


def test_the_first_days_of_rotation_by_hand():
    ws, clips = fairness_ws()
    days = plan(ws, clips).communes[0].days
    # Day 0 morning: all tie, order s1..s4: 400 s, then long needs 350 of the 200 left.
    # Evening: long (served 0) is first; s1, s2 (served 1) after it; 50 s left.
    # Day 1 (order rotated by one: s2, s3, s4, long, s1): s3, s4, long are behind (served 1)
    # and go first. Evening: all at 2; s2, s3, s4 fit; long does not fit in 300 s, s1 (served 2,
    # not ahead of long) may still go.
    assert [said(s) for s in days[0].slots] == [["s1", "s2", "s3", "s4"], ["long", "s1", "s2"]]
    assert [said(s) for s in days[1].slots] == [["s3", "s4", "long"], ["s2", "s3", "s4", "s1"]]


@pytest.mark.parametrize("shape", [
    {},  # the days worked out above
    {"max_per_slot": 2},
    # Without the fairness guard, this one ends 100 plays for each short one, 60 for long.
    {"shorts": 3, "short": 60, "long": 300, "max_per_slot": 2},
])
def test_equal_weights_share_airtime_within_one_play_after_every_slot(shape):
    ws, clips = fairness_ws(**shape)
    schedule = plan(ws, clips)
    assert_well_formed(schedule, ws)
    played = Counter()
    for _, _, slot in every_slot(schedule):
        played.update(said(slot))
        counts = [played[m.id] for m in ws.messages]
        assert max(counts) - min(counts) <= 1, counts


def test_the_fairness_guard_ends_a_slot_rather_than_let_a_long_clip_fall_behind():
    ws, clips = fairness_ws(shorts=3, short=60, long=300, max_per_slot=2)
    day = plan(ws, clips).communes[0].days[0]
    # Morning, all tied, workspace order: s1 s2 s3 long (480 s), then s1 s2 again (600 s).
    # Evening: s3 and long are behind (1 play) and open it; then s1 s2 s3 (all at 2): 540 s.
    # 60 s are left: long (300 s) does not fit, and s1, s2 (3 plays) are ahead of it (2), so
    # the guard ends the slot. Taking s1 would leave long two plays behind.
    assert said(day.slots[0]) == ["s1", "s2", "s3", "long", "s1", "s2"]
    assert said(day.slots[1]) == ["s3", "long", "s1", "s2", "s3"]
    assert day.slots[1].used == 540


def test_weight_two_gets_twice_the_plays():
    msgs = [message("a", weight=2), message("b"), message("c")]
    ws = make_ws(msgs, [commune(slots=(Slot("s", dt.time(6), 4),))], max_per_slot=2)
    counts = plays(plan(ws, clips_for(a=60, b=60, c=60)))["xa-a"]
    # Four 60 s items per slot. At each slot start all are at the same served k: a's finish
    # tag is k+0.5, the others' k+1, so a opens; b and c follow in the day's order with a
    # between them when a's tag ties theirs (a cannot follow itself): a 2, b 1, c 1 per slot,
    # and all end the slot at k+1. Over 30 slots: 60, 30, 30.
    assert counts == {"a": 60, "b": 30, "c": 30}
    assert 1.8 <= counts["a"] / counts["b"] <= 2.2


def test_a_late_message_joins_at_the_current_virtual_time():
    late = message("late", valid_from=START + dt.timedelta(days=15))
    msgs = [message(f"m{i}") for i in range(1, 7)] + [late]
    ws = make_ws(msgs, [commune(slots=(Slot("s", dt.time(6), 3),))])
    schedule = plan(ws, clips_for(**{m.id: 60 for m in msgs}))
    counts = plays(schedule)["xa-a"]
    # Three plays a day. Days 0-14: 45 plays over six messages within one of each other: three
    # at 8, three at 7. "late" joins on day 15 at the lowest served of the others, 7. From
    # then on all seven stay within one served of each other; the served values sum to 90 plays
    # + 7 (the start given to "late") = 97 = 6 x 14 + 13, so "late" ends at 13 or 14 served,
    # that is 6 or 7 plays, like its fair 45/7 share of days 15-29. Starting from 0 it would
    # have played every day (15 plays); starved, never.
    assert counts["late"] in (6, 7)
    assert all(counts[f"m{i}"] in (13, 14) for i in range(1, 7))
    assert sum(counts.values()) == 90
    first = min(day.date for day in schedule.communes[0].days if "late" in said(day.slots[0]))
    # On day 15, four messages are at served 7 ("late" and three others) for three places.
    assert first in (START + dt.timedelta(days=15), START + dt.timedelta(days=16))


def test_pick_matches_its_plain_definition():
    """The pick stops scanning early; compare it with the rule as written, on random states."""
    rnd = random.Random(20261116)
    for _ in range(500):
        entries = [Entry(f"m{i}", "normal", rnd.choice([30, 60, 90, 300]),
                         rnd.choice([0.5, 1, 1, 2, 3]), i) for i in range(rnd.randint(1, 9))]
        rotation = Rotation(len(entries), max(1 / e.weight for e in entries))
        for _ in range(rnd.randint(0, 20)):
            rotation.record(rnd.choice(entries))
        day = rnd.randint(0, 30)
        queue = sorted((rotation.key(e, day), e) for e in entries)
        left, room = rnd.choice([0, 45, 90, 200, 400]), rnd.choice([90, 300])
        barred = {e.id for e in entries if rnd.random() < 0.2}
        candidates = [(k, p) for p, (k, e) in enumerate(queue) if e.duration <= room and e.id not in barred]
        served = {e.id: rotation.served(e.id) for e in entries}
        bar = min((served[queue[p][1].id] for _, p in candidates if queue[p][1].duration > left),
                  default=float("inf"))
        allowed = [(k, p) for k, p in candidates
                   if queue[p][1].duration <= left and served[queue[p][1].id] <= bar]
        assert rotation.pick(queue, left, room, barred) == (min(allowed)[1] if allowed else None)


# --- eligibility -----------------------------------------------------------------------------

def test_validity_dates_and_weekdays():
    msgs = [message("a"), message("b"),
            message("window", valid_from=dt.date(2026, 11, 20), valid_until=dt.date(2026, 11, 22)),
            message("weekend", weekdays=("sat", "sun"))]
    ws = make_ws(msgs, max_per_slot=2)
    schedule = plan(ws, clips_for(a=60, b=60, window=60, weekend=60))
    assert_well_formed(schedule, ws)
    days = {m: {d for _, d, s in every_slot(schedule) if m in said(s)} for m in ("window", "weekend")}
    assert days["window"] == {dt.date(2026, 11, d) for d in (20, 21, 22)}
    assert days["weekend"] == {dt.date(2026, 11, 21), dt.date(2026, 11, 22), dt.date(2026, 11, 28),
                               dt.date(2026, 11, 29), dt.date(2026, 12, 5), dt.date(2026, 12, 6),
                               dt.date(2026, 12, 12), dt.date(2026, 12, 13)}
    # 600 s hold every eligible message twice (at most 4 x 2 x 60 = 480 s), so each plays
    # twice on each of its days: 3 days and 8 days.
    counts = plays(schedule)["xa-a"]
    assert (counts["window"], counts["weekend"]) == (6, 16)
    assert counts["a"] == counts["b"] == 60


def test_a_message_reaches_only_communes_that_speak_its_language():
    communes = [commune("xa-viet"), commune("xa-bru", languages=("vie", "bru"))]
    ws = make_ws([message("viet"), message("bru", language="bru")], communes)
    schedule = plan(ws, clips_for(viet=60, bru=60))
    assert_well_formed(schedule, ws)
    counts = plays(schedule)
    assert "bru" not in counts["xa-viet"] and counts["xa-viet"]["viet"] == 30
    assert counts["xa-bru"] == {"bru": 30, "viet": 30}


def test_messages_without_a_clip_or_awaiting_a_recording_are_not_planned():
    msgs = [message("a"), message("no-clip"), message("wait", awaiting_recording=True)]
    schedule = plan(make_ws(msgs), clips_for(a=60, wait=60))
    assert plays(schedule) == {"xa-a": {"a": 30}}


def test_days_without_a_slot_are_left_out():
    weekdays_only = Slot("sang", dt.time(6), 10, weekdays=("mon", "tue", "wed", "thu", "fri"))
    schedule = plan(make_ws([message("a")], [commune(slots=(weekdays_only,))]), clips_for(a=60))
    # 30 days from a Monday: 4 full weeks + Mon, Tue = 22 working days.
    assert len(schedule.communes[0].days) == 22
    assert all(d.date.weekday() < 5 for d in schedule.communes[0].days)


# --- determinism, select, JSON ---------------------------------------------------------------

def sample_plan() -> tuple[Workspace, dict[str, ClipInfo], Schedule]:
    ws, _ = workspace.load(SAMPLE)
    ready = [m for m in ws.messages if not m.awaiting_recording]
    clips = {m.id: ClipInfo(m.id, f"clips/{m.id}.mp3", 45 + 10.5 * i, m.title) for i, m in enumerate(ready)}
    return ws, clips, plan(ws, clips, JINGLE)


def test_the_sample_campaign_keeps_every_rule():
    ws, _, schedule = sample_plan()
    assert_well_formed(schedule, ws)
    assert [c.commune for c in schedule.communes] == [c.id for c in ws.communes]
    # 15 Nov - 15 Dec 2026 is 31 days; Lìa has its 11:30 weekend slot besides sang and chieu.
    lia = next(c for c in schedule.communes if c.commune == "qt-lia")
    weekend = [d for d in lia.days if d.date.weekday() >= 5]
    assert len(lia.days) == 31 and len(weekend) == 9
    assert all([s.slot for s in d.slots] == ["sang", "trua", "chieu"] for d in weekend)


def test_same_inputs_same_plan_whatever_the_order_of_clips():
    ws, clips, schedule = sample_plan()
    again = plan(ws, dict(reversed(list(clips.items()))), JINGLE)
    dump = json.dumps(schedule.to_json(), ensure_ascii=False)
    assert json.dumps(again.to_json(), ensure_ascii=False) == dump
    assert json.dumps(plan(ws, clips, JINGLE).to_json(), ensure_ascii=False) == dump


def test_select_filters_without_changing_the_outcome():
    _, _, schedule = sample_plan()
    day = dt.date(2026, 11, 28)
    one = select(schedule, commune="qt-lia", day=day)
    assert [c.commune for c in one.communes] == ["qt-lia"] and (one.start, one.end) == (day, day)
    full_day = next(d for d in schedule.communes[5].days if d.date == day)
    assert one.communes[0].days == (full_day,)
    assert plays(select(schedule, commune="qt-lia"))["qt-lia"] == plays(schedule)["qt-lia"]
    assert all(len(c.days) == 1 for c in select(schedule, day=day).communes)
    # Commune warnings of other communes go; message warnings stay.
    assert {w.record for w in one.warnings if w.key.startswith("schedule.recording")} == {"qt-lia"}
    with pytest.raises(InputError):
        select(schedule, commune="khong-co")
    with pytest.raises(InputError):
        select(schedule, day=dt.date(2027, 1, 1))


def test_a_day_planned_alone_differs_so_select_must_filter_the_whole_plan():
    ws, clips = fairness_ws()
    day1 = START + dt.timedelta(days=1)
    alone = plan(make_ws(list(ws.messages), list(ws.communes), start=day1, end=day1), clips)
    whole = select(plan(ws, clips), day=day1)
    # Alone, day 1 is a first day: all tie, workspace order, like day 0 of the campaign.
    # In the campaign, s3, s4 and long are behind after day 0 and open the morning.
    assert said(whole.communes[0].days[0].slots[0]) == ["s3", "s4", "long"]
    assert said(alone.communes[0].days[0].slots[0]) == ["s1", "s2", "s3", "s4"]


def test_to_json_is_plain_ordered_and_consistent():
    ws = make_ws([message("a"), message("b", priority="priority")], end=START + dt.timedelta(days=1),
                 jingle_every=1, jingle_at_start=True, gap_seconds=1.5, max_per_slot=2)
    data = plan(ws, clips_for(a=61.25, b=30), JINGLE).to_json()
    assert json.loads(json.dumps(data)) == data
    assert list(data) == ["campaign", "start", "end", "communes", "warnings"]
    assert (data["campaign"], data["start"], data["end"]) == ("thu", "2026-11-16", "2026-11-17")
    day = data["communes"][0]["days"][0]
    assert data["communes"][0]["commune"] == "xa-a" and day["date"] == "2026-11-16"
    slot = day["slots"][0]
    assert list(slot) == ["slot", "start", "minutes", "budget", "used", "items"]
    assert (slot["slot"], slot["start"], slot["minutes"], slot["budget"]) == ("sang", "06:00", 10, 600)
    items = slot["items"]
    assert list(items[0]) == ["kind", "id", "path", "title", "start", "duration", "priority", "language"]
    assert items[0] == {"kind": "jingle", "id": "_station", "path": "jingles/nhac-hieu.mp3",
                        "title": "Nhạc hiệu", "start": 0, "duration": 10, "priority": "normal",
                        "language": ""}
    # J 0-10, gap, b (priority first) 11.5-41.5, gap, J 43-53, gap, a 54.5-115.75, ...
    assert [(i["id"], i["start"]) for i in items[:4]] == [("_station", 0), ("b", 11.5), ("_station", 43),
                                                          ("a", 54.5)]
    for before, item in itertools.pairwise(items):
        assert item["start"] == pytest.approx(before["start"] + before["duration"] + 1.5)
    assert slot["used"] == pytest.approx(items[-1]["start"] + items[-1]["duration"])


# --- warnings --------------------------------------------------------------------------------

def only(schedule: Schedule, key: str):
    found = [w for w in schedule.warnings if w.key == key]
    assert len(found) == 1, [w.key for w in schedule.warnings]
    return found[0]


def rendered(problem) -> dict[str, str]:
    texts = {}
    for lang in ("vi", "en"):
        i18n.set_language(lang)
        texts[lang] = problem.render()
        assert "{" not in texts[lang]
    i18n.set_language("en")
    return texts


@pytest.mark.parametrize(("reason", "silent", "clips"), [
    ("no_clip", message("x", line=7), {}),
    ("no_language", message("x", line=7, language="pac"), {"x": 60}),
    ("outside_campaign", message("x", line=7, valid_until=START - dt.timedelta(days=1)), {"x": 60}),
    ("no_slot", message("x", line=7, weekdays=("sun",)), {"x": 60}),
    # Budget 300 s less the 10 s opening jingle: room for 290 s, the clip has 295.
    ("too_long", message("x", line=7), {"x": 295}),
])
def test_a_message_with_no_airtime_says_why(reason, silent, clips):
    weekdays_only = Slot("s", dt.time(6), 5, weekdays=("mon", "tue", "wed", "thu", "fri"))
    ws = make_ws([message("ok"), silent], [commune(slots=(weekdays_only,))], jingle_at_start=True)
    schedule = plan(ws, clips_for(ok=60, **clips), JINGLE)
    warning = only(schedule, f"schedule.no_airtime.{reason}")
    where = (warning.file, warning.line, warning.record, warning.severity)
    assert where == ("messages.yaml", 7, "x", "warning")
    if reason == "too_long":
        assert warning.params["seconds"] == 295 and warning.params["room"] == 290
        assert "295" in rendered(warning)["vi"]
    rendered(warning)


def test_crowded_out_by_emergencies():
    # A 60 s slot, a 60 s emergency every slot: the 30 s normal message never finds room.
    one_minute = [commune(slots=(Slot("s", dt.time(6), 1),))]
    ws = make_ws([message("e", priority="emergency"), message("n")], one_minute)
    schedule = plan(ws, clips_for(e=60, n=30))
    assert only(schedule, "schedule.no_airtime.crowded_out").record == "n"
    assert [w.key for w in schedule.warnings] == ["schedule.no_airtime.crowded_out"]


def test_empty_days_one_warning_with_the_first_dates():
    msgs = [message("a", valid_until=dt.date(2026, 11, 20))]
    schedule = plan(make_ws(msgs, [commune(line=4)]), clips_for(a=60))
    warning = only(schedule, "schedule.empty_days")
    # Valid 16-20 Nov out of 16 Nov - 15 Dec: 25 days with nothing to say, from the 21st.
    assert (warning.file, warning.line, warning.record) == ("communes.yaml", 4, "xa-a")
    assert warning.params["count"] == 25
    assert warning.params["dates"] == "2026-11-21, 2026-11-22, 2026-11-23, 2026-11-24, 2026-11-25, …"
    assert "25" in rendered(warning)["vi"]


def test_underfilled_slot_one_warning_per_slot():
    ws = make_ws([message("a")], [commune(slots=(MORNING, EVENING))], max_per_slot=2)
    schedule = plan(ws, clips_for(a=60))
    # One message cannot follow itself, so each 600 s slot plays it once and stays at 60 s,
    # far below 600 - 60: every one of the 30 days, for each slot.
    found = [w for w in schedule.warnings if w.key == "schedule.underfilled"]
    assert [(w.params["code"], w.params["count"], w.params["total"], w.params["used"], w.params["budget"])
            for w in found] == [("sang", 30, 30, 60, 600), ("chieu", 30, 30, 60, 600)]
    # The office reads the slot by the name operators use, the code beside it to find it.
    assert [w.params["slot"] for w in found] == ["Buổi sáng", "Buổi chiều"]
    assert all(w.field == "slots" for w in found)
    rendered(found[0])


def test_a_full_slot_is_not_underfilled():
    ws, clips = fairness_ws()
    # Every slot of the fairness campaign ends with less than 100 s left or all shorts played
    # once; neither is "ran out of messages" by more than the longest (350 s) clip.
    assert [w.key for w in plan(ws, clips).warnings] == []


def test_recording_missing_per_commune_and_language():
    communes = [commune("xa-viet", line=1), commune("xa-bru", languages=("vie", "bru"), line=9)]
    msgs = [message("viet"), message("bru-1", language="bru", awaiting_recording=True),
            message("bru-2", language="bru", awaiting_recording=True)]
    schedule = plan(make_ws(msgs, communes), clips_for(viet=60))
    warning = only(schedule, "schedule.recording_missing")
    assert (warning.record, warning.line, warning.params["count"], warning.params["ids"]) == (
        "xa-bru", 9, 2, "bru-1, bru-2")
    # Awaiting messages get this warning instead of a "no airtime" one each.
    assert not [w for w in schedule.warnings if w.key.startswith("schedule.no_airtime")]
    assert rendered(warning)["en"].count("recording missing for") == 1


def test_catalogs_have_the_same_keys_and_placeholders():
    import string

    vi, en = i18n.catalog("vi"), i18n.catalog("en")
    keys = sorted(k for k in vi if k.startswith("schedule."))
    assert keys == sorted(k for k in en if k.startswith("schedule."))
    for key in keys:
        fields = [{f for _, f, _, _ in string.Formatter().parse(c[key]) if f} for c in (vi, en)]
        assert fields[0] == fields[1], key


def test_schedule_rules_from_broadcast_yaml(tmp_path):
    settings = """\
    organization: Ban Dân tộc tỉnh Quảng Trị
    campaign: {id: thu, name: Thử, start: 2026-11-16, end: 2026-11-16}
    slots:
      sang: {start: "06:00", minutes: 2, fill: 0.5}
      chieu: {start: "17:00", minutes: 1}
    schedule: {jingle_every: 0, jingle_at_start: false, gap_seconds: 5, max_per_slot: 1}
    """
    ws, _ = workspace.load(write_workspace(tmp_path / "ws", settings=settings))
    slots = plan(ws, clips_for(**{"tin-01": 20, "tin-02": 30}), JINGLE).communes[0].days[0].slots
    # sang: 120 s x 0.5 = 60 s; chieu: 60 s. No jingles although one is given; tin-01 0-20,
    # a 5 s gap, tin-02 25-55 (60 would be past the budget for a third).
    assert [s.budget for s in slots] == [60, 60]
    assert all(layout(s) == [("tin-01", 0, 20), ("tin-02", 25, 30)] for s in slots)


# --- the date-less playlists -------------------------------------------------------------------

def dateless_schedule(ws: Workspace, schedule: Schedule) -> Schedule:
    """Each commune's date-less playlists as a one-day plan, to be held to the same rules."""
    from broadcast.plan.dateless import evergreen
    from broadcast.plan.schedule import CommunePlan, DayPlan, SlotPlan

    communes = []
    for c in schedule.communes:
        kept = evergreen(ws, schedule, c.commune)
        slots = {s.slot: s for d in c.days for s in d.slots}
        communes.append(CommunePlan(c.commune, (DayPlan(ws.settings.campaign.start, tuple(
            SlotPlan(name, slots[name].start, slots[name].minutes, slots[name].budget, tuple(items))
            for name, items in kept.items())),)))
    return Schedule(schedule.campaign, schedule.start, schedule.end, tuple(communes), ())


@pytest.mark.parametrize("seed", range(6))
def test_date_less_playlists_keep_the_rules_of_the_dated_ones(seed):
    chance = random.Random(seed)
    inside = dict(valid_from=START + dt.timedelta(days=3), valid_until=END - dt.timedelta(days=3))
    messages = [message("whole", valid_from=START, valid_until=END),  # the campaign's own dates
                message("always"), message("later", valid_from=START + dt.timedelta(days=10)),
                message("inside", **inside), message("weekend", weekdays=("sat", "sun")),
                message("again")]
    chance.shuffle(messages)
    ws = make_ws(messages, jingle_every=chance.choice([1, 2]), jingle_at_start=chance.random() < 0.5,
                 max_per_slot=2, gap_seconds=chance.choice([0, 2]))
    seconds = {m.id: chance.choice([20, 30, 45]) for m in messages}
    schedule = plan(ws, clips_for(**seconds), JINGLE)
    dateless = dateless_schedule(ws, schedule)
    assert_well_formed(dateless, ws)
    said_there = {i.id for c in dateless.communes for d in c.days for s in d.slots for i in s.items
                  if i.kind == "message"}
    assert said_there <= {"whole", "always", "again"}  # only messages valid on every day
    assert "whole" in said_there  # dates equal to the campaign's are every day


def test_an_urgent_message_that_some_communes_cannot_hear_is_warned_about():
    communes = [commune("xa-viet"), commune("xa-mong", languages=("hmn",), line=8),
                commune("xa-ca-hai", languages=("vie", "hmn"), line=15)]
    messages = [message("lu-khan", priority="emergency"), message("tiem-chung", priority="priority"),
                message("thuong"), message("mong-01", language="hmn", priority="emergency")]
    ws = make_ws(messages, communes, end=START)
    found = [w for w in plan(ws, clips_for(**{"lu-khan": 20, "tiem-chung": 20, "thuong": 20, "mong-01": 20}),
                             None).warnings if w.key.startswith("schedule.unreached")]
    assert [(w.key, w.record, w.params["communes"]) for w in found] == [
        ("schedule.unreached.emergency", "lu-khan", "xa-mong"),
        ("schedule.unreached.priority", "tiem-chung", "xa-mong"),
        ("schedule.unreached.emergency", "mong-01", "xa-viet")]
    assert all(w.severity == "warning" and w.field == "language" and w.line for w in found)
    i18n.set_language("vi")
    assert "KHẨN CẤP" in found[0].render() and "xa-mong" in found[0].render()


def test_check_names_the_urgent_message_some_communes_cannot_hear(tmp_path, run_cli):
    from conftest import COMMUNES, MESSAGES, SETTINGS

    title = "    title: Phòng, chống tảo hôn\n"
    urgent = MESSAGES.replace(title, title + "    priority: emergency\n")
    mong = COMMUNES + ("  - id: xa-mong\n    name: Xã Mông\n    province: Sơn La\n    languages: [hmn]\n"
                       "    slots: [sang]\n")
    root = write_workspace(tmp_path / "ws", settings=SETTINGS, messages=urgent, communes=mong)
    result = run_cli("-w", str(root), "check")
    assert result.exit_code == 0, result.stderr
    assert "messages.yaml:2: warning: item 'tin-01', field 'language': an EMERGENCY message" in result.stderr
    assert "xa-mong" in result.stderr
