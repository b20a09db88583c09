"""broadcast ui: the local web page on 127.0.0.1; the address (with its access token) is the
first line printed."""

from pathlib import Path

import click

from broadcast import i18n
from broadcast.i18n import t
from broadcast.operations import campaign as campaigns


@click.command("ui", help=t("cli.ui.help"))
@click.option("-w", "--workspace", "workspace", metavar=t("cli.dir_metavar"), help=t("cli.workspace_help"))
@click.option("--port", type=click.IntRange(0, 65535), default=0, help=t("cli.ui.port_help"))
@click.option("--no-browser", is_flag=True, help=t("cli.ui.no_browser_help"))
@click.option("--operator", is_flag=True, help=t("cli.ui.operator_help"))
@click.pass_obj
def command(state, workspace: str | None, port: int, no_browser: bool, operator: bool) -> None:
    from broadcast.ui import server

    root: Path | None = None
    if not operator:
        root = campaigns.find(workspace or state.workspace_option).root

    def announce(url: str) -> None:
        click.echo(url)
        click.echo(t("cli.ui.started_operator" if operator else "cli.ui.started", folder=root), err=True)

    server.serve(root, port=port, operator=operator, open_browser=not no_browser,
                 language=i18n.current_language(), announce=announce)
