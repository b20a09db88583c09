"""Progress events from the operations, shown on the terminal: a line per clip (with the time
left), notices as lines, other steps as bars; where stderr is not a terminal (a log file, a pipe)
each step is one line when it starts and one when it ends. Everything goes to stderr, so
``--json`` on stdout stays clean."""

from __future__ import annotations

import sys
import time

import click

from broadcast.i18n import t
from broadcast.operations import Advance, Event, Notice


def clip_line(item: object, done: int, total: int, left: str = "") -> str:
    """One clip as the render step shows it: made or reused, loudness, true peak, length; or why
    it failed. ``left`` is the time the rest will take."""
    error = getattr(item, "error", None)
    if error is not None:
        line = t("cli.render.failed", id=item.id, reason=error.message())
    else:
        state = t("cli.render.cached" if item.cached else "cli.render.made")
        line = (f"{item.id:<24} {state:<10} {item.lufs:6.1f} LUFS {item.true_peak:5.1f} dBTP"
                f" {item.duration:6.1f} s")
    counter = f"[{done:>{len(str(total))}}/{total}{left}] " if total else ""
    return f"{counter}{line}"


def duration(seconds: float) -> str:
    """A time left as people say it: 40 s, 3 min, 1 h 20 min."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return t("progress.seconds", n=seconds)
    if seconds < 3600:
        return t("progress.minutes", n=round(seconds / 60))
    return t("progress.hours", h=seconds // 3600, m=round(seconds % 3600 / 60))


class Shown:
    """A reporter for the command line, all on stderr: each clip as a line (with a counter, or
    only those made or failed with ``quiet_cached``), every notice once, other steps as bars.
    ``labels`` names a step's bar."""

    def __init__(self, *, quiet_cached: bool = False, counted: bool = False,
                 labels: dict[str, str] | None = None) -> None:
        self.quiet_cached = quiet_cached
        self.counted = counted
        self.labels = labels or {}
        self.terminal = sys.stderr.isatty()
        self._bars: dict[str, object] = {}
        self._done: dict[str, int] = {}
        self._started: dict[str, float] = {}

    def __call__(self, event: Event) -> None:
        if isinstance(event, Notice):
            click.echo(t(event.key, **event.params), err=True)
        elif event.step == "render":
            self._clip(event)
        else:
            self._advance(event)

    def _clip(self, event: Advance) -> None:
        item = event.detail
        started = self._started.setdefault("render", time.monotonic())
        if self.quiet_cached and getattr(item, "cached", False):
            return
        left = ""
        if self.counted and event.done < event.total and not getattr(item, "cached", True):
            pace = (time.monotonic() - started) / event.done
            left = ", " + t("progress.left", time=duration(pace * (event.total - event.done)))
        click.echo(clip_line(item, event.done, event.total if self.counted else 0, left), err=True)

    def _label(self, step: str) -> str:
        return self.labels.get(step) or t(f"progress.{step}")

    def _advance(self, event: Advance) -> None:
        if not self.terminal:
            self._line(event)
            return
        bar = self._bars.get(event.step)
        if bar is None:
            bar = click.progressbar(length=event.total, file=click.get_text_stream("stderr"),
                                    label=self._label(event.step), show_eta=True)
            bar.__enter__()
            self._bars[event.step], self._done[event.step] = bar, 0
        bar.update(event.done - self._done[event.step])
        self._done[event.step] = event.done
        if event.done >= event.total:
            bar.__exit__(None, None, None)
            del self._bars[event.step]

    def _line(self, event: Advance) -> None:
        """Not a terminal: the step once when it starts, once when it is done."""
        if event.step not in self._started:
            self._started[event.step] = time.monotonic()
            click.echo(t("progress.started", step=self._label(event.step), total=_amount(event)), err=True)
        if event.done >= event.total:
            seconds = time.monotonic() - self._started.pop(event.step)
            click.echo(t("progress.finished", step=self._label(event.step), total=_amount(event),
                         time=duration(seconds)), err=True)

    def close(self) -> None:
        for bar in self._bars.values():
            bar.__exit__(None, None, None)
        self._bars.clear()

    def __enter__(self) -> Shown:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _amount(event: Advance) -> str:
    return f"{event.total / 1e6:.1f} MB" if event.unit == "bytes" else str(event.total)
