"""One writer at a time on a warehouse folder (an OS file lock, via filelock).

DuckDB allows one writing process; the nightly schedule, the inbox sensor and a hand-run
`python -m pipeline load` must never write together. Not re-entrant: whoever takes the lock
says so explicitly to the code it calls (WarehouseResource.take_lock).
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

import filelock

LOCK_FILE = ".load.lock"
OWNER_FILE = ".load.owner"   # who holds the lock, for the "busy" message (filelock keeps no owner)


class WarehouseBusy(RuntimeError):
    pass


@contextlib.contextmanager
def warehouse_lock(warehouse_dir: Path, timeout: float | None = None):
    """Hold the warehouse's write lock; wait up to `timeout` seconds (None = forever)."""
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(warehouse_dir / LOCK_FILE, timeout=-1 if timeout is None else timeout)
    owner = warehouse_dir / OWNER_FILE
    try:
        lock.acquire(poll_interval=0.2)
    except filelock.Timeout:
        holder = owner.read_text().strip() if owner.exists() else "another process"
        raise WarehouseBusy(f"another load is writing {warehouse_dir} ({holder}); try again when it ends") from None
    try:
        owner.write_text(f"pid {os.getpid()}")
        yield
    finally:
        owner.unlink(missing_ok=True)
        lock.release()
