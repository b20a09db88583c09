"""broadcast schedule: plan every commune, day and slot; write playlists and sheets; show it."""

import json
import textwrap

import click

from broadcast.cli.progress import Shown
from broadcast.i18n import t
from broadcast.operations import produce


class _Printed:
    """The plan printed commune by commune as it is made, so a national campaign is never held
    whole: the table's lines, or one JSON document whose ``communes`` list is streamed."""

    def __init__(self, as_json: bool, names: dict[str, str], titles: dict[str, dict[str, str]]) -> None:
        self.as_json, self.names, self.titles = as_json, names, titles
        self.started, self.count = False, 0

    def __call__(self, one) -> None:
        if not self.as_json:
            for line in produce.table_lines(one, self.names, self.titles):
                click.echo(line)
            return
        self._open(one)
        for commune in one.communes:
            body = json.dumps(commune.to_json(), ensure_ascii=False, indent=1)
            click.echo((",\n" if self.count else "") + textwrap.indent(body, "  "), nl=False)
            self.count += 1

    def _open(self, plan) -> None:
        if not self.started:
            head = {k: v for k, v in plan.to_json().items() if k not in ("communes", "warnings")}
            click.echo(json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ',\n "communes": [\n', nl=False)
            self.started = True

    def close(self, plan) -> None:
        if self.as_json:
            self._open(plan)
            warnings = json.dumps(plan.to_json()["warnings"], ensure_ascii=False, indent=1)
            click.echo(("\n " if self.count else " ") + '],\n "warnings": '
                       + textwrap.indent(warnings, " ")[1:] + "\n}")


@click.command("schedule", help=t("cli.schedule.help"))
@click.option("--commune", "commune_id", metavar="ID", help=t("cli.schedule.commune_help"))
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help=t("cli.schedule.date_help"))
@click.option("--json", "as_json", is_flag=True, help=t("cli.schedule.json_help"))
@click.option("--offline/--online", default=None, help=t("cli.render.offline_help"))
@click.option("--mixdown/--no-mixdown", default=None, help=t("cli.schedule.mixdown_help"))
@click.pass_obj
def command(state, commune_id, day, as_json: bool, offline: bool, mixdown) -> int:
    campaign = state.campaign()
    printed = _Printed(as_json, *produce.commune_names(campaign))
    with Shown(quiet_cached=True) as shown:
        planned = produce.schedule(campaign, commune=commune_id, day=day.date() if day else None,
                                   offline=offline, mixdown=mixdown, report=shown, each=printed)
    printed.close(planned.shown)
    for failure in planned.failures:
        click.echo(failure.error.message(), err=True)
    for problem in planned.warnings:
        click.echo(problem.render(), err=True)
    return planned.exit_code
