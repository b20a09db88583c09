"""broadcast verify PATH: check a package folder, a mounted stick or an .img against its manifest,
and its signature against the trusted keys."""

from pathlib import Path

import click

from broadcast.errors import VerificationFailed
from broadcast.i18n import t
from broadcast.operations import receive


@click.command("verify", help=t("cli.verify.help"))
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--trust", "trust_items", multiple=True, metavar="KEY", help=t("cli.verify.trust_help"))
@click.option("--strict", is_flag=True, help=t("cli.verify.strict_help"))
@click.option("--clean", is_flag=True, help=t("cli.verify.clean_help"))
@click.pass_obj
def command(state, path: Path, trust_items: tuple[str, ...], strict: bool, clean: bool) -> None:
    verified = receive.check_package(path, trust=trust_items, strict=strict, clean=clean,
                                     workspace_option=state.workspace_option)
    for what, name in verified.recovered:
        click.echo(t(f"cli.verify.{what}", folder=name))
    for package in verified.packages:
        for line in package.lines:
            click.echo(line)
        if package.verdict_text is not None:
            click.echo(package.verdict_text)
    if not verified.ok:
        raise VerificationFailed("cli.verify.failed", path=path)
