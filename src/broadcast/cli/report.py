"""broadcast report: what went where, when, how many minutes on which topic, and what was played."""

from pathlib import Path

import click

from broadcast import fsio
from broadcast.errors import InputError
from broadcast.i18n import t
from broadcast.ledger import book as ledger
from broadcast.ledger import report, report_html

_DATE = click.DateTime(["%Y-%m-%d", "%d/%m/%Y"])
_METAVAR = t("cli.report.date_metavar")


@click.command("report", help=t("cli.report.help"))
@click.option("--from", "start", type=_DATE, metavar=_METAVAR, help=t("cli.report.from_help"))
@click.option("--to", "end", type=_DATE, metavar=_METAVAR, help=t("cli.report.to_help"))
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "xlsx", "html"]), default="table",
              show_default=True, help=t("cli.report.format_help"))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help=t("cli.report.output_help"))
@click.pass_obj
def command(state, start, end, fmt: str, output: Path | None) -> None:
    start, end = (d.date() if d else None for d in (start, end))
    if start and end and start > end:
        raise InputError("cli.report.bad_period", start=start, end=end)
    if fmt == "xlsx" and output is None:
        raise InputError("cli.report.needs_output")
    path = state.root() / ledger.NAME
    if not path.is_file():  # do not create an empty ledger just to report nothing
        raise InputError("cli.report.no_ledger", path=path)
    with ledger.Ledger(path) as book:
        made = report.build_report(book, start=start, end=end)
    if fmt == "xlsx":
        report.to_xlsx(made, output)
    else:
        text = {"table": report.to_table, "csv": report.to_csv, "html": report_html.to_html}[fmt](made)
        if output is None:
            click.echo(text, nl=False)
            return
        # A byte-order mark lets Excel open a CSV file as UTF-8 (Vietnamese) on Windows.
        fsio.write_text(output, ("\ufeff" if fmt == "csv" else "") + text)
    click.echo(t("cli.report.written", file=output), err=True)
