"""broadcast image [COMMUNE ...|--all]: one FAT32 disk image per commune."""

from pathlib import Path

import click

from broadcast.cli.params import Size
from broadcast.cli.progress import Shown
from broadcast.i18n import t
from broadcast.operations import deliver


@click.command("image", help=t("cli.image.help"))
@click.argument("communes", nargs=-1, metavar="[COMMUNE]...")
@click.option("--all", "everyone", is_flag=True, help=t("cli.image.all_help"))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help=t("cli.image.output_help"))
@click.option("--size", type=Size(), help=t("cli.image.size_help"))
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, help=t("cli.render.jobs_help"))
@click.option("--offline/--online", default=None, help=t("cli.render.offline_help"))
@click.pass_obj
def command(state, communes, everyone: bool, output: Path | None, size: int | None,
            jobs: int | None, offline: bool) -> None:
    with Shown(quiet_cached=True) as shown:
        made = deliver.make_images(state.campaign(), communes, everyone=everyone, output=output, size=size,
                                   jobs=jobs, offline=offline, report=shown)
    for image in made:
        click.echo(t("cli.image.done", commune=image.commune, path=image.path, mb=image.size / 1e6))
