"""broadcast pull SOURCE COMMUNE DEST: fetch, verify and switch to the latest published package."""

from pathlib import Path

import click

from broadcast.cli.params import store_kwargs, store_options
from broadcast.cli.progress import Shown
from broadcast.i18n import t
from broadcast.operations import receive


@click.command("pull", help=t("cli.pull.help"))
@click.argument("source")
@click.argument("commune")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--trust", "trust_items", multiple=True, metavar="KEY", help=t("cli.verify.trust_help"))
@click.option("--accept-new-key", is_flag=True, help=t("cli.pull.accept_new_key_help"))
@store_options
@click.pass_obj
def command(state, source, commune, dest, trust_items, accept_new_key, endpoint_url, region, profile,
            addressing):
    with Shown() as shown:
        pulled = receive.pull(source, commune, dest, trust=trust_items, accept_new_key=accept_new_key,
                              store_options=store_kwargs(endpoint_url, region, profile, addressing),
                              workspace_option=state.workspace_option, report=shown)
    result = pulled.result
    click.echo(pulled.verdict_text)
    if result.repaired:
        click.echo(t("cli.pull.repaired", count=len(result.repaired), files=", ".join(result.repaired[:3])),
                   err=True)
    key = "cli.pull.done" if result.changed else "cli.pull.current"
    click.echo(t(key, commune=commune, version=result.version, folder=result.folder,
                 downloaded=result.downloaded, mb=f"{result.downloaded_bytes / 1e6:.1f}",
                 reused=result.reused))
