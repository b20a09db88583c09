"""broadcast check: validate the workspace and report every problem at once."""

import click

from broadcast.i18n import t
from broadcast.operations import prepare


@click.command("check", help=t("cli.check.help"))
@click.pass_obj
def command(state) -> None:
    checked = prepare.check(state.campaign())
    for problem in checked.warnings:
        click.echo(problem.render(), err=True)
    click.echo(t("cli.check.ok", messages=checked.messages, communes=checked.communes,
                 waiting=checked.waiting, warnings=len(checked.warnings)))
