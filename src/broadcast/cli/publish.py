"""broadcast publish URL: put every commune's package in S3-compatible storage (or a folder)."""

import click

from broadcast.cli.app import writes_workspace
from broadcast.cli.build import build_packages, record
from broadcast.cli.params import store_kwargs, store_options
from broadcast.export import publish
from broadcast.export.store import open_store
from broadcast.i18n import t


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f}"


@click.command("publish", help=t("cli.publish.help"))
@click.argument("url")
@click.argument("communes", nargs=-1, metavar="[COMMUNE]...")
@store_options
@click.option("--dry-run", is_flag=True, help=t("cli.publish.dry_run_help"))
@click.option("-j", "--jobs", type=click.IntRange(1, 32), default=4, help=t("cli.publish.jobs_help"))
@click.option("--offline", is_flag=True, help=t("cli.render.offline_help"))
@click.pass_obj
@writes_workspace
def command(state, url, communes, endpoint_url, region, profile, addressing, dry_run, jobs, offline):
    ws, _, built = build_packages(state, offline, None, communes)
    store = open_store(url, **store_kwargs(endpoint_url, region, profile, addressing))
    packages = publish.load_packages(folder for _, folder, _ in built)
    plan = publish.plan(store, packages)
    click.echo(t("cli.publish.plan", url=store.url, upload=len(plan.uploads) + len(plan.pointers),
                 upload_mb=_mb(plan.upload_bytes), present=plan.present,
                 present_mb=_mb(plan.present_bytes), unchanged=len(plan.unchanged)))
    if dry_run:
        for upload in (*plan.uploads, *plan.pointers):
            click.echo(f"  {upload.kind:<8} {_mb(upload.size):>8} MB  {upload.key}")
        return
    total = len(plan.uploads) + len(plan.pointers)
    with click.progressbar(length=total, label=t("cli.publish.uploading"),
                           file=click.get_text_stream("stderr")) as bar:
        summary = publish.execute(store, plan, jobs=jobs, progress=lambda _u: bar.update(1))
    for built_plan, _, _ in built:  # unchanged ones too: a crash may have kept them from the ledger
        record(ws, built_plan, "publish", "cloud", store.url)
    click.echo(t("cli.publish.summary", uploaded=summary.uploaded, mb=_mb(summary.uploaded_bytes),
                 reused=summary.reused, reused_mb=_mb(summary.reused_bytes), requests=summary.requests,
                 seconds=summary.seconds, communes=summary.communes))
