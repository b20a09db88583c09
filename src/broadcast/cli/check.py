"""broadcast check: validate the workspace and report every problem at once."""

import click

from broadcast.i18n import t


@click.command("check", help=t("cli.check.help"))
@click.pass_obj
def command(state) -> None:
    ws, warnings = state.workspace()
    for problem in warnings:
        click.echo(problem.render(), err=True)
    waiting = sum(1 for m in ws.messages if m.awaiting_recording)
    click.echo(t("cli.check.ok", messages=len(ws.messages), communes=len(ws.communes),
                 waiting=waiting, warnings=len(warnings)))
