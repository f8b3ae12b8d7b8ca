"""The inbox sensor's logic, kept pure: scan the sources folder, compare with a cursor.

A file is identified by its path *and* its content (SHA-256): a corrected workbook saved
under an old name is new; a file only touched (same bytes, new mtime) is not; a version
already seen once is never requested again. The cursor is JSON and holds every
(path, sha256) ever seen, with the size and mtime last observed, so unchanged files are
not re-hashed on every tick.

Nothing here touches the warehouse (a sensor must never open it).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.ingest.discover import discover

CURSOR_VERSION = 1


@dataclass(frozen=True)
class Fingerprint:
    path: str       # relative to the sources folder, '/'-separated
    size: int
    mtime: float    # seconds since the epoch
    sha256: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.path, self.sha256)


@dataclass(frozen=True)
class InboxScan:
    new: list[Fingerprint]      # files (path + content) never seen before, sorted by path
    cursor: str                 # the cursor to store after this tick
    files_seen: int             # files currently in the folder

    @property
    def run_key(self) -> str | None:
        """Stable for the same set of new fingerprints (Dagster drops a repeated run key)."""
        if not self.new:
            return None
        digest = hashlib.sha256()
        for fingerprint in self.new:
            digest.update(f"{fingerprint.path}\0{fingerprint.sha256}\n".encode())
        return f"inbox-{digest.hexdigest()[:24]}"


def load_cursor(cursor: str | None) -> dict[tuple[str, str], Fingerprint]:
    """(path, sha256) -> last observed fingerprint. An unreadable cursor counts as empty."""
    if not cursor:
        return {}
    try:
        data = json.loads(cursor)
        rows = data["files"] if isinstance(data, dict) else []
        prints = [Fingerprint(str(p), int(s), float(m), str(h)) for p, s, m, h in rows]
    except (ValueError, KeyError, TypeError):
        return {}
    return {fp.key: fp for fp in prints}


def dump_cursor(seen: dict[tuple[str, str], Fingerprint]) -> str:
    rows = [[fp.path, fp.size, fp.mtime, fp.sha256] for fp in sorted(seen.values(), key=lambda f: f.key)]
    return json.dumps({"v": CURSOR_VERSION, "files": rows}, separators=(",", ":"), ensure_ascii=False)


def scan(sources_dir: Path, cursor: str | None) -> InboxScan:
    """Fingerprint every workbook under sources_dir (ignoring lock/hidden/non-spreadsheet files
    exactly as the ingest does) and return the ones not seen before plus the next cursor."""
    seen = load_cursor(cursor)
    # the last observation per path: if size and mtime did not change, the content did not either
    by_stat = {(fp.path, fp.size, fp.mtime): fp.sha256 for fp in seen.values()}
    new: list[Fingerprint] = []
    count = 0
    for source in discover(sources_dir) if sources_dir.is_dir() else []:
        try:
            mtime = source.path.stat().st_mtime
            sha = by_stat.get((source.name, source.size, mtime)) or source.sha256()
        except OSError:
            continue   # vanished or unreadable right now: the next tick sees it
        count += 1
        fingerprint = Fingerprint(source.name, source.size, mtime, sha)
        if fingerprint.key not in seen:
            new.append(fingerprint)
        seen[fingerprint.key] = fingerprint
    new.sort(key=lambda f: f.key)
    return InboxScan(new=new, cursor=dump_cursor(seen), files_seen=count)
