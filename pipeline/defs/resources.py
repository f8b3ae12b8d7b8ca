"""The one resource the pipeline's assets share: which sources folder, which warehouse, the write lock."""
from __future__ import annotations

import contextlib
from pathlib import Path

import dagster as dg

from pipeline import config
from pipeline.warehouse import store
from pipeline.warehouse.lock import warehouse_lock


class WarehouseResource(dg.ConfigurableResource):
    """Paths of a load and the warehouse's write lock.

    take_lock is False when the caller already holds the lock for the whole run (the CLI
    takes it before it starts Dagster, so a second load can be told "busy" at once).
    """

    sources_dir: str
    warehouse_dir: str
    take_lock: bool = True

    @property
    def sources(self) -> Path:
        return Path(self.sources_dir)

    @property
    def warehouse(self) -> Path:
        return Path(self.warehouse_dir)

    @contextlib.contextmanager
    def write_lock(self):
        """Hold the write lock (waiting for another writer), unless the caller holds it."""
        if not self.take_lock:
            yield
            return
        with warehouse_lock(self.warehouse, timeout=None):
            yield

    @contextlib.contextmanager
    def connect(self, read_only: bool = False):
        con = store.connect(self.warehouse, read_only=read_only)
        try:
            yield con
        finally:
            con.close()


def default_warehouse() -> WarehouseResource:
    """For the UI, the schedule and the sensor: $PIPELINE_SOURCES_DIR / $PIPELINE_WAREHOUSE_DIR, else the repo's."""
    return WarehouseResource(sources_dir=str(config.default_sources_dir()),
                             warehouse_dir=str(config.default_warehouse_dir()))


def dbt_resource():
    from pipeline import transform
    from pipeline.defs.dbt_cli import LocalDbtCliResource   # no `dbt --version` subprocess per run

    return LocalDbtCliResource(project_dir=transform.dbt_project(), profiles_dir=str(config.DBT_PROJECT_DIR),
                          dbt_executable=transform.dbt_executable())
