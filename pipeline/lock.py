"""One writer at a time on a warehouse folder (an OS file lock, re-entrant in-process).

DuckDB allows one writing process; the nightly schedule, the inbox sensor and a hand-run
`python -m pipeline load` must never write together.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path

_held: dict[Path, int] = {}   # lock path -> depth, for re-entry from the same process


class WarehouseBusy(RuntimeError):
    pass


@contextlib.contextmanager
def warehouse_lock(warehouse_dir: Path, timeout: float | None = None):
    """Hold the warehouse's write lock; wait up to `timeout` seconds (None = forever)."""
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    path = (warehouse_dir / ".load.lock").resolve()
    if path in _held:
        _held[path] += 1
        try:
            yield
        finally:
            _held[path] -= 1
        return
    handle = open(path, "a+")
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if deadline is not None and time.monotonic() >= deadline:
                handle.seek(0)
                owner = handle.read().strip() or "another process"
                handle.close()
                raise WarehouseBusy(f"another load is writing {warehouse_dir} ({owner}); try again when it ends")
            time.sleep(0.2)
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}")
    handle.flush()
    _held[path] = 1
    try:
        yield
    finally:
        del _held[path]
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
