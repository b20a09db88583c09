"""Progress events from the domain, shown on the terminal: notices as lines, steps as bars."""

from __future__ import annotations

import click

from broadcast.i18n import t
from broadcast.progress import Advance, Event, Notice


class Shown:
    """A reporter for the command line: every notice once on stderr, each step as a bar."""

    def __init__(self) -> None:
        self._bars: dict[str, object] = {}
        self._done: dict[str, int] = {}

    def __call__(self, event: Event) -> None:
        if isinstance(event, Notice):
            click.echo(t(event.key, **event.params), err=True)
        elif isinstance(event, Advance):
            self._advance(event)

    def _advance(self, event: Advance) -> None:
        bar = self._bars.get(event.step)
        if bar is None:
            bar = click.progressbar(length=event.total, label=t(f"progress.{event.step}"),
                                    file=click.get_text_stream("stderr"))
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
