"""broadcast asrun import FILE...: read the play logs communes send back into the ledger."""

from pathlib import Path

import click

from broadcast import asrun, ledger
from broadcast.cli.app import writes_workspace
from broadcast.i18n import t


@click.group("asrun", help=t("cli.asrun.help"))
def command() -> None:
    pass


@command.command("import", help=t("cli.asrun.import_help"))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
@writes_workspace
def import_command(state, files: tuple[Path, ...]) -> None:
    ws, _warnings = state.workspace()
    communes = {c.id: c.name for c in ws.communes}
    messages = {m.id: m.title for m in ws.messages}
    with ledger.Ledger(ws.root / ledger.NAME) as book:
        result = asrun.import_into(book, files, communes, messages)
    for problem in result.problems:
        click.echo(problem.render(), err=True)
    warnings = sum(not p.is_error for p in result.problems)
    click.echo(t("cli.asrun.summary", imported=result.imported, new=result.new, skipped=result.skipped,
                 warnings=warnings))
