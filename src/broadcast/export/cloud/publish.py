"""Carry out a publish plan: content first, with bounded concurrency, pointers last.

If anything fails (the network drops, the server stops), no pointer has been written for a
version whose files are not all there; running publish again lists what the store now holds
and uploads only the rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from broadcast import interrupts
from broadcast.export.cloud.layout import Package, PublishPlan, Upload, plan_publish
from broadcast.export.cloud.store import Store
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


def load_packages(folders: Iterable[Path]) -> list[Package]:
    packages = []
    for folder in folders:
        path = folder / manifest_format.NAME
        data = path.read_bytes()
        packages.append(Package(folder, manifest_format.parse(data.decode("utf-8"), str(path)), data))
    return packages


def plan(store: Store, packages: list[Package]) -> PublishPlan:
    """List the store once (a few requests per thousand objects) and plan the difference."""
    existing = {info.key: info for prefix in ("blobs/", "communes/") for info in store.list(prefix)}
    return plan_publish(packages, existing)


def _run_all(store: Store, uploads: Iterable[Upload], jobs: int,
             progress: Callable[[Upload], None] | None) -> None:
    def one(upload: Upload) -> Upload:
        store.put(upload.key, upload.body, content_type=upload.content_type, sha256=upload.sha256)
        return upload

    # The first failure, or Ctrl-C, cancels the queued uploads. One already in flight cannot
    # be stopped from here, and need not be: every put is atomic, and pointers go up only
    # after all the content is in place.
    with interrupts.thread_pool(jobs) as (pool, _):
        futures = [pool.submit(one, u) for u in uploads]
        for future in interrupts.completed(futures):
            upload = future.result()
            if progress:
                progress(upload)


def execute(store: Store, plan_: PublishPlan, *, jobs: int = 4,
            progress: Callable[[Upload], None] | None = None) -> Summary:
    """Upload what the plan says; pointers only after every other object is in place."""
    started = time.monotonic()
    _run_all(store, plan_.uploads, jobs, progress)
    _run_all(store, plan_.pointers, jobs, progress)
    requests = sum(v for k, v in store.stats.items() if not k.startswith("bytes"))  # listing too
    return Summary(uploaded=len(plan_.uploads) + len(plan_.pointers), uploaded_bytes=plan_.upload_bytes,
                   reused=plan_.present, reused_bytes=plan_.present_bytes, requests=requests,
                   seconds=time.monotonic() - started, communes=len(plan_.communes),
                   unchanged=len(plan_.unchanged))
