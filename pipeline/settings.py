"""Where things are: the sources folder, the warehouse folder, the dbt project (set in one place)."""
from __future__ import annotations

import os
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_DIR / "dbt_project"


def sources_dir() -> Path:
    return Path(os.environ.get("PIPELINE_SOURCES_DIR") or REPO_DIR / "sources").resolve()


def warehouse_dir() -> Path:
    return Path(os.environ.get("PIPELINE_WAREHOUSE_DIR") or REPO_DIR / "warehouse").resolve()


def internal_db_path(warehouse: Path) -> Path:
    return warehouse / "internal" / "warehouse.duckdb"


def export_dbt_env(warehouse: Path) -> None:
    """dbt runs in a subprocess in the dbt project folder: give it an absolute path."""
    os.environ["PIPELINE_DUCKDB_PATH"] = str(internal_db_path(warehouse.resolve()))
