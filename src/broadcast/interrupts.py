"""Stopping on request: Ctrl-C and SIGTERM end any command within about two seconds.

The main process raises ``Interrupted`` on Ctrl-C and ``Terminated`` on SIGTERM, both
``KeyboardInterrupt``s, so one unwinding path serves both: ``finally`` blocks remove
temporaries and ``subprocess.run`` kills its child. Work running elsewhere is stopped by its
owner:

- ``process_pool``: workers ignore Ctrl-C (the main process decides), unwind like the main
  process on SIGTERM, and stop by themselves when the main process is gone, even if it was
  killed outright; on any exception in the block, queued work is cancelled and the workers
  are ended instead of waiting for every queued job.
- ``thread_pool``: a thread cannot be stopped from outside, so queued work is cancelled,
  running work may look at ``stop`` and give up, and ``leave`` ends the process without
  waiting for a thread still in a transfer.
"""

from __future__ import annotations

import _thread
import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from typing import NoReturn, TypeVar

EXIT_INTERRUPTED = 130
"""128 + SIGINT, what shells report for Ctrl-C."""
EXIT_TERMINATED = 143
"""128 + SIGTERM: a supervisor (a service manager, ``timeout``, CI) sees which signal ended us."""
GRACE = 1.0
"""Seconds a worker gets to end its children and remove its temporaries before it is killed."""
POLL = 0.25
"""Longest wait that cannot see Ctrl-C on Windows, where a lock wait is not interrupted."""

_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
Item = TypeVar("Item")


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, as the main process raises it once ``install`` ran.

    Our own subclass, not ``KeyboardInterrupt`` itself: CPython remembers a bare
    ``KeyboardInterrupt`` that passed through ``exec`` of a string (dataclasses build their
    methods that way, so an interrupt during an import can) even after it was caught, and
    ``python -m broadcast`` then ends by killing itself with SIGINT instead of exiting 130.
    """


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every cleanup path runs for it too."""


class Stopped(SystemExit):
    """Raised once the interrupt has been reported: the process ends with ``code``."""


def exit_code(exc: BaseException) -> int:
    """130 for Ctrl-C, 143 for SIGTERM."""
    return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED


_installed = False


def _raise_interrupted(_signum: int, _frame: object) -> None:
    raise Interrupted()


def _raise_terminated(_signum: int, _frame: object) -> None:
    raise Terminated()


def install() -> None:
    """In the main process (the console script only, never in tests that run the CLI in
    process): Ctrl-C raises ``Interrupted``, SIGTERM ``Terminated``, Ctrl-Break on Windows
    counts as Ctrl-C. A signal the parent set to be ignored stays ignored.
    """
    global _installed
    _installed = True
    if _default_or_early(signal.SIGINT, signal.default_int_handler):
        signal.signal(signal.SIGINT, _raise_interrupted)
    if _default_or_early(signal.SIGTERM, signal.SIG_DFL):
        signal.signal(signal.SIGTERM, _raise_terminated)
    if hasattr(signal, "SIGBREAK") and signal.getsignal(signal.SIGBREAK) is signal.SIG_DFL:
        signal.signal(signal.SIGBREAK, _raise_interrupted)


def _default_or_early(signum: int, default: object) -> bool:
    """The handler is Python's default, or the one ``python -m broadcast`` sets while the
    command line is being imported (``broadcast.__main__``)."""
    handler = signal.getsignal(signum)
    return handler is default or getattr(handler, "broadcast_early", False)


