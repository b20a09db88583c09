"""broadcast publish URL: put every commune's package in S3-compatible storage (or a folder)."""

import click

from broadcast.cli.params import store_kwargs, store_options
from broadcast.cli.progress import Shown
from broadcast.i18n import t
from broadcast.operations import deliver


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f}"


def _show_plan(plan: deliver.PublishPlan) -> None:
    click.echo(t("cli.publish.plan", url=plan.url, upload=plan.uploads, upload_mb=_mb(plan.upload_bytes),
                 present=plan.present, present_mb=_mb(plan.present_bytes), unchanged=plan.unchanged))


def _show_uploads(plan) -> None:
    """A commune's part of a dry run's plan, as it is made: every object it would write."""
    for upload in (*plan.uploads, *([plan.pointer] if plan.pointer else [])):
        click.echo(f"  {upload.kind:<8} {_mb(upload.size):>8} MB  {upload.key}")


@click.command("publish", help=t("cli.publish.help"))
@click.argument("url")
@click.argument("communes", nargs=-1, metavar="[COMMUNE]...")
@store_options
@click.option("--dry-run", is_flag=True, help=t("cli.publish.dry_run_help"))
@click.option("-j", "--jobs", type=click.IntRange(1, 32), default=4, help=t("cli.publish.jobs_help"))
@click.option("--offline/--online", default=None, help=t("cli.render.offline_help"))
@click.pass_obj
def command(state, url, communes, endpoint_url, region, profile, addressing, dry_run, jobs, offline):
    with Shown(quiet_cached=True, labels={"upload": t("cli.publish.uploading")}) as shown:
        published = deliver.publish(state.campaign(), url, communes,
                                    store_options=store_kwargs(endpoint_url, region, profile, addressing),
                                    dry_run=dry_run, jobs=jobs, offline=offline, report=shown,
                                    planned=_show_uploads if dry_run else None)
    if published.summary is None:
        _show_plan(published.plan)
        return
    summary = published.summary
    click.echo(t("cli.publish.summary", uploaded=summary.uploaded, mb=_mb(summary.uploaded_bytes),
                 reused=summary.reused, reused_mb=_mb(summary.reused_bytes), requests=summary.requests,
                 seconds=summary.seconds, communes=summary.communes))
