"""broadcast usb COMMUNE TARGET_DIR: write one package onto a mounted stick and verify it."""

from pathlib import Path

import click

from broadcast.cli.progress import Shown
from broadcast.i18n import t
from broadcast.operations import deliver


@click.command("usb", help=t("cli.usb.help"))
@click.argument("commune")
@click.argument("target", type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True, help=t("cli.usb.replace_help"))
@click.option("--offline/--online", default=None, help=t("cli.render.offline_help"))
@click.pass_obj
def command(state, commune: str, target: Path, replace: bool, offline: bool) -> None:
    with Shown(quiet_cached=True, labels={"usb": t("cli.usb.copying", target=target)}) as shown:
        written = deliver.write_stick(state.campaign(), commune, target, replace=replace, offline=offline,
                                      report=shown)
    if written.restored:
        click.echo(t("cli.usb.recovered", folder=written.folder), err=True)
    for line in written.lines:
        click.echo(line)
    deliver.require_read_back(written)
    if not written.wrote:
        click.echo(t("cli.usb.already", folder=written.folder))
