"""broadcast share URL COMMUNE: a link to the commune's latest package, usable without credentials."""

from pathlib import Path

import click

from broadcast.cli.params import store_kwargs, store_options
from broadcast.i18n import t
from broadcast.operations import deliver


@click.command("share", help=t("cli.share.help"))
@click.argument("url")
@click.argument("commune")
@click.option("--expires", default="7d", show_default=True, help=t("cli.share.expires_help"))
@click.option("--qr", type=click.Path(dir_okay=False, path_type=Path), help=t("cli.share.qr_help"))
@store_options
def command(url, commune, expires, qr, endpoint_url, region, profile, addressing):
    shared = deliver.share(url, commune, expires=expires, qr=qr,
                           store_options=store_kwargs(endpoint_url, region, profile, addressing))
    click.echo(shared.link)
    if shared.qr:
        click.echo(t("cli.share.qr_written", path=shared.qr, hours=shared.hours), err=True)
