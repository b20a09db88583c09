"""broadcast keys init|show: the office's signing key and its fingerprint."""

from pathlib import Path

import click

from broadcast.i18n import t
from broadcast.operations import records


@click.group("keys", help=t("cli.keys.help"))
def keys() -> None:
    pass


@keys.command("init", help=t("cli.keys.init_help"))
@click.option("--key", "key_path", type=click.Path(dir_okay=False, path_type=Path),
              help=t("cli.keys.key_help"))
@click.option("--force", is_flag=True, help=t("cli.keys.force_help"))
@click.pass_obj
def init(state, key_path: Path | None, force: bool) -> None:
    made = records.make_key(key_path, force=force, workspace_option=state.workspace_option if state else None)
    click.echo(t("cli.keys.created", file=made.path, fingerprint=made.fingerprint))
    if made.trusted_file is not None:
        click.echo(t("cli.keys.trusted", file=made.trusted_file))
    click.echo(t("cli.keys.backup", file=made.path))


@keys.command("show", help=t("cli.keys.show_help"))
@click.option("--key", "key_path", type=click.Path(dir_okay=False, path_type=Path),
              help=t("cli.keys.show_key_help"))
def show(key_path: Path | None) -> None:
    shown = records.show_key(key_path)
    click.echo(t("cli.keys.shown", file=shown.path, fingerprint=shown.fingerprint, keyid=shown.keyid))


command = keys
