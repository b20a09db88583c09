"""broadcast share URL COMMUNE: a link to the commune's latest package, usable without credentials."""

from pathlib import Path

import click

from broadcast.cli.params import store_kwargs, store_options
from broadcast.export.cloud import share
from broadcast.export.cloud.stores import open_store
from broadcast.i18n import t


@click.command("share", help=t("cli.share.help"))
@click.argument("url")
@click.argument("commune")
@click.option("--expires", default="7d", show_default=True, help=t("cli.share.expires_help"))
@click.option("--qr", type=click.Path(dir_okay=False, path_type=Path), help=t("cli.share.qr_help"))
@store_options
def command(url, commune, expires, qr, endpoint_url, region, profile, addressing):
    seconds = share.parse_expiry(expires)
    store = open_store(url, **store_kwargs(endpoint_url, region, profile, addressing))
    link = share.share(store, commune, seconds)
    click.echo(link)
    if qr:
        share.write_qr(link, qr)
        click.echo(t("cli.share.qr_written", path=qr, hours=seconds / 3600), err=True)
