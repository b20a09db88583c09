"""broadcast build: render, plan and package every commune into dist/packages/."""

import click

from broadcast import pipeline
from broadcast.cli.render import progress_printer
from broadcast.errors import InputError
from broadcast.i18n import t


def build_packages(state, offline: bool, jobs: int | None, communes: tuple[str, ...] = ()):
    """Shared by build, usb and image: the workspace's packages, freshly built."""
    ws, warnings = state.workspace()
    known = {c.id for c in ws.communes}
    unknown = [c for c in communes if c not in known]
    if unknown:
        raise InputError("cli.schedule.unknown_commune", commune=", ".join(unknown),
                         known=", ".join(sorted(known)))
    made = pipeline.clips(ws, offline=offline, workers=jobs,
                          progress=progress_printer(quiet_cached=True))
    if made.failures:
        for failure in made.failures:
            click.echo(failure.error.message(), err=True)
        raise made.failures[0].error
    built = pipeline.build(ws, made, communes or None)
    return ws, warnings, built


@click.command("build", help=t("cli.build.help"))
@click.option("--offline", is_flag=True, help=t("cli.render.offline_help"))
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, help=t("cli.render.jobs_help"))
@click.argument("communes", nargs=-1, metavar="[COMMUNE]...")
@click.pass_obj
def command(state, offline: bool, jobs: int | None, communes: tuple[str, ...]) -> None:
    _, warnings, built = build_packages(state, offline, jobs, communes)
    for problem in warnings:
        click.echo(problem.render(), err=True)
    for plan, folder, changed in built:
        audio = plan.manifest.audio
        minutes = sum(f.duration or 0 for f in audio) / 60
        state_word = t("cli.build.changed" if changed else "cli.build.unchanged")
        click.echo(t("cli.build.line", commune=plan.commune.id, folder=folder, files=len(audio),
                     minutes=minutes, state=state_word))
