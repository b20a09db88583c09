"""broadcast render: every clip whose inputs changed, on all cores, with a summary."""

import json
from dataclasses import asdict

import click

from broadcast.cli.progress import Shown
from broadcast.i18n import t
from broadcast.operations import produce


def _summary(rendered: produce.Rendered) -> str:
    results = rendered.results
    made = sum(1 for r in results if not r.cached)
    worst = max((abs(r.lufs - r.target_lufs) for r in results), default=0.0)
    peak = max((r.true_peak for r in results), default=float("-inf"))
    minutes = sum(r.duration for r in results) / 60
    return t("cli.render.summary", made=made, cached=len(results) - made, failed=len(rendered.failures),
             skipped=rendered.skipped, minutes=minutes, worst=worst, peak=peak, seconds=rendered.seconds)


@click.command("render", help=t("cli.render.help"))
@click.option("--offline/--online", default=None, help=t("cli.render.offline_help"))
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, help=t("cli.render.jobs_help"))
@click.option("--json", "as_json", is_flag=True, help=t("cli.render.json_help"))
@click.pass_obj
def command(state, offline: bool, jobs: int | None, as_json: bool) -> int:
    campaign = state.campaign()
    for problem in campaign.warnings:
        click.echo(problem.render(), err=True)
    with Shown(counted=True) as shown:
        rendered = produce.render(campaign, offline=offline, jobs=jobs, report=shown)
    click.echo(_summary(rendered), err=True)
    if as_json:
        click.echo(json.dumps([asdict(r) for r in rendered.results], ensure_ascii=False, indent=1))
    for failure in rendered.failures:
        click.echo(failure.error.message(), err=True)
    return rendered.exit_code
