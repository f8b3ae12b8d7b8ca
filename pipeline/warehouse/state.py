"""Is there anything to do? Answered cheaply: no Dagster, dbt or Great Expectations imported.

The published warehouse is current when it reflects the latest ledger version and the
current transformation code (build_fingerprint); a source file is new when its name and
bytes are not in the ledger.
"""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from pipeline.config import DBT_PROJECT_DIR
from pipeline.ingest.discover import discover, mtime_key
from pipeline.warehouse import store

PUBLISH_MODULES = [Path(__file__).parent / "publish.py", Path(__file__).parent / "pg_publish.py"]


@functools.cache
def build_fingerprint() -> str:
    """Changes when the transformation code changes, so a new version rebuilds the marts."""
    digest = hashlib.sha256()
    files = sorted(p for folder in ("models", "seeds", "macros", "tests")
                   for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file())
    for path in [*files, DBT_PROJECT_DIR / "dbt_project.yml", *PUBLISH_MODULES]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def current_version(con) -> str:
    return f"{store.get_state(con, 'ledger_version')}:{build_fingerprint()}"


def published_exists(con, warehouse_dir: Path) -> bool:
    """bi.duckdb, or on PostgreSQL the published marts and audit schemas."""
    if store.is_postgres(con):
        from pipeline.warehouse import pg_publish

        return pg_publish.published_exists(con)
    return store.bi_path(warehouse_dir).exists()


def published_is_current(con, warehouse_dir: Path) -> bool:
    return published_exists(con, warehouse_dir) and current_version(con) == store.get_state(con, "published_version")


def new_files(con, files) -> list:
    """(source, sha256) of every file whose name and bytes are not in the ledger yet, each pair once
    (a file unchanged since the ledger saw it is not hashed again)."""
    stat_index, known_pairs = store.known_files(con)
    found = []
    for source in files:
        sha = stat_index.get((source.name, source.size, mtime_key(source.mtime))) or source.sha256()
        if (source.name, sha) not in known_pairs:
            known_pairs.add((source.name, sha))
            found.append((source, sha))
    return found


def nothing_to_do(sources_dir: Path, warehouse_dir: Path, url: str | None = None) -> bool:
    """True when no file is new and the published warehouse is current (call under the lock)."""
    if not url and not store.internal_path(warehouse_dir).exists():
        return False
    con = store.connect(warehouse_dir, url=url)
    try:
        return published_is_current(con, warehouse_dir) and not new_files(con, discover(sources_dir))
    finally:
        con.close()
