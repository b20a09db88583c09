"""Producing a campaign's audio and plan: render every clip that changed, and plan the schedule
with its playlists, sheets and mixdowns."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from broadcast import pipeline
from broadcast.errors import BroadcastError, InputError, Problem
from broadcast.operations import voice
from broadcast.operations.campaign import Campaign
from broadcast.plan import playlist
from broadcast.plan import schedule as planner
from broadcast.plan.schedule import Schedule
from broadcast.progress import Advance, Notice, Reporter, quiet
from broadcast.sound import render as renderer
from broadcast.sound.render import ClipResult, Clips, Failure


def clip_reporter(report: Reporter, total: int | None = None):
    """A render progress callback that tells ``report`` of each clip as it is done."""
    done = 0

    def tell(item: ClipResult | Failure) -> None:
        nonlocal done
        done += 1
        report(Advance("render", done, total or 0, item=item.id, detail=item))
        for warning in getattr(item, "warnings", ()):  # a recording too quiet, or clipped
            report(warning)
    return tell


class ClipsFailed(BroadcastError):
    """Clips could not be made, so no package is built from them: each failure, once."""

    def __init__(self, failures: Sequence[Failure]) -> None:
        super().__init__("render.failed")
        self.failures = tuple(failures)
        self.exit_code = self.failures[0].error.exit_code

    def message(self) -> str:
        return "\n".join(f.error.message() for f in self.failures)


def make_clips(campaign: Campaign, *, offline: bool | None, jobs: int | None, report: Reporter) -> Clips:
    """Render what changed, with the campaign's one speech choice (``voice``); every clip,
    made or reused, is told to ``report``, and so is a remembered offline choice that has
    clips to make."""
    chosen = voice.choose(campaign, offline)
    planned = renderer.plan(campaign.workspace, offline=chosen.offline)
    fresh = [job for job in planned if not renderer.is_cached(job)]
    if chosen.remembered and chosen.offline and fresh:
        report(Notice("speech.remembered_offline", {"count": len(fresh)}))
    made = pipeline.clips(campaign.workspace, workers=jobs, jobs=planned,
                          progress=clip_reporter(report, len(planned)))
    voice.remember(campaign, chosen)
    return made


@dataclass(frozen=True)
class Rendered:
    results: tuple[ClipResult, ...]
    failures: tuple[Failure, ...]
    skipped: int
    """Messages awaiting a recording, left out."""
    seconds: float
    warnings: list[Problem]

    @property
    def exit_code(self) -> int:
        return max((f.error.exit_code for f in self.failures), default=0)


def render(campaign: Campaign, *, offline: bool | None = None, jobs: int | None = None,
           report: Reporter = quiet) -> Rendered:
    """Every clip whose inputs changed, on all cores; one failing clip does not stop the others."""
    started = time.monotonic()
    with campaign.writing("render"):
        ws = campaign.workspace
        made = make_clips(campaign, offline=offline, jobs=jobs, report=report)
    skipped = sum(1 for m in ws.messages if m.awaiting_recording)
    return Rendered(made.results, made.failures, skipped, time.monotonic() - started, campaign.warnings)


@dataclass(frozen=True)
class Planned:
    shown: Schedule
    """The plan, limited to the commune and day asked for."""
    warnings: list[Problem]
    failures: tuple[Failure, ...]
    names: dict[str, str]
    """Commune id → name."""
    titles: dict[str, dict[str, str]]
    """Commune id → its slot codes → the names operators use."""

    @property
    def exit_code(self) -> int:
        return max((f.error.exit_code for f in self.failures), default=0)

    def table(self) -> list[str]:
        """The plan shown day by day, slot by slot, in the reader's language."""
        return table_lines(self.shown, self.names, self.titles)


def commune_names(campaign: Campaign) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Commune id → name, and commune id → its slot codes → the names operators use."""
    ws = campaign.workspace
    return {c.id: c.name for c in ws.communes}, {c.id: c.slot_titles for c in ws.communes}


def table_lines(plan: Schedule, names: dict[str, str], titles: dict[str, dict[str, str]]) -> list[str]:
    """A plan (or one commune's part of it) day by day, slot by slot, in the reader's language."""
    return playlist.table(plan, names, titles)


def schedule(campaign: Campaign, *, commune: str | None = None, day: dt.date | None = None,
             offline: bool | None = None, mixdown: bool | None = None, report: Reporter = quiet,
             each: Callable[[Schedule], None] | None = None) -> Planned:
    """Plan every commune, day and slot (rendering what is missing first) and write the
    playlists, sheets and mixdowns to ``build/schedule/``, commune by commune.

    With ``each``, every commune's plan (limited to ``day``) goes to it once its files are
    written, and ``Planned.shown`` keeps none: a front end that shows as it goes holds one
    commune at a time, whatever the campaign's size."""
    ws = campaign.workspace
    if commune and commune not in {c.id for c in ws.communes}:
        raise InputError("cli.schedule.unknown_commune", commune=commune,
                         known=", ".join(c.id for c in ws.communes))
    span = ws.settings.campaign
    if day and not span.start <= day <= span.end:
        raise InputError("cli.schedule.date_outside", date=day, start=span.start, end=span.end)
    with campaign.writing("schedule"):
        made = make_clips(campaign, offline=offline, jobs=None, report=report)
        kept: list[Schedule] = []

        def written(one: Schedule) -> None:
            pipeline.write_schedule(ws, one, made, mixdown=mixdown)
            (each or kept.append)(planner.select(one, day=day))
        plan = pipeline.plan(ws, made, {commune} if commune else None, each=written)
    # Only the communes asked for were planned, so the warnings need no further choosing by commune.
    shown = planner.select(replace(plan, communes=tuple(c for one in kept for c in one.communes)), day=day)
    return Planned(shown, [*campaign.warnings, *plan.warnings], made.failures, *commune_names(campaign))
