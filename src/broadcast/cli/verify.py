"""broadcast verify PATH: check a package folder, a mounted stick or an .img against its manifest,
and its signature against the trusted keys."""

from pathlib import Path

import click

from broadcast import signing, trust, verify
from broadcast.cli.params import trusted_keys, workspace_root
from broadcast.errors import VerificationFailed
from broadcast.i18n import t


@click.command("verify", help=t("cli.verify.help"))
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--trust", "trust_items", multiple=True, metavar="KEY", help=t("cli.verify.trust_help"))
@click.option("--strict", is_flag=True, help=t("cli.verify.strict_help"))
@click.option("--clean", is_flag=True, help=t("cli.verify.clean_help"))
@click.pass_obj
def command(state, path: Path, trust_items: tuple[str, ...], strict: bool, clean: bool) -> None:
    trusted = trusted_keys(trust_items, workspace_root(state))
    seen = trust.Seen()
    failed = False
    for what, name in verify.recover(path, clean=clean):
        click.echo(t(f"cli.verify.{what}", folder=name))
    for report in verify.verify_all(path):
        for line in verify.format_report(report):
            click.echo(line)
        failed |= not report.ok
        if report.manifest is None:
            continue
        verdict = signing.check_manifest(
            report.manifest, trusted=trusted, require_trusted=strict,
            last_sequence=seen.sequence(report.manifest.commune.get("id", "")))
        click.echo(signing.explain(verdict))
        failed |= not verdict.ok
    if failed:
        raise VerificationFailed("cli.verify.failed", path=path)
