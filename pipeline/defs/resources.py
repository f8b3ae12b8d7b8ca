"""The one resource the pipeline's assets share: which sources folder, which warehouse (DuckDB file or
PostgreSQL), the write lock."""
from __future__ import annotations

import contextlib
from pathlib import Path

import dagster as dg

from pipeline import config
from pipeline.warehouse import store
from pipeline.warehouse.lock import warehouse_lock


class WarehouseResource(dg.ConfigurableResource):
    """Paths of a load, which warehouse, and the warehouse's write lock.

    warehouse_url: a postgresql:// URL puts the internal warehouse (raw layer, dbt's schemas,
    the published marts and audit) in PostgreSQL; None keeps it in the DuckDB file of the
    warehouse folder. The folder holds the lock, feedback workbooks and dbt's logs either way.
    take_lock is False when the caller already holds the lock for the whole run (the CLI
    takes it before it starts Dagster, so a second load can be told "busy" at once).
    """

    sources_dir: str
    warehouse_dir: str
    warehouse_url: str | None = None
    take_lock: bool = True

    @property
    def on_postgres(self) -> bool:
        return bool(self.warehouse_url)

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
        with warehouse_lock(self.warehouse, timeout=None, url=self.warehouse_url):
            yield

    @contextlib.contextmanager
    def connect(self, read_only: bool = False):
        con = store.connect(self.warehouse, read_only=read_only, url=self.warehouse_url)
        try:
            yield con
        finally:
            con.close()

    @contextlib.contextmanager
    def published(self):
        """A read-only connection to what BI reads: bi.duckdb, or the database on PostgreSQL."""
        if self.warehouse_url:
            with self.connect(read_only=True) as con:
                yield con
            return
        import duckdb

        con = duckdb.connect(str(store.bi_path(self.warehouse)), read_only=True)
        try:
            yield con
        finally:
            con.close()


def default_warehouse() -> WarehouseResource:
    """For the UI, the schedule and the sensor: $PIPELINE_SOURCES_DIR / $PIPELINE_WAREHOUSE_DIR, else the repo's."""
    # the URL holds a password: the UI shows the variable's name, never its value
    url = dg.EnvVar("PIPELINE_WAREHOUSE_URL") if config.default_warehouse_url() else None
    return WarehouseResource(sources_dir=str(config.default_sources_dir()),
                             warehouse_dir=str(config.default_warehouse_dir()), warehouse_url=url)


def dbt_resource():
    """dagster-dbt's resource for the dbt project (pipeline/transform.py makes it)."""
    from pipeline import transform

    return transform.cli_resource()
