"""Is there anything to do? Answered cheaply: no Dagster, dbt or Great Expectations imported.

The published warehouse is current when it reflects the latest ledger version and the
current transformation code (build_fingerprint); a source file is new when its name and
bytes are not in the ledger.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline import settings, warehouse
from pipeline.discover import discover, mtime_key

PUBLISH_MODULE = Path(__file__).parent / "publish.py"


def build_fingerprint() -> str:
    """Changes when the transformation code changes, so a new version rebuilds the marts."""
    digest = hashlib.sha256()
    files = sorted(p for folder in ("models", "seeds", "macros", "tests")
                   for p in (settings.DBT_PROJECT_DIR / folder).rglob("*") if p.is_file())
    for path in [*files, settings.DBT_PROJECT_DIR / "dbt_project.yml", PUBLISH_MODULE]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def current_version(con) -> str:
    return f"{warehouse.get_state(con, 'ledger_version')}:{build_fingerprint()}"


def published_is_current(con, warehouse_dir: Path) -> bool:
    return (warehouse_dir / "bi.duckdb").exists() and current_version(con) == warehouse.get_state(con, "published_version")


def has_new_files(sources_dir: Path, con) -> bool:
    stat_index, known_pairs, _ = warehouse.known_files(con)
    for source in discover(sources_dir):
        sha = stat_index.get((source.name, source.size, mtime_key(source.mtime)))
        if sha is None and (source.name, source.sha256()) not in known_pairs:
            return True
    return False


def nothing_to_do(sources_dir: Path, warehouse_dir: Path) -> bool:
    """True when no file is new and the published warehouse is current (call under the lock)."""
    if not warehouse.internal_path(warehouse_dir).exists():
        return False
    con = warehouse.connect(warehouse_dir)
    try:
        return published_is_current(con, warehouse_dir) and not has_new_files(sources_dir, con)
    finally:
        con.close()
