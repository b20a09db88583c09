"""broadcast keys init|show: the office's signing key and its fingerprint."""

import os
from datetime import date
from pathlib import Path

import click

from broadcast.campaign.model import SETTINGS_FILE
from broadcast.campaign.workspace import ENV_VAR
from broadcast.errors import InputError
from broadcast.i18n import t
from broadcast.trust import policy as trust
from broadcast.trust import signing


def _workspace_root(state) -> Path | None:
    """The campaign folder we are in, if any. One named by -w or $BROADCAST_WORKSPACE must exist;
    outside any campaign folder a key can still be made (it is then trusted by no workspace)."""
    from broadcast.cli.app import State

    state = state if state is not None else State()
    try:
        return state.root()
    except InputError:
        if state.workspace_option or os.environ.get(ENV_VAR):
            raise
        return None


def _refuse_inside_workspace(path: Path, root: Path | None) -> None:
    """Private keys stay out of campaign folders: those get copied, shared and published."""
    where = path.expanduser().resolve()
    holders = [root] if root is not None and where.is_relative_to(root.resolve()) else []
    holders += [p for p in where.parents if (p / SETTINGS_FILE).is_file()]  # any other campaign
    if holders:
        raise InputError("signing.key_in_workspace", path=path, folder=str(holders[0]),
                         default=str(signing.default_key_path()))


@click.group("keys", help=t("cli.keys.help"))
def keys() -> None:
    pass


@keys.command("init", help=t("cli.keys.init_help"))
@click.option("--key", "key_path", type=click.Path(dir_okay=False, path_type=Path),
              help=t("cli.keys.key_help"))
@click.option("--force", is_flag=True, help=t("cli.keys.force_help"))
@click.pass_obj
def init(state, key_path: Path | None, force: bool) -> None:
    root = _workspace_root(state)
    path = key_path or signing.default_key_path()
    _refuse_inside_workspace(path, root)
    key = signing.init_key(path, force=force)
    click.echo(t("cli.keys.created", file=path, fingerprint=key.public.fingerprint))
    if root is not None:
        pub = trust.add_workspace_key(root, key.public, f"created {date.today().isoformat()}")
        click.echo(t("cli.keys.trusted", file=pub))
    click.echo(t("cli.keys.backup", file=path))


@keys.command("show", help=t("cli.keys.show_help"))
@click.option("--key", "key_path", type=click.Path(dir_okay=False, path_type=Path),
              help=t("cli.keys.show_key_help"))
def show(key_path: Path | None) -> None:
    path = key_path or signing.default_key_path()
    if path.suffix == ".pub":
        public = signing.parse_public(path.read_text(encoding="utf-8"), str(path))
    else:
        public = signing.load_key(path).public
    click.echo(t("cli.keys.shown", file=path, fingerprint=public.fingerprint, keyid=public.keyid))


command = keys
