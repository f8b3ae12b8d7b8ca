"""Give freed memory back to the operating system between the load's big steps.

glibc keeps the heap a step freed (the ingest's frames, dbt's compiled project) for reuse, so
the process stays at its high-water mark while Chromium prints the report beside it.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc


@functools.cache
def _malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):   # not glibc (musl, macOS): nothing to trim
        return None


def release() -> None:
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
