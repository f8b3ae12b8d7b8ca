"""Publish the marts and audit schemas as bi.duckdb (+ Parquet), atomically.

BI tools hold bi.duckdb open read-only all day. The pipeline never writes that file:
it builds a temporary file next to it and renames it into place, so a reader keeps the
old complete version and new connections see the new one. Written in DuckDB's v1.0.0
storage format, so every DuckDB from 1.0 on opens it (BI drivers embed all sorts of 1.x;
a v1.4.0 file is refused by 1.1-1.3: "version number 67"). Measured on the demo warehouse:
every published type (VARCHAR, INTEGER, BIGINT, DECIMAL, DOUBLE, DATE, TIMESTAMP, BOOLEAN)
is kept, contents identical, same file size, no slower to write (tests/test_bi_clients.py).
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

import duckdb

from pipeline import files
from pipeline.warehouse.store import bi_path, duckdb_settings, internal_path

PUBLISHED_SCHEMAS = ("marts", "audit")
PERSONAL_COLUMNS = {"household_head", "national_id", "prepared_by"}
BI_STORAGE_VERSION = "v1.0.0"


def publish(warehouse_dir: Path) -> tuple[Path, list[str]]:
    """(path of bi.duckdb, published tables as schema.table). Every file is written under a temporary
    name and renamed into place only when all of them are complete (files.atomic_output)."""
    target = bi_path(warehouse_dir)
    parquet_dir = warehouse_dir / "parquet"
    # Temp files of a publish that was killed (any pid): callers hold the warehouse lock,
    # so no other publish is writing them.
    files.remove_stale_temps(warehouse_dir)
    files.remove_stale_temps(parquet_dir)
    with contextlib.ExitStack() as outputs:
        temp = outputs.enter_context(files.atomic_output(target))
        published = _copy_published(internal_path(warehouse_dir), temp, parquet_dir, outputs,
                                     duckdb_settings(warehouse_dir))
        _fsync(temp)
    return target, published


def _copy_published(source: Path, temp: Path, parquet_dir: Path, outputs: contextlib.ExitStack,
                    settings: dict) -> list[str]:
    """The marts and audit tables of the internal warehouse into temp (a new DuckDB file) and into one
    Parquet file each (entered on `outputs`: renamed into place when the publish completes)."""
    con = duckdb.connect(config=settings)
    try:
        con.execute(f"attach '{source}' as src (read_only)")
        con.execute(f"attach '{temp}' as pub (storage_version '{BI_STORAGE_VERSION}')")
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = 'src' and table_type = 'BASE TABLE' and table_schema in ? "
            "order by 1, 2", [list(PUBLISHED_SCHEMAS)]
        ).fetchall()
        columns = con.execute(
            "select table_schema || '.' || table_name || '.' || column_name from information_schema.columns "
            "where table_catalog = 'src' and table_schema in ? and column_name in ?",
            [list(PUBLISHED_SCHEMAS), list(PERSONAL_COLUMNS)],
        ).fetchall()
        if columns:
            raise RuntimeError(f"refusing to publish personal data columns: {[c[0] for c in columns]}")
        published = []
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"create schema if not exists pub.{schema}")
        for schema, table in tables:
            con.execute(f'create table pub.{schema}."{table}" as select * from src.{schema}."{table}"')
            part = outputs.enter_context(files.atomic_output(parquet_dir / f"{schema}.{table}.parquet"))
            con.execute(f"copy (select * from src.{schema}.\"{table}\") to '{part}' (format parquet)")
            published.append(f"{schema}.{table}")
        con.execute("detach pub")
    finally:
        con.close()
    return published


def _fsync(path: Path) -> None:
    """On disk before the rename: a crash right after it must not leave a renamed, empty file."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
