"""broadcast tags FILE...: print the tags of clips."""

from pathlib import Path

import click

from broadcast.i18n import t
from broadcast.operations import prepare


@click.command("tags", help=t("cli.tags.help"))
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def command(files: tuple[Path, ...]) -> int:
    failed, shown = None, 0
    for found in prepare.read_tags(files):
        if found.error is not None:
            click.echo(found.error.message(), err=True)
            failed = found.error
            continue
        if shown:
            click.echo("")
        shown += 1
        version = f"ID3v{found.version}" if found.version else t("cli.tags.no_tag")
        click.echo(f"{found.path}  ({version})")
        width = max((len(t(f"tags.field.{name}")) for name in found.fields), default=0)
        for name, value in found.fields.items():
            label = t(f"tags.field.{name}")
            click.echo(f"  {label:<{width}}  {value.replace(chr(10), ' / ')}")
    return failed.exit_code if failed is not None else 0
