"""broadcast spoken [--explain] [TEXT]: print a script exactly as it will be spoken."""

import sys

import click

from broadcast.i18n import t
from broadcast.operations import prepare


@click.command("spoken", help=t("cli.spoken.help"))
@click.argument("text", required=False)
@click.option("--explain", is_flag=True, help=t("textprep.explain_help"))
@click.pass_obj
def command(state, text: str | None, explain: bool) -> None:
    if text is None:
        text = sys.stdin.read()
    for line in prepare.spoken(text, state.workspace_option, explain=explain):
        click.echo(line)
