"""broadcast tags FILE...: print the tags of clips."""

from pathlib import Path

import click

from broadcast.i18n import t
from broadcast.operations import prepare


@click.command("tags", help=t("cli.tags.help"))
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def command(files: tuple[Path, ...]) -> None:
    for number, found in enumerate(prepare.read_tags(files)):
        if number:
            click.echo("")
        click.echo(f"{found.path}  (ID3v{found.version or '-'})")
        width = max((len(t(f"tags.field.{name}")) for name in found.fields), default=0)
        for name, value in found.fields.items():
            label = t(f"tags.field.{name}")
            click.echo(f"  {label:<{width}}  {value.replace(chr(10), ' / ')}")
