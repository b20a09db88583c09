"""broadcast pull SOURCE COMMUNE DEST: fetch, verify and switch to the latest published package."""

import hashlib
from pathlib import Path

import click

from broadcast import lock, signing, trust
from broadcast.cli.params import store_kwargs, store_options, trusted_keys, workspace_root
from broadcast.errors import VerificationFailed
from broadcast.export import pull
from broadcast.i18n import t
from broadcast.ledger import Ledger, delivery_from_manifest


def _digest(folder: Path) -> str:
    """One lock per destination folder, wherever it is named from."""
    return hashlib.sha256(str(folder).encode("utf-8")).hexdigest()[:20]


@click.command("pull", help=t("cli.pull.help"))
@click.argument("source")
@click.argument("commune")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--trust", "trust_items", multiple=True, metavar="KEY", help=t("cli.verify.trust_help"))
@click.option("--accept-new-key", is_flag=True, help=t("cli.pull.accept_new_key_help"))
@store_options
@click.pass_obj
def command(state, source, commune, dest, trust_items, accept_new_key, endpoint_url, region, profile,
            addressing):
    root = workspace_root(state)
    trusted = trusted_keys(trust_items, root)
    seen = trust.Seen()
    verdicts = []

    def approve(manifest):
        verdict = trust.decide_pull(manifest, seen, trusted=trusted, accept_new_key=accept_new_key,
                                    commune=commune)
        if not verdict.ok:
            raise VerificationFailed("cli.pull.refused", path=source.split("?", 1)[0],
                                     reason=signing.explain(verdict))
        verdicts.append(verdict)

    origin = pull.open_source(source, **store_kwargs(endpoint_url, region, profile, addressing))
    folder = pull.destination_folder(dest, commune)
    with lock.hold(trust.state_dir() / "locks" / f"pull-{_digest(folder)}.lock", "pull", shown=folder):
        result = pull.pull(origin, commune, folder, approve=approve)
        seen.remember(commune, verdicts[-1].key, result.manifest.sequence)
        click.echo(signing.explain(verdicts[-1]))
        if result.repaired:
            click.echo(t("cli.pull.repaired", count=len(result.repaired),
                         files=", ".join(result.repaired[:3])), err=True)
        with Ledger((root or trust.state_dir()) / "ledger.sqlite") as ledger:
            ledger.record_once(delivery_from_manifest(result.manifest, action="pull", channel="cloud",
                                                      target=origin.shown))
    key = "cli.pull.done" if result.changed else "cli.pull.current"
    click.echo(t(key, commune=commune, version=result.version, folder=result.folder,
                 downloaded=result.downloaded, mb=f"{result.downloaded_bytes / 1e6:.1f}",
                 reused=result.reused))
