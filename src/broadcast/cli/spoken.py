"""broadcast spoken [--explain] [TEXT]: print a script exactly as it will be spoken."""

import sys

import click

from broadcast.cli.progress import Shown
from broadcast.errors import InputError
from broadcast.i18n import t
from broadcast.operations import prepare


@click.command("spoken", help=t("cli.spoken.help"))
@click.argument("text", required=False)
@click.option("--explain", is_flag=True, help=t("textprep.explain_help"))
@click.pass_obj
def command(state, text: str | None, explain: bool) -> None:
    given: str | bytes = text if text is not None else _stdin_bytes()
    if not given.strip():  # an empty pipe or "": say so, rather than print nothing
        raise InputError("spoken.empty")
    with Shown() as shown:
        lines = prepare.spoken(given, state.workspace_option, explain=explain, report=shown)
    for line in lines:
        click.echo(line)


def _stdin_bytes() -> bytes:
    """Standard input as bytes: decoding is the operation's, which tells binary data apart."""
    stream = sys.stdin
    return stream.buffer.read() if hasattr(stream, "buffer") else stream.read().encode("utf-8")
