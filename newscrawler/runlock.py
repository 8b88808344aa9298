"""One crawl at a time per database: an exclusive lock on a file beside it (``news.db`` -> ``news.db.lock``).

The lock is ``flock(2)``: the kernel releases it when the holding process ends, however it ends (``kill -9``
included), so a lock is never stale for the lock itself. The file keeps the holder's pid and start time: a second
run reads them for its message, and the next holder reports the previous one it took over when that one died
without releasing. Only the holder may mark ``running`` rows of dead runs ``aborted`` (``holds``): while it holds
the lock no other crawl of this database is alive.

Local file systems only: ``flock`` over NFS is not reliable; keep the database (and so its lock) on a local disk.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

# databases whose lock this process holds (resolved paths of the lock files)
_HELD: set[str] = set()


class RunLocked(Exception):
    """Another live process holds the run lock of this database."""

    def __init__(self, lock_path: Path, holder: dict[str, Any]) -> None:
        self.lock_path = lock_path
        self.holder = holder
        pid = holder.get("pid", "?")
        started = holder.get("started_at", "?")
        host = holder.get("host")
        super().__init__(f"another crawl is running on this database (pid {pid}"
                         f"{f' on {host}' if host and host != socket.gethostname() else ''}, started {started}; "
                         f"lock {lock_path})")


def lock_path(db: str | Path) -> Path:
    return Path(str(db) + ".lock")


def holds(db: str | Path) -> bool:
    """True when this process holds the run lock of ``db``."""
    return str(lock_path(db).resolve()) in _HELD


def _read_holder(handle: IO[str]) -> dict[str, Any]:
    handle.seek(0)
    text = handle.read().strip()
    try:
        holder = json.loads(text) if text else {}
    except ValueError:
        holder = {}
    return holder if isinstance(holder, dict) else {}


class RunLock:
    """``with RunLock(db) as lock:`` holds the lock for the block; raises ``RunLocked`` when another process has it.

    ``lock.previous`` is the holder record a dead run left in the file (its pid and start time), else None.
    """

    def __init__(self, db: str | Path) -> None:
        self.path = lock_path(db)
        self.previous: dict[str, Any] | None = None
        self._handle: IO[str] | None = None

    def acquire(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open for as long as the lock
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(handle)
            handle.close()
            raise RunLocked(self.path, holder) from None
        # ours now: whatever the file still names is a run that died holding it (a clean release empties it)
        previous = _read_holder(handle)
        self.previous = previous or None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                 "started_at": datetime.now(UTC).isoformat(timespec="seconds")}) + "\n")
        handle.flush()
        self._handle = handle
        _HELD.add(str(self.path.resolve()))
        return self

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        _HELD.discard(str(self.path.resolve()))
        # emptied, not deleted: deleting would let a waiting process lock the old inode while a third creates a
        # new file, and both would believe they hold the lock
        handle.seek(0)
        handle.truncate()
        handle.flush()
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
