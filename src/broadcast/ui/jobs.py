"""One long operation at a time: build, preview, write a stick, publish, pull…

An operation runs in a thread of its own with a reporter that keeps its progress events, so the
page can poll how far it is. A second one while the first runs is refused here; the operations
also hold the campaign folder's lock, the same lock every command of the terminal honours, so a
``broadcast build`` typed while the page builds is told who is working, and the reverse.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from broadcast.errors import BroadcastError
from broadcast.i18n import t
from broadcast.operations import Advance, Event, Notice

Outcome = dict
"""What the page shows when an operation is done: ``lines`` (list of text), ``links`` (list of
[label, url]), ``audio`` (a URL to play), ``ok`` (False when a check found problems)."""


class Running(BroadcastError):
    """The page is already running an operation."""


@dataclass
class Job:
    id: int
    action: str
    label: str
    started: float = field(default_factory=time.monotonic)
    state: str = "running"
    steps: dict[str, dict] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    outcome: Outcome | None = None
    error: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def report(self, event: Event) -> None:
        """The reporter handed to the operation: called from its thread."""
        with self._lock:
            if isinstance(event, Notice):
                self.lines.append(t(event.key, **event.params))
            elif isinstance(event, Advance):
                self._advance(event)

    def _advance(self, event: Advance) -> None:
        self.steps[event.step] = {"label": t(f"ui.step.{event.step}"), "done": event.done,
                                  "total": event.total, "unit": event.unit}
        detail = event.detail
        if event.step == "render" and detail is not None:
            error = getattr(detail, "error", None)
            if error is not None:
                self.lines.append(t("ui.job.clip_failed", id=detail.id, reason=error.message()))
            else:
                key = "ui.job.clip_cached" if detail.cached else "ui.job.clip_made"
                self.lines.append(t(key, id=detail.id, seconds=f"{detail.duration:.1f}",
                                    lufs=f"{detail.lufs:.1f}"))

    def snapshot(self) -> dict:
        with self._lock:
            return {"id": self.id, "action": self.action, "label": self.label, "state": self.state,
                    "seconds": round(time.monotonic() - self.started, 1),
                    "steps": list(self.steps.values()), "lines": self.lines[-200:],
                    "outcome": self.outcome, "error": self.error}


PAGE_WORDS = {"usb.exists": "ui.deliver.stick_exists", "usb.no_package": "ui.deliver.build_first"}
"""Errors whose command-line advice ("add --replace", "run broadcast build") the page says
with its own controls: a person at the page has a box to tick and a button, not a flag."""


def page_message(exc: BroadcastError) -> str:
    """An error's one line as the page shows it."""
    key = PAGE_WORDS.get(exc.key)
    if key is None:
        return exc.message()
    said = exc.message()
    where = said[: len(said) - len(t(exc.key, **exc.params))]
    return where + t(key, **exc.params)


class Runner:
    """The page's operations, one at a time; the last one stays to be shown."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0
        self.current: Job | None = None

    def busy(self) -> Job | None:
        job = self.current
        return job if job is not None and job.state == "running" else None

    def start(self, action: str, work: Callable[[Callable[[Event], None]], Outcome]) -> Job:
        """Run ``work(report)`` in a thread; refuse while another operation runs."""
        with self._lock:
            running = self.busy()
            if running is not None:
                raise Running("ui.job.running", label=running.label)
            self._count += 1
            job = Job(self._count, action, t(f"ui.action.{action}"))
            self.current = job
        threading.Thread(target=self._run, args=(job, work), name=f"broadcast-ui-{action}",
                         daemon=True).start()
        return job

    def find(self, number: int) -> Job | None:
        job = self.current
        return job if job is not None and job.id == number else None

    @staticmethod
    def _run(job: Job, work: Callable[[Callable[[Event], None]], Outcome]) -> None:
        try:
            outcome = work(job.report)
        except BroadcastError as exc:
            job.error, job.state = page_message(exc), "failed"
        except Exception as exc:  # a bug: one line on the page, the details on the terminal
            traceback.print_exc(file=sys.stderr)
            job.error, job.state = t("cli.internal_error", detail=f"{type(exc).__name__}: {exc}"), "failed"
        else:
            job.outcome, job.state = outcome, "done"
