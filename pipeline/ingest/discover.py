"""Finding the workbooks under the sources folder (names mean nothing; content decides)."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

SPREADSHEET_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}


@dataclass(frozen=True)
class SourceFile:
    path: Path
    name: str            # relative to the sources folder, '/'-separated
    size: int
    mtime: dt.datetime   # UTC, naive

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with open(self.path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()


def mtime_key(mtime: dt.datetime) -> str:
    """How a modification time is compared with the ledger's (microseconds kept)."""
    return mtime.strftime("%Y-%m-%dT%H:%M:%S.%f")


def is_ignored(name: str) -> bool:
    """Office lock files, hidden files and non-spreadsheets get no ledger entry."""
    return (
        name.startswith("~$")
        or name.startswith(".")   # hidden, including LibreOffice's .~lock.*#
        or Path(name).suffix.lower() not in SPREADSHEET_EXTENSIONS
    )


def discover(sources_dir: Path) -> list[SourceFile]:
    found = []
    for root, dirs, files in os.walk(sources_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for file_name in sorted(files):
            if is_ignored(file_name):
                continue
            path = Path(root) / file_name
            try:
                stat = path.stat()
            except OSError:
                continue  # vanished between listing and stat: next run sees it
            if not path.is_file():
                continue
            found.append(SourceFile(
                path=path,
                name=path.relative_to(sources_dir).as_posix(),
                size=stat.st_size,
                mtime=dt.datetime.fromtimestamp(stat.st_mtime, dt.timezone.utc).replace(tzinfo=None),
            ))
    return sorted(found, key=lambda f: f.name)
