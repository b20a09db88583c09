"""broadcast usb COMMUNE TARGET_DIR: write one package onto a mounted stick and verify it."""

from pathlib import Path

import click

from broadcast import verify
from broadcast.cli.app import writes_workspace
from broadcast.cli.build import build_packages, record
from broadcast.errors import VerificationFailed
from broadcast.export import usb
from broadcast.i18n import t


@click.command("usb", help=t("cli.usb.help"))
@click.argument("commune")
@click.argument("target", type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True, help=t("cli.usb.replace_help"))
@click.option("--offline", is_flag=True, help=t("cli.render.offline_help"))
@click.pass_obj
@writes_workspace
def command(state, commune: str, target: Path, replace: bool, offline: bool) -> None:
    ws, _, built = build_packages(state, offline, None, (commune,))
    plan, folder, _ = built[0]
    total = sum(f.size for f in plan.manifest.files)
    with click.progressbar(length=total, label=t("cli.usb.copying", target=target),
                           file=click.get_text_stream("stderr")) as bar:
        written = usb.write_package(folder, target, replace=replace, progress=bar.update)
    if "restored" in written.recovered:
        click.echo(t("cli.usb.recovered", folder=target / plan.commune.id), err=True)
    for line in verify.format_report(written.report):
        click.echo(line)
    if not written.report.ok:
        raise VerificationFailed("cli.usb.readback_failed", path=target / plan.commune.id)
    if not written.wrote:
        click.echo(t("cli.usb.already", folder=target / plan.commune.id))
    record(ws, plan, "usb", "usb", str(target / plan.commune.id))
