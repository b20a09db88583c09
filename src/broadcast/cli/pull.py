"""broadcast pull SOURCE COMMUNE DEST: fetch, verify and switch to the latest published package."""

from pathlib import Path

import click

from broadcast.cli.params import store_kwargs, store_options
from broadcast.export import pull
from broadcast.i18n import t


@click.command("pull", help=t("cli.pull.help"))
@click.argument("source")
@click.argument("commune")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@store_options
def command(source, commune, dest, endpoint_url, region, profile, addressing):
    origin = pull.open_source(source, **store_kwargs(endpoint_url, region, profile, addressing))
    result = pull.pull(origin, commune, dest)
    key = "cli.pull.done" if result.changed else "cli.pull.current"
    click.echo(t(key, commune=commune, version=result.version, folder=result.folder,
                 downloaded=result.downloaded, mb=f"{result.downloaded_bytes / 1e6:.1f}",
                 reused=result.reused))
