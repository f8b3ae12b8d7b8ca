"""Where things are by default: the only module that knows the repository's layout.

Read-only: nothing here writes the environment. The CLI and the Dagster resources pass
paths explicitly from here on.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
from pathlib import Path
from zoneinfo import ZoneInfo

REPO_DIR = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = Path(os.environ.get("PIPELINE_DBT_PROJECT_DIR") or REPO_DIR / "dbt_project").resolve()
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"


def default_sources_dir() -> Path:
    return Path(os.environ.get("PIPELINE_SOURCES_DIR") or REPO_DIR / "sources").resolve()


def default_warehouse_dir() -> Path:
    return Path(os.environ.get("PIPELINE_WAREHOUSE_DIR") or REPO_DIR / "warehouse").resolve()


def cache_dir() -> Path:
    """Per-user cache (the parsed dbt manifest): outside the source tree, which may be read-only."""
    base = os.environ.get("PIPELINE_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "son-la-pipeline"


def default_warehouse_url() -> str | None:
    """$PIPELINE_WAREHOUSE_URL (postgresql://user:password@host:port/db): the warehouse on
    PostgreSQL. Unset: the DuckDB file in the warehouse folder."""
    return os.environ.get("PIPELINE_WAREHOUSE_URL") or None


# DuckDB's buffer pool in every connection of a load to the internal warehouse, and in dbt's
# (dbt_project/profiles.yml gets it as a var): unlimited, DuckDB keeps up to 80 % of the machine's
# memory, and the load's largest process grew with the history. Beyond the limit it spills to the
# internal folder (store.duckdb_settings). Measured on the benchmark's district era (Python, Dagster,
# dbt and pandas hold ~450 MB before the first file): the load's process peaks at ~530 MB with 128 MB
# (scale 1, in the dbt build) and ~575 MB at scale 4 (in the ingest), where 256 MB gave 660 / 680 MB;
# the build takes as long (docs/benchmarks.md). The demo also builds with 96 MB (lower not tried).
# A bigger machine may give it more.
DUCKDB_MEMORY_LIMIT = os.environ.get("PIPELINE_DUCKDB_MEMORY_LIMIT") or "128MB"


# Son La's time: the nightly schedule, the day a load judges completeness on (as_of), due dates
# and every time the operator reads (the load's log, `status`) are in it, whatever the server's
# or the browser's timezone (the nightly 01:00 run is 18:00 UTC the day before).
LOCAL_TIMEZONE = "Asia/Ho_Chi_Minh"
LOCAL_TZ = ZoneInfo(LOCAL_TIMEZONE)


def local_now() -> dt.datetime:
    return dt.datetime.now(LOCAL_TZ)


def local_today() -> dt.date:
    return local_now().date()


@functools.cache
def due_day() -> int:
    """The day of the following month a month's report is due (the dbt var due_day, set once in
    dbt_project.yml)."""
    import yaml

    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return int(project["vars"]["due_day"])