def ignore_further() -> None:
    """After the first interrupt: a second Ctrl-C must not cut the cleanup or the exit."""
    if _installed:
        for signum in (*_STOP_SIGNALS, *([signal.SIGBREAK] if hasattr(signal, "SIGBREAK") else [])):
            signal.signal(signum, signal.SIG_IGN)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Delay Ctrl-C and SIGTERM in this thread until the block ends (POSIX; elsewhere a no-op).

    For code that must not be torn in the middle: a Python handler that raises inside a
    ctypes callback is printed as "Exception ignored" and lost, and a child started in the
    block inherits the mask, so it cannot be interrupted before it installs its own handlers.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def leave(code: int) -> NoReturn:
    """End the process after an interrupt was reported, without hanging on threads.

    Interpreter shutdown joins every thread still running (an upload, an image being
    written); they get ``GRACE`` / 2 seconds, then the process ends without them.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe has nothing to flush
            stream.flush()
    deadline = time.monotonic() + GRACE / 2
    others = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    for thread in others:
        thread.join(max(0.0, deadline - time.monotonic()))
    if any(thread.is_alive() for thread in others):
        os._exit(code)
    sys.exit(code)


def completed(futures: Iterable[Future], *, ordered: bool = False) -> Iterator[Future]:
    """Futures as they finish (or in the given order), waiting in slices of ``POLL`` seconds
    so that the main thread sees Ctrl-C on every platform."""
    pending = list(futures)
    if ordered:
        for future in pending:
            while not wait([future], timeout=POLL).done:
                pass
            yield future
        return
    waiting = set(pending)
    while waiting:
        done, waiting = wait(waiting, timeout=POLL, return_when=FIRST_COMPLETED)
        yield from done


# Process pools ----------------------------------------------------------------------------

_busy = False
"""In a worker: True while a job runs, so SIGTERM unwinds it instead of ending the process."""


def _worker_terminated(_signum: int, _frame: object) -> None:
    if _busy:
        raise Terminated()  # unwind: children are killed, temporaries removed, then we exit
    os._exit(EXIT_TERMINATED)  # idle: nothing to clean up


def _follow_parent(parent_pid: int) -> None:
    """End this worker once the main process is gone, however it ended.

    The parent's sentinel (a pipe on POSIX, a process handle on Windows) is ready when the
    parent dies. A changed parent pid is the POSIX fallback, for a sentinel that a sibling
    worker, forked later, still holds open; ``parent_pid`` is the one the worker started with
    (the main process, or the fork server that ends with it).
    """
    parent = multiprocessing.parent_process()
    while os.getppid() == parent_pid:
        if parent is None:
            time.sleep(POLL)
        elif multiprocessing.connection.wait([parent.sentinel], timeout=POLL):
            break
    if os.name == "posix":
        os.kill(os.getpid(), signal.SIGTERM)
    else:
        _thread.interrupt_main(signal.SIGTERM)  # runs our handler in the main thread


def _worker_started() -> None:
    """Pool initializer. The worker starts with the stop signals held (see ``submit_all``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_terminated)
    # Started before the signals are released, the watcher keeps them held: they always go
    # to the main thread, which is the one that can unwind.
    threading.Thread(target=_follow_parent, args=(os.getppid(),), name="broadcast-parent",
                     daemon=True).start()
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


def _run_job(fn: Callable, item: object) -> object:
    global _busy
    _busy = True
    try:
        return fn(item)
    except Terminated:
        os._exit(EXIT_TERMINATED)  # cleanup is done; the main process reads no more results
    finally:
        _busy = False


@contextlib.contextmanager
def process_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A process pool that stops within ``GRACE`` seconds when the block raises (Ctrl-C
    included), and whose workers never outlive the main process."""
    before = set(multiprocessing.active_children())
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_started)
    try:
        yield pool
    except BaseException:
        with signals_held():  # a second Ctrl-C must not leave workers behind
            _stop_workers(pool, [p for p in multiprocessing.active_children() if p not in before])
        raise
    pool.shutdown(wait=True)


def submit_all(pool: ProcessPoolExecutor, fn: Callable[[Item], object],
               items: Iterable[Item]) -> dict[Future, Item]:
    """Submit ``fn(item)`` for every item; the workers start during this call with the stop
    signals held, so none can be interrupted before it has installed its handlers."""
    with signals_held():
        return {pool.submit(_run_job, fn, item): item for item in items}


def _stop_workers(pool: ProcessPoolExecutor, workers: list[multiprocessing.Process]) -> None:
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        process.terminate()  # SIGTERM; TerminateProcess on Windows
    deadline = time.monotonic() + GRACE
    for process in workers:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in workers:
        if process.is_alive():
            process.kill()
            process.join(GRACE)


# Thread pools -----------------------------------------------------------------------------

class StopRequest(threading.Event):
    """Set when the owner of a thread pool stops; long work in a thread calls ``check``."""

    def check(self, *_args: object) -> None:
        if self.is_set():
            raise Interrupted()


class _Threads(ThreadPoolExecutor):
    """Remembers what was submitted (``map`` submits through ``submit`` too)."""

    def __init__(self, workers: int) -> None:
        super().__init__(max_workers=workers)
        self.futures: list[Future] = []

    def submit(self, fn, /, *args, **kwargs) -> Future:  # type: ignore[override]
        future = super().submit(fn, *args, **kwargs)
        self.futures.append(future)
        return future


@contextlib.contextmanager
def thread_pool(workers: int) -> Iterator[tuple[ThreadPoolExecutor, StopRequest]]:
    """A thread pool whose queued work is cancelled when the block raises; running work
    that checks the ``StopRequest`` gets ``GRACE`` seconds to give up cleanly."""
    pool = _Threads(workers)
    stop = StopRequest()
    try:
        yield pool, stop
    except BaseException:
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        wait(pool.futures, timeout=GRACE)
        raise
    pool.shutdown(wait=True)
