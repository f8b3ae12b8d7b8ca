"""Parsing in worker processes: an address-space cap per worker, a dead worker isolated file by file.

The initializer (resource.setrlimit) and the task (parse.parse_workbook) live outside the
batch module, so a spawned worker never imports pandas, DuckDB or Great Expectations:
~20 MB per worker instead of ~90 MB.
"""
from __future__ import annotations

import concurrent.futures as futures
import datetime as dt
import multiprocessing
from pathlib import Path
from typing import Callable

from pipeline.ingest.parse import ParsedWorkbook, parse_workbook

WORKER_MEMORY_LIMIT = 3 << 30    # address-space cap per parsing worker (bytes)

_TOO_BIG = dict(reason="the workbook needs too much memory to read", reason_vi="tệp quá lớn, không đọc được")
_DIED = dict(reason="the workbook could not be read within the memory and time limits",
             reason_vi="tệp không đọc được trong giới hạn bộ nhớ và thời gian")


def _worker_setup() -> tuple:
    """(initializer, initargs) capping each worker's address space, where the OS allows it."""
    try:
        import resource
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    except (ImportError, ValueError, OSError):
        return None, ()
    if hard != resource.RLIM_INFINITY and hard < WORKER_MEMORY_LIMIT:
        return None, ()   # the cap cannot be set (setrlimit would fail)
    return resource.setrlimit, (resource.RLIMIT_AS, (WORKER_MEMORY_LIMIT, WORKER_MEMORY_LIMIT))


def new_pool(workers: int) -> futures.ProcessPoolExecutor:
    initializer, initargs = _worker_setup()
    return futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
        initializer=initializer, initargs=initargs,
    )


def _parse_here(path: Path, today: dt.date) -> ParsedWorkbook:
    try:
        return parse_workbook(path, today)
    except MemoryError:
        return ParsedWorkbook(**_TOO_BIG)


def _outcome(future) -> ParsedWorkbook:
    """A worker's parsed workbook; a MemoryError inside the worker rejects the file."""
    try:
        return future.result()
    except MemoryError:
        return ParsedWorkbook(**_TOO_BIG)


def _parse_isolated(paths: list[Path], today: dt.date) -> list[ParsedWorkbook]:
    """After a worker died (memory cap, crash): each file in a pool of its own, to find the culprit."""
    results = []
    for path in paths:
        with new_pool(1) as single:
            try:
                results.append(_outcome(single.submit(parse_workbook, path, today)))
            except futures.process.BrokenProcessPool:
                results.append(ParsedWorkbook(**_DIED))
    return results


def start_parsing(paths: list[Path], today: dt.date, pool) -> Callable[[], list[ParsedWorkbook]]:
    """Hand the files to the workers now; the returned callable collects the results.

    Lets the workers parse the next batch while the caller validates and writes the current
    one (both cores busy). Without a pool, parses in this process when collected.
    """
    if pool is None:
        return lambda: [_parse_here(p, today) for p in paths]
    try:
        pending = [pool.submit(parse_workbook, p, today) for p in paths]
    except (futures.process.BrokenProcessPool, RuntimeError):
        return lambda: _parse_isolated(paths, today)

    def collect() -> list[ParsedWorkbook]:
        try:
            return [_outcome(f) for f in pending]
        except futures.process.BrokenProcessPool:
            return _parse_isolated(paths, today)
    return collect
