"""Files a reader may open at any moment: written whole or not at all, and marked with what they were built from.

Every output of the pipeline (bi.duckdb, Parquet copies, feedback workbooks, the report, its
PDF, the data dictionary) is written to a temporary name in its own folder and renamed over
the old one: a reader (a BI tool, a browser, a clerk) never sees half a file, and a killed run
leaves the previous file in place. What a file was built from (code version, inputs, day) is
kept beside it, so a later run can tell whether it is still current without rebuilding it.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

TEMP_PREFIX = "."
TEMP_MARK = ".tmp-"


def temp_path(path: Path) -> Path:
    """Where `path` is written before it is renamed into place: same folder (rename is atomic only
    within one file system), hidden, and named per process so two writers never share it."""
    return path.with_name(f"{TEMP_PREFIX}{path.name}{TEMP_MARK}{os.getpid()}")


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `path`, on any failure it is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path(path)
    try:
        yield temp
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def atomic_write(path: Path, data: str | bytes) -> Path:
    """Write text (UTF-8) or bytes to `path` atomically."""
    with atomic_output(path) as temp:
        if isinstance(data, bytes):
            temp.write_bytes(data)
        else:
            temp.write_text(data, encoding="utf-8")
    return path


def remove_stale_temps(folder: Path) -> None:
    """Temporary files a killed writer left in `folder` (never the finished files)."""
    if folder.is_dir():
        for stale in folder.glob(f"{TEMP_PREFIX}*{TEMP_MARK}*"):
            stale.unlink(missing_ok=True)


def _mark(path: Path) -> Path:
    return path.with_name(f".{path.name}.built-from")


def mark_built(path: Path, inputs: str) -> None:
    """Record that `path`, just written, was built from `inputs` (an identity string: versions, hashes, a day)."""
    atomic_write(_mark(path), inputs)


def forget_built(path: Path) -> None:
    """Before `path` is rewritten: it describes no finished build until mark_built says so again."""
    _mark(path).unlink(missing_ok=True)


def is_built_from(path: Path, inputs: str) -> bool:
    """True when `path` exists and was marked as built from exactly these inputs."""
    try:
        return path.exists() and _mark(path).read_text(encoding="utf-8") == inputs
    except OSError:
        return False
