"""broadcast build: render, plan and package every commune into dist/packages/."""

import click

from broadcast import pipeline, signing
from broadcast.cli.app import writes_workspace
from broadcast.cli.progress import Shown
from broadcast.cli.render import progress_printer
from broadcast.errors import InputError
from broadcast.i18n import t
from broadcast.ledger import Ledger, delivery_from_manifest

LEDGER_FILE = "ledger.sqlite"


def build_packages(state, offline: bool, jobs: int | None, communes: tuple[str, ...] = ()):
    """Shared by build, usb and image: the workspace's packages, freshly built."""
    ws, warnings = state.workspace()
    known = {c.id for c in ws.communes}
    unknown = [c for c in communes if c not in known]
    if unknown:
        raise InputError("cli.schedule.unknown_commune", commune=", ".join(unknown),
                         known=", ".join(sorted(known)))
    key = signing.load_key(ws.settings.signing.key or signing.default_key_path())
    made = pipeline.clips(ws, offline=offline, workers=jobs,
                          progress=progress_printer(quiet_cached=True))
    if made.failures:
        for failure in made.failures:
            click.echo(failure.error.message(), err=True)
        raise made.failures[0].error
    shown = Shown()
    try:
        with open_ledger(ws) as ledger:
            built = pipeline.build(ws, made, pipeline.sealer(ws, key, ledger), communes or None,
                                   report=shown)
    finally:
        shown.close()
    return ws, warnings, built


def open_ledger(ws) -> Ledger:
    """The workspace's record of what went where (``ledger.sqlite`` beside ``broadcast.yaml``)."""
    return Ledger(ws.root / LEDGER_FILE)


def record(ws, plan, action: str, channel: str, target: str) -> None:
    """Record a delivery, once: a rerun that finds the work done records what a crash kept
    from being recorded, and never records it twice."""
    with open_ledger(ws) as ledger:
        ledger.record_once(delivery_from_manifest(plan.manifest, action=action, channel=channel,
                                                  target=target))


@click.command("build", help=t("cli.build.help"))
@click.option("--offline", is_flag=True, help=t("cli.render.offline_help"))
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, help=t("cli.render.jobs_help"))
@click.argument("communes", nargs=-1, metavar="[COMMUNE]...")
@click.pass_obj
@writes_workspace
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
