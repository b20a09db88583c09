"""broadcast verify PATH: check a package folder, a mounted stick or an .img against its manifest."""

from pathlib import Path

import click

from broadcast import verify
from broadcast.errors import VerificationFailed
from broadcast.i18n import t


@click.command("verify", help=t("cli.verify.help"))
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def command(path: Path) -> None:
    reports = verify.verify_all(path)
    for report in reports:
        for line in verify.format_report(report):
            click.echo(line)
    if not all(report.ok for report in reports):
        raise VerificationFailed("cli.verify.failed", path=path)
