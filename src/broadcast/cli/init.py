"""broadcast init DIR: a new workspace from the shipped sample campaign."""

from pathlib import Path

import click

from broadcast.i18n import t
from broadcast.operations import prepare


@click.command("init", help=t("cli.init.help"))
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def command(folder: Path) -> None:
    click.echo(t("cli.init.done", folder=prepare.init(folder)))
