"""broadcast tags FILE...: print the tags of clips."""

from pathlib import Path

import click

from broadcast.i18n import t
from broadcast.sound import tags


@click.command("tags", help=t("cli.tags.help"))
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def command(files: tuple[Path, ...]) -> None:
    for number, path in enumerate(files):
        if number:
            click.echo("")
        click.echo(f"{path}  (ID3v{tags.version(path) or '-'})")
        found = tags.read(path)
        width = max((len(t(f"tags.field.{name}")) for name in found), default=0)
        for name, value in found.items():
            label = t(f"tags.field.{name}")
            click.echo(f"  {label:<{width}}  {value.replace(chr(10), ' / ')}")
