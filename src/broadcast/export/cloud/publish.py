"""Carry out a publish, one commune at a time: its content first, with bounded concurrency, then
its pointer.

The store is listed once: ``blobs/`` (each clip once: small) into memory, ``communes/`` read
along in key order as the communes come (``CommuneListing``), so a publish holds one commune's
listing and plan at a time, and its packages arrive as a stream (``packages_in``): memory does
not grow with the number of communes.

If anything fails (the network drops, the server stops), no pointer has been written for a
version whose files are not all there: a commune's pointer goes up only after all of its objects
are in place. Running publish again lists what the store now holds and uploads only the rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from broadcast import interrupts
from broadcast.export.cloud.layout import CommunePlan, Package, Upload, plan_commune
from broadcast.export.cloud.store import ObjectInfo, Store
from broadcast.package import manifest as manifest_format


@dataclass(frozen=True)
class Summary:
    uploaded: int
    uploaded_bytes: int
    reused: int
    reused_bytes: int
    requests: int
    seconds: float
    communes: int
    unchanged: int


def packages_in(folders: Iterable[Path]) -> Iterator[Package]:
    """Each folder's package, read when the publish reaches it."""
    for folder in folders:
        path = folder / manifest_format.NAME
        data = path.read_bytes()
        yield Package(folder, manifest_format.parse(data.decode("utf-8"), str(path)), data)


def publish_order(folders: Iterable[Path]) -> list[Path]:
    """Package folders (named by commune id) in the order the store lists their communes, so
    ``CommuneListing`` reads the listing straight through."""
    return sorted(folders, key=lambda folder: f"communes/{folder.name}/")


class CommuneListing:
    """The store's ``communes/`` listing, read once, handed out one commune's folder at a time.

    Listings are sorted by key, so communes asked for in that order (``publish_order``) read it
    straight through; only the current commune's objects are held. A commune asked for after
    the listing has passed its place is listed on its own (one more request), so any order works.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._items = iter(store.list("communes/"))
        self._next: ObjectInfo | None = None
        self._floor = ""
        """Every key below this one has been read (and dropped)."""
        self._advance()

    def _advance(self) -> None:
        self._next = next(self._items, None)

    def take(self, commune: str) -> dict[str, ObjectInfo]:
        prefix = f"communes/{commune}/"
        if prefix < self._floor:
            return {info.key: info for info in self._store.list(prefix)}
        found = {}
        while self._next is not None and self._next.key < prefix:
            self._advance()
        while self._next is not None and self._next.key.startswith(prefix):
            found[self._next.key] = self._next
            self._advance()
        self._floor = prefix[:-1] + chr(ord("/") + 1)  # just above every key under the prefix
        return found


def _run_all(store: Store, uploads: Iterable[Upload], jobs: int,
             progress: Callable[[Upload], None] | None) -> None:
    def one(upload: Upload) -> Upload:
        store.put(upload.key, upload.body, content_type=upload.content_type, sha256=upload.sha256,
                  content_encoding=upload.content_encoding)
        return upload

    # The first failure, or Ctrl-C, cancels the queued uploads. One already in flight cannot
    # be stopped from here, and need not be: every put is atomic, and pointers go up only
    # after all the content is in place. A pool per commune: a pool remembers every future.
    with interrupts.thread_pool(jobs) as (pool, _):
        futures = [pool.submit(one, u) for u in uploads]
        for future in interrupts.completed(futures):
            upload = future.result()
            if progress:
                progress(upload)


@dataclass
class _Totals:
    uploaded: int = 0
    uploaded_bytes: int = 0
    reused: int = 0
    reused_bytes: int = 0
    communes: int = 0
    unchanged: int = 0

    def add(self, plan: CommunePlan) -> None:
        self.uploaded += len(plan.uploads) + (plan.pointer is not None)
        self.uploaded_bytes += plan.upload_bytes
        self.reused, self.reused_bytes = self.reused + plan.present, self.reused_bytes + plan.present_bytes
        self.communes += 1
        self.unchanged += plan.pointer is None


def publish(store: Store, packages: Iterable[Package], *, jobs: int = 4, dry_run: bool = False,
            planned: Callable[[CommunePlan], None] | None = None,
            published: Callable[[Package, CommunePlan], None] | None = None,
            progress: Callable[[Upload], None] | None = None) -> Summary:
    """Put every package in the store, commune by commune: plan it (``planned`` hears the plan),
    upload what the store lacks, then its pointer (``published`` hears that the commune is
    done). The next package is read only after that. ``dry_run`` plans and uploads nothing."""
    started = time.monotonic()
    blobs = {info.key: info for info in store.list("blobs/")}
    listing = CommuneListing(store)
    seen: set[str] = set()
    totals = _Totals()
    for package in packages:
        plan = plan_commune(package, blobs, listing.take(package.manifest.commune["id"]), seen)
        if planned is not None:
            planned(plan)
        if not dry_run:
            _run_all(store, plan.uploads, jobs, progress)
            if plan.pointer is not None:
                _run_all(store, (plan.pointer,), 1, progress)
            if published is not None:
                published(package, plan)
        totals.add(plan)
    requests = sum(v for k, v in store.stats.items() if not k.startswith("bytes"))  # listing too
    return Summary(uploaded=totals.uploaded, uploaded_bytes=totals.uploaded_bytes, reused=totals.reused,
                   reused_bytes=totals.reused_bytes, requests=requests,
                   seconds=time.monotonic() - started, communes=totals.communes,
                   unchanged=totals.unchanged)
