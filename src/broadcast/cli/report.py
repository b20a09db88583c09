"""broadcast report: what went where, when, how many minutes on which topic, and what was played."""

from pathlib import Path

import click

from broadcast.i18n import t
from broadcast.operations import records

_DATE = click.DateTime(["%Y-%m-%d", "%d/%m/%Y"])
_METAVAR = t("cli.report.date_metavar")


@click.command("report", help=t("cli.report.help"))
@click.option("--from", "start", type=_DATE, metavar=_METAVAR, help=t("cli.report.from_help"))
@click.option("--to", "end", type=_DATE, metavar=_METAVAR, help=t("cli.report.to_help"))
@click.option("--format", "fmt", type=click.Choice(records.FORMATS), default="table",
              show_default=True, help=t("cli.report.format_help"))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help=t("cli.report.output_help"))
@click.pass_obj
def command(state, start, end, fmt: str, output: Path | None) -> None:
    made = records.report(state.campaign(), start=start.date() if start else None,
                          end=end.date() if end else None, fmt=fmt, output=output)
    if made.text is not None:
        click.echo(made.text, nl=False)
    else:
        click.echo(t("cli.report.written", file=made.written), err=True)
