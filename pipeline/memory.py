"""Give memory this process has freed back to the operating system.

After the ingest, the load's process still holds the heap its big frames used: glibc keeps freed
blocks for reuse instead of returning them. A child started then (the report's Chromium) adds
its own memory on top, so the load's process tree peaks there. gc.collect() frees what only
cycles held; glibc's malloc_trim(0) returns the free heap pages. Elsewhere (no glibc) only the
collection runs.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import sys

import psutil


@functools.cache
def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim   # glibc only (musl has none): AttributeError
    except (OSError, AttributeError):
        return None


def release() -> tuple[float, float]:
    """Collect garbage and trim the C heap; (RSS before, RSS after) in MB, for the log."""
    process = psutil.Process()
    before = process.memory_info().rss / 2**20
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
    return before, process.memory_info().rss / 2**20
