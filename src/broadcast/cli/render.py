"""broadcast render: every clip whose inputs changed, on all cores, with a summary."""

import json
import time
from dataclasses import asdict

import click

from broadcast import pipeline, render
from broadcast.cli.app import writes_workspace
from broadcast.i18n import t
from broadcast.render import ClipResult, Failure


def progress_printer(total: int | None = None, *, quiet_cached: bool = False):
    """A progress callback: one line per clip; ``quiet_cached`` hides clips that were reused."""
    done = 0

    def show(item: ClipResult | Failure) -> None:
        nonlocal done
        done += 1
        if quiet_cached and isinstance(item, ClipResult) and item.cached:
            return
        if isinstance(item, Failure):
            line = t("cli.render.failed", id=item.id, reason=item.error.message())
        else:
            state = t("cli.render.cached" if item.cached else "cli.render.made")
            line = (f"{item.id:<24} {state:<10} {item.lufs:6.1f} LUFS {item.true_peak:5.1f} dBTP"
                    f" {item.duration:6.1f} s")
        counter = f"[{done:>{len(str(total))}}/{total}] " if total else ""
        click.echo(f"{counter}{line}", err=True)
    return show


def _summary(results: list[ClipResult], failures: list[Failure], skipped: int, seconds: float) -> str:
    made = sum(1 for r in results if not r.cached)
    worst = max((abs(r.lufs - r.target_lufs) for r in results), default=0.0)
    peak = max((r.true_peak for r in results), default=float("-inf"))
    minutes = sum(r.duration for r in results) / 60
    return t("cli.render.summary", made=made, cached=len(results) - made, failed=len(failures),
             skipped=skipped, minutes=minutes, worst=worst, peak=peak, seconds=seconds)


@click.command("render", help=t("cli.render.help"))
@click.option("--offline", is_flag=True, help=t("cli.render.offline_help"))
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, help=t("cli.render.jobs_help"))
@click.option("--json", "as_json", is_flag=True, help=t("cli.render.json_help"))
@click.pass_obj
@writes_workspace
def command(state, offline: bool, jobs: int | None, as_json: bool) -> int:
    started = time.monotonic()
    ws, warnings = state.workspace()
    for problem in warnings:
        click.echo(problem.render(), err=True)
    planned = render.plan(ws, offline=offline)
    made = pipeline.clips(ws, workers=jobs, progress=progress_printer(len(planned)), jobs=planned)
    results, failures = list(made.results), list(made.failures)
    skipped = sum(1 for m in ws.messages if m.awaiting_recording)
    click.echo(_summary(results, failures, skipped, time.monotonic() - started), err=True)
    if as_json:
        click.echo(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1))
    for failure in failures:
        click.echo(failure.error.message(), err=True)
    return max((f.error.exit_code for f in failures), default=0)
