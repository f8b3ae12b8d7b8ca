"""One writer at a time on a warehouse folder (an OS file lock, via filelock), and on a PostgreSQL
warehouse also in the database (an advisory lock).

DuckDB allows one writing process; the nightly schedule, the inbox sensor and a hand-run
`python -m pipeline load` must never write together. Not re-entrant: whoever takes the lock
says so explicitly to the code it calls (WarehouseResource.take_lock).
"""
from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import filelock

LOCK_FILE = ".load.lock"
OWNER_FILE = ".load.owner"   # who holds the lock, for the "busy" message (filelock keeps no owner)
ADVISORY_LOCK_KEY = 0x536F6E4C61   # "SonLa": the pipeline's advisory lock in a PostgreSQL warehouse


class WarehouseBusy(RuntimeError):
    pass


@contextlib.contextmanager
def warehouse_lock(warehouse_dir: Path, timeout: float | None = None, url: str | None = None):
    """Hold the warehouse's write lock; wait up to `timeout` seconds (None = forever).

    With a PostgreSQL warehouse (url) also the database's own lock: loads from two hosts (two
    warehouse folders) must not write the same database together either."""
    if url:
        with _folder_lock(warehouse_dir, timeout), _database_lock(url, timeout):
            yield
        return
    with _folder_lock(warehouse_dir, timeout):
        yield


@contextlib.contextmanager
def _database_lock(url: str, timeout: float | None):
    """A session-level advisory lock, held by a connection of its own (released when it closes,
    also when the process is killed)."""
    from pipeline.warehouse.pg import PgConnection, display_url

    con = PgConnection(url)
    try:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not con.execute("select pg_try_advisory_lock(?)", [ADVISORY_LOCK_KEY]).fetchone()[0]:
            if deadline is not None and time.monotonic() >= deadline:
                raise WarehouseBusy(f"another load is writing {display_url(url)}; try again when it ends")
            time.sleep(0.5)
        yield
    finally:
        con.close()


@contextlib.contextmanager
def _folder_lock(warehouse_dir: Path, timeout: float | None):
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
