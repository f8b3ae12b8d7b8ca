"""DuckDB's memory limit (pipeline/config.py) holds for the build: every table model of the demo, rebuilt
from its compiled SQL in one connection as dbt's build does, fits under it, and int_headline_figures,
the model that once held ~130 MB for 30,000 rows (a join over an 18-branch UNION ALL), fits in half.
On the demo's shared real load; the compiled SQL is the build's own (internal/dbt/target/compiled)."""
from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from pipeline.config import DUCKDB_MEMORY_LIMIT
from pipeline.warehouse import store

pytestmark = pytest.mark.slow   # reads the demo's shared real load (conftest.demo_load)


def _compiled_tables(warehouse) -> dict[str, str]:
    target = warehouse / "internal" / "dbt" / "target"
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    project = manifest["metadata"].get("project_name") or "son_la"
    return {node["name"]: (target / "compiled" / project / node["original_file_path"]).read_text(encoding="utf-8")
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["config"]["materialized"] == "table"}


@pytest.fixture(scope="module")
def copy_of_the_build(demo_load, tmp_path_factory):
    """(compiled SQL of each table model, a copy of the demo's internal warehouse under the same file name,
    so the compiled SQL's catalog resolves)."""
    warehouse, _ = demo_load
    folder = tmp_path_factory.mktemp("memory_limit")
    internal = store.internal_path(warehouse)
    shutil.copy(internal, folder / internal.name)
    return _compiled_tables(warehouse), folder / internal.name


def _create_all(path, tables: dict[str, str], limit: str) -> list[str]:
    con = duckdb.connect(str(path), config={"memory_limit": limit, "temp_directory": str(path.parent / "spill")})
    failed = []
    try:
        con.execute("create schema if not exists rebuilt")
        for name, sql in tables.items():
            try:
                con.execute(f'create or replace table rebuilt."{name}" as {sql}')
            except duckdb.OutOfMemoryException as error:
                failed.append(f"{name}: {error}"[:200])
    finally:
        con.close()
    return failed


def test_every_table_model_of_the_demo_builds_under_the_memory_limit_in_one_connection(copy_of_the_build):
    tables, path = copy_of_the_build
    assert len(tables) > 40 and "fct_houses" in tables and "int_headline_figures" in tables
    assert _create_all(path, tables, DUCKDB_MEMORY_LIMIT) == []


def test_the_headline_figures_fit_in_half_the_limit(copy_of_the_build):
    tables, path = copy_of_the_build
    half = f"{int(DUCKDB_MEMORY_LIMIT.removesuffix('MB')) // 2}MB"
    assert _create_all(path, {"int_headline_figures": tables["int_headline_figures"]}, half) == []
    con = duckdb.connect(str(path), read_only=True)
    try:
        rebuilt, built = (con.execute(f"select count(*) from {schema}.int_headline_figures").fetchone()[0]
                          for schema in ("rebuilt", "intermediate"))
    finally:
        con.close()
    assert rebuilt == built > 10_000
