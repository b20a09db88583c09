"""broadcast asrun import FILE...: read the play logs communes send back into the ledger."""

from pathlib import Path

import click

from broadcast.i18n import t
from broadcast.operations import records


@click.group("asrun", help=t("cli.asrun.help"))
def command() -> None:
    pass


@command.command("import", help=t("cli.asrun.import_help"))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def import_command(state, files: tuple[Path, ...]) -> None:
    result = records.import_play_logs(state.campaign(), files)
    for problem in result.problems:
        click.echo(problem.render(), err=True)
    warnings = sum(not p.is_error for p in result.problems)
    click.echo(t("cli.asrun.summary", imported=result.imported, new=result.new, skipped=result.skipped,
                 warnings=warnings))
