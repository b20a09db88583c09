"""broadcast schedule: plan every commune, day and slot; write playlists and sheets; show it."""

import datetime as dt
import json

import click

from broadcast import pipeline, schedule
from broadcast.cli.app import writes_workspace
from broadcast.cli.render import progress_printer
from broadcast.errors import InputError
from broadcast.guide import clock
from broadcast.i18n import t
from broadcast.model import WEEKDAYS


def _table(plan: schedule.Schedule, names: dict[str, str]) -> list[str]:
    lines = []
    for commune in plan.communes:
        lines.append(f"{names[commune.commune]} ({commune.commune})")
        for day in commune.days:
            lines.append(f"  {day.date.isoformat()} {t('sheet.day_' + WEEKDAYS[day.date.weekday()])}")
            for slot in day.slots:
                lines.append("    " + t("cli.schedule.slot", slot=slot.slot,
                                        start=slot.start.strftime("%H:%M"),
                                        used=clock(slot.used), budget=clock(slot.budget)))
                start = dt.datetime.combine(day.date, slot.start)
                for item in slot.items:
                    at = (start + dt.timedelta(seconds=item.start)).strftime("%H:%M:%S")
                    lines.append(f"      {at}  {clock(item.duration):>6}  {item.title}")
    return lines


@click.command("schedule", help=t("cli.schedule.help"))
@click.option("--commune", "commune_id", metavar="ID", help=t("cli.schedule.commune_help"))
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help=t("cli.schedule.date_help"))
@click.option("--json", "as_json", is_flag=True, help=t("cli.schedule.json_help"))
@click.option("--offline", is_flag=True, help=t("cli.render.offline_help"))
@click.option("--mixdown/--no-mixdown", default=None, help=t("cli.schedule.mixdown_help"))
@click.pass_obj
@writes_workspace
def command(state, commune_id, day, as_json: bool, offline: bool, mixdown) -> int:
    ws, warnings = state.workspace()
    day = day.date() if day else None
    if commune_id and commune_id not in {c.id for c in ws.communes}:
        raise InputError("cli.schedule.unknown_commune", commune=commune_id,
                         known=", ".join(c.id for c in ws.communes))
    campaign = ws.settings.campaign
    if day and not campaign.start <= day <= campaign.end:
        raise InputError("cli.schedule.date_outside", date=day, start=campaign.start, end=campaign.end)
    made = pipeline.clips(ws, offline=offline, progress=progress_printer(quiet_cached=True))
    for failure in made.failures:
        click.echo(failure.error.message(), err=True)
    plan = pipeline.plan(ws, made)
    pipeline.write_schedule(ws, plan, made, mixdown=mixdown)
    for problem in [*warnings, *plan.warnings]:
        click.echo(problem.render(), err=True)
    shown = schedule.select(plan, commune=commune_id, day=day)
    if as_json:
        click.echo(json.dumps(shown.to_json(), ensure_ascii=False, indent=1))
    else:
        click.echo("\n".join(_table(shown, {c.id: c.name for c in ws.communes})))
    return max((f.error.exit_code for f in made.failures), default=0)
