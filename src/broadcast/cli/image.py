"""broadcast image [COMMUNE ...|--all]: one FAT32 disk image per commune."""

from pathlib import Path

import click

from broadcast import fsio, interrupts
from broadcast.cli.app import writes_workspace
from broadcast.cli.build import build_packages, record
from broadcast.cli.params import Size
from broadcast.errors import InputError
from broadcast.export.image import IMAGES_DIR, make_image
from broadcast.i18n import t


@click.command("image", help=t("cli.image.help"))
@click.argument("communes", nargs=-1, metavar="[COMMUNE]...")
@click.option("--all", "everyone", is_flag=True, help=t("cli.image.all_help"))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help=t("cli.image.output_help"))
@click.option("--size", type=Size(), help=t("cli.image.size_help"))
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, help=t("cli.render.jobs_help"))
@click.option("--offline", is_flag=True, help=t("cli.render.offline_help"))
@click.pass_obj
@writes_workspace
def command(state, communes, everyone: bool, output: Path | None, size: int | None,
            jobs: int | None, offline: bool) -> None:
    if not communes and not everyone:
        raise InputError("cli.image.which")
    ws, _, built = build_packages(state, offline, jobs, () if everyone else communes)
    folder = output or ws.root / IMAGES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    fsio.remove_stale_temporaries(folder)  # half-written images of a run that was killed

    with interrupts.thread_pool(jobs or 2) as (pool, stop):
        def one(item):
            plan, package_dir, _ = item
            # Ctrl-C: the image being written stops at its next chunk and its .part goes.
            return plan, make_image(package_dir, folder / f"{plan.commune.id}.img", size=size,
                                    progress=stop.check)

        futures = [pool.submit(one, item) for item in built]
        for future in interrupts.completed(futures, ordered=True):
            plan, image = future.result()
            record(ws, plan, "image", "image", str(image))
            click.echo(t("cli.image.done", commune=plan.commune.id, path=image,
                         mb=image.stat().st_size / 1e6))
