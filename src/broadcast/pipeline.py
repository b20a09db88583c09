"""The straight line that composes the steps, read top to bottom:

workspace → clips (render) → schedule (plan) → schedule outputs (playlists, sheets, mixdowns)
→ commune packages (dist/packages) → stick, image or cloud (export/)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from broadcast.campaign.model import Workspace
from broadcast.ledger import book as ledger
from broadcast.ledger.book import Ledger
from broadcast.package import contents as package
from broadcast.package import links
from broadcast.package.manifest import Manifest
from broadcast.plan import schedule
from broadcast.plan.dateless import evergreen
from broadcast.plan.outputs import write_schedule
from broadcast.progress import Advance, Notice, Reporter, quiet
from broadcast.sound import render
from broadcast.sound.render import ClipResult, Clips, Failure
from broadcast.trust import signing
from broadcast.trust.signing import SigningKey

__all__ = ["Clips", "Sealer", "build", "clips", "evergreen", "packages", "plan", "sealer",
           "write_schedule"]


def clips(ws: Workspace, *, offline: bool = False, workers: int | None = None,
          progress: Callable[[ClipResult | Failure], None] | None = None,
          jobs: list[render.ClipJob] | None = None) -> Clips:
    """Render every clip that changed (a no-op when nothing did) and drop clips of removed
    messages. ``jobs``, when the caller already planned them, saves planning twice."""
    jobs = render.plan(ws, offline=offline) if jobs is None else jobs
    results, failures = render.render(jobs, workers=workers, progress=progress)
    render.prune(ws, [job.message_id for job in jobs])
    return Clips(tuple(results), tuple(failures))


def plan(ws: Workspace, made: Clips, communes: Collection[str] | None = None) -> schedule.Schedule:
    """The campaign schedule for every commune (or the named ones), from the clips that exist."""
    infos = {r.id: schedule.ClipInfo(id=r.id, path=r.path, duration=r.duration, title=r.title)
             for r in made.results}
    jingle = infos.pop(render.STATION, None)
    return schedule.plan(ws, infos, jingle, communes)


@dataclass(frozen=True)
class Sealer:
    """Finishes every manifest: a version number that only goes up (kept in the ledger), the
    expiry, and the organization's signature."""

    key: SigningKey
    ledger: Ledger
    expires: str

    def __call__(self, manifest: Manifest) -> Manifest:
        number = self.ledger.next_sequence(manifest.campaign["id"], manifest.commune["id"],
                                           manifest.version)
        return signing.sign_manifest(replace(manifest, sequence=number, expires=self.expires),
                                     self.key)


def sealer(ws: Workspace, key: SigningKey, ledger: Ledger) -> Sealer:
    return Sealer(key, ledger, signing.expiry_for(ws.settings.campaign.end, ws.settings.signing.expires))


def packages(ws: Workspace, plan_: schedule.Schedule, made: Clips, seal: Sealer,
             communes: Iterable[str] | None = None) -> list[package.PackagePlan]:
    """The package plan of every commune (or of the named ones)."""
    wanted = set(communes) if communes else None
    clip_paths = {r.id: Path(r.path) for r in made.results}
    created = package.created_time(ws)
    return [package.plan_package(ws, plan_, commune, clip_paths,
                                 evergreen(ws, plan_, commune.commune), created, seal,
                                 seal.key.public.fingerprint)
            for commune in plan_.communes if wanted is None or commune.commune in wanted]


def build(ws: Workspace, made: Clips, seal: Sealer, communes: Iterable[str] | None = None,
          report: Reporter = quiet) -> list[tuple[package.PackagePlan, Path, bool]]:
    """Plan and write every commune's package into ``dist/packages/``; record each in the ledger
    (once: a rerun after a crash records a package that was written but never recorded)."""
    wanted = set(communes) if communes else None  # one commune costs one commune
    plan_ = plan(ws, made, wanted)
    write_schedule(ws, plan_, made)
    root = ws.root / package.PACKAGES_DIR
    plans = packages(ws, plan_, made, seal, communes)
    copy = _copy_meter(plans, root, report)
    root.mkdir(parents=True, exist_ok=True)
    spread = links.Links(ws.root / links.LINKS_DIR, links.link_limit(root))
    built = []
    by_commune = {c.commune: c for c in plan_.communes}
    for number, p in enumerate(plans, start=1):
        written = package.write_folder(p, root, spread, copy=copy)
        report(Advance("package", number, len(plans), item=p.commune.id))
        if written.repaired:
            report(Notice("package.repaired", {"commune": p.commune.id, "count": len(written.repaired),
                                               "files": ", ".join(written.repaired[:3])}))
        # With its plan, so play logs sent back can be checked against it.
        seal.ledger.record_once(ledger.delivery_from_manifest(p.manifest, action="build",
                                                              channel="folder", target=str(written.folder)),
                                by_commune[p.commune.id])
        built.append((p, written.folder, written.changed))
    spread.prune()
    return built


def _copy_meter(plans: list[package.PackagePlan], root: Path, report: Reporter,
                ) -> Callable[[int], None] | None:
    """Where hard links cannot be made (a FAT or exFAT disk, a network share, another drive),
    say once that packages are full copies, how large, and show the copying as it goes."""
    sources = [f.source for p in plans for f in p.files if f.source is not None]
    if not sources or package.can_link(sources[0], root):
        return None
    total = sum(f.size for p in plans for f in p.manifest.audio)
    report(Notice("package.copies", {"folder": str(root), "mb": f"{total / 1e6:.0f}"}))
    done = 0

    def copied(size: int) -> None:
        nonlocal done
        done += size
        report(Advance("copy", done, total, "bytes"))
    return copied
