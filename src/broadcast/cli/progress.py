"""Progress events from the operations, shown on the terminal: a line per clip, notices as lines,
other steps as bars."""

from __future__ import annotations

import click

from broadcast.i18n import t
from broadcast.operations import Advance, Event, Notice


def clip_line(item: object, done: int, total: int) -> str:
    """One clip as the render step shows it: made or reused, loudness, true peak, length; or why
    it failed."""
    error = getattr(item, "error", None)
    if error is not None:
        line = t("cli.render.failed", id=item.id, reason=error.message())
    else:
        state = t("cli.render.cached" if item.cached else "cli.render.made")
        line = (f"{item.id:<24} {state:<10} {item.lufs:6.1f} LUFS {item.true_peak:5.1f} dBTP"
                f" {item.duration:6.1f} s")
    counter = f"[{done:>{len(str(total))}}/{total}] " if total else ""
    return f"{counter}{line}"


class Shown:
    """A reporter for the command line, all on stderr: each clip as a line (with a counter, or
    only those made or failed with ``quiet_cached``), every notice once, other steps as bars.
    ``labels`` names a step's bar."""

    def __init__(self, *, quiet_cached: bool = False, counted: bool = False,
                 labels: dict[str, str] | None = None) -> None:
        self.quiet_cached = quiet_cached
        self.counted = counted
        self.labels = labels or {}
        self._bars: dict[str, object] = {}
        self._done: dict[str, int] = {}

    def __call__(self, event: Event) -> None:
        if isinstance(event, Notice):
            click.echo(t(event.key, **event.params), err=True)
        elif event.step == "render":
            self._clip(event)
        else:
            self._advance(event)

    def _clip(self, event: Advance) -> None:
        item = event.detail
        if self.quiet_cached and getattr(item, "cached", False):
            return
        click.echo(clip_line(item, event.done, event.total if self.counted else 0), err=True)

    def _advance(self, event: Advance) -> None:
        bar = self._bars.get(event.step)
        if bar is None:
            bar = click.progressbar(length=event.total, file=click.get_text_stream("stderr"),
                                    label=self.labels.get(event.step) or t(f"progress.{event.step}"))
            bar.__enter__()
            self._bars[event.step], self._done[event.step] = bar, 0
        bar.update(event.done - self._done[event.step])
        self._done[event.step] = event.done
        if event.done >= event.total:
            bar.__exit__(None, None, None)
            del self._bars[event.step]

    def close(self) -> None:
        for bar in self._bars.values():
            bar.__exit__(None, None, None)
        self._bars.clear()

    def __enter__(self) -> Shown:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
