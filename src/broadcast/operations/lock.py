"""One writer at a time: an inter-process lock per workspace and per pull destination.

Two ``build`` runs at once once left packages missing files under their final names, so every
command that writes into a workspace (or a pull destination) holds its lock for the whole run.
The lock is an OS lock on a small file (``flock`` on POSIX, ``msvcrt.locking`` on Windows): the
OS drops it when the holder dies, however it dies, so a stale lock is simply taken over. The file
also says who holds it (command, process id, computer, start time), so a second run can name the
first. Where the file system offers no locks (some network shares), a process id check stands in.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from broadcast.errors import OperationalError

WORKSPACE_LOCK = ".broadcast.lock"
_REGION = 1 << 20
"""Windows locks a byte range that readers cannot read: lock one byte far past the holder's note."""


class Busy(OperationalError):
    """Another broadcast process is writing here."""


def _try_lock(fh: IO) -> bool:
    """Take the OS lock without waiting; True when taken, False when another process holds it."""
    if os.name == "nt":
        import msvcrt

        fh.seek(_REGION)
        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:
        if exc.errno not in (errno.ENOLCK, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        return not _holder_alive(_read_note(fh))  # no OS locks here: trust a live process id
    return True


def _holder_alive(note: dict) -> bool:
    pid = note.get("pid")
    if not isinstance(pid, int) or note.get("host") != socket.gethostname() or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_note(fh: IO) -> dict:
    fh.seek(0)
    try:
        note = json.loads(fh.read(4096) or "{}")
    except ValueError:
        return {}
    return note if isinstance(note, dict) else {}


def _write_note(fh: IO, command: str) -> None:
    fh.seek(0)
    fh.truncate()
    fh.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "command": command,
                         "started": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")}))
    fh.flush()


@contextlib.contextmanager
def hold(path: Path, command: str, *, shown: Path | None = None) -> Iterator[None]:
    """Hold the lock at ``path`` for the block, or raise Busy naming the holder. ``shown`` is the
    folder the message names (the workspace or the destination)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (held open for the whole block)
    try:
        if not _try_lock(fh):
            note = _read_note(fh)
            raise Busy("lock.busy", path=shown or path.parent, command=note.get("command", "?"),
                       pid=note.get("pid", "?"), host=note.get("host", "?"),
                       started=note.get("started", "?"))
        _write_note(fh, command)
        yield
    finally:
        fh.close()  # closing the file releases the OS lock


def workspace(root: Path, command: str) -> contextlib.AbstractContextManager[None]:
    """The lock of one campaign folder: held by every command that writes into it."""
    return hold(root / WORKSPACE_LOCK, command, shown=root)


def holder(root: Path) -> dict | None:
    """Who holds the campaign folder's lock, if another process does: its note (command, pid,
    host, started), else None. Never waits, and takes the lock (for an instant) only when the
    note names a live process that may have let it go."""
    path = root / WORKSPACE_LOCK
    if not path.is_file():
        return None
    with open(path, "a+", encoding="utf-8") as fh:
        note = _read_note(fh)
        if not _holder_alive(note):
            return None  # free, ours, or its holder is gone
        if _try_lock(fh):
            return None  # the process lives on but has let go (closing the file releases it)
        return note
