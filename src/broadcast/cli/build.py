"""broadcast build: render, plan and package every commune into dist/packages/."""

import click

from broadcast.cli.progress import Shown
from broadcast.i18n import t
from broadcast.operations import deliver


@click.command("build", help=t("cli.build.help"))
@click.option("--offline/--online", default=None, help=t("cli.render.offline_help"))
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, help=t("cli.render.jobs_help"))
@click.argument("communes", nargs=-1, metavar="[COMMUNE]...")
@click.pass_obj
def command(state, offline: bool, jobs: int | None, communes: tuple[str, ...]) -> None:
    campaign = state.campaign()
    with Shown(quiet_cached=True) as shown:
        built = deliver.build_packages(campaign, communes, offline=offline, jobs=jobs, report=shown)
    for problem in campaign.warnings:
        click.echo(problem.render(), err=True)
    for package in built:
        state_word = t("cli.build.changed" if package.changed else "cli.build.unchanged")
        click.echo(t("cli.build.line", commune=package.commune, folder=package.folder, files=package.files,
                     minutes=package.minutes, state=state_word))
