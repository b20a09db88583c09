"""broadcast schedule: plan every commune, day and slot; write playlists and sheets; show it."""

import json

import click

from broadcast.cli.progress import Shown
from broadcast.i18n import t
from broadcast.operations import produce


@click.command("schedule", help=t("cli.schedule.help"))
@click.option("--commune", "commune_id", metavar="ID", help=t("cli.schedule.commune_help"))
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help=t("cli.schedule.date_help"))
@click.option("--json", "as_json", is_flag=True, help=t("cli.schedule.json_help"))
@click.option("--offline/--online", default=None, help=t("cli.render.offline_help"))
@click.option("--mixdown/--no-mixdown", default=None, help=t("cli.schedule.mixdown_help"))
@click.pass_obj
def command(state, commune_id, day, as_json: bool, offline: bool, mixdown) -> int:
    with Shown(quiet_cached=True) as shown:
        planned = produce.schedule(state.campaign(), commune=commune_id, day=day.date() if day else None,
                                   offline=offline, mixdown=mixdown, report=shown)
    for failure in planned.failures:
        click.echo(failure.error.message(), err=True)
    for problem in planned.warnings:
        click.echo(problem.render(), err=True)
    if as_json:
        click.echo(json.dumps(planned.shown.to_json(), ensure_ascii=False, indent=1))
    else:
        click.echo("\n".join(planned.table()))
    return planned.exit_code
