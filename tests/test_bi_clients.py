"""BI clients on a bi.duckdb written by the real publish step (a small internal warehouse the test
writes; the demo's published file is checked in test_report_e2e.py).

- DuckDB 1.1.3 (the cached .venv-duckdb11, made when missing) opens it and reads every table: same
  rows (slow tier: a fresh clone has no such venv until this test or scripts/test makes it).
- SQLAlchemy 2.0 + duckdb-engine 0.17 reflect every published table and column; pandas reads a mart.
"""
from __future__ import annotations

import duckdb
import pytest

from bi_small import DATA, schema_sql
from clients import OLD_VERSION, catalog, read_all_here, read_all_old, reflect

from pipeline.warehouse import publish, store

# every type the marts and audit tables publish (VARCHAR, INTEGER, BIGINT, DECIMAL, DOUBLE,
# DATE, TIMESTAMP, BOOLEAN), with nulls and edge values
TYPES_TABLE = """
create table marts.every_type (v varchar, i integer, b bigint, d72 decimal(7,2), d82 decimal(8,2), f double,
    day date, ts timestamp, flag boolean);
insert into marts.every_type values
    ('Xã Mường É', 2147483647, 441287000000, 10.89, -3.52, 10.8904, '2025-03-31', '2026-11-28 22:16:47.123456', true),
    (null, null, null, null, null, null, null, null, null),
    ('', -1, -9007199254740993, -99999.99, 999999.99, -0.0, '2020-01-01', '2020-01-01 00:00:00', false);
create schema raw; create table raw.houses (household_head varchar); insert into raw.houses values ('not published');
"""


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("bi_clients")
    internal = store.internal_path(warehouse)
    internal.parent.mkdir(parents=True)
    con = duckdb.connect(str(internal))
    con.execute(schema_sql())
    con.execute(DATA)
    con.execute(TYPES_TABLE)
    con.close()
    path, tables = publish.publish(warehouse)
    return path, tables


def test_published_in_storage_v1_0_0(published):
    path, tables = published
    assert publish.BI_STORAGE_VERSION == "v1.0.0"
    assert "marts.every_type" in tables and not any(t.startswith("raw.") for t in tables)


@pytest.mark.slow
def test_duckdb_1_1_opens_it_and_reads_every_table_the_same(published):
    path, tables = published
    old, here = read_all_old(path), read_all_here(path)
    assert old["version"] == OLD_VERSION
    assert set(old["tables"]) == set(tables)
    assert old["tables"] == here["tables"]        # row counts and the rows themselves
    assert old["tables"]["marts.every_type"][0] == 3


def test_sqlalchemy_duckdb_engine_reflects_every_table_and_column(published):
    path, _ = published
    found, schemas, rates = reflect(path)
    assert found == catalog(path)
    # how duckdb-engine names the schemas (what Superset lists): catalog-qualified
    assert {"bi.marts", "bi.audit"} <= set(schemas)
    assert rates == {2021: 25.0, 2022: 20.0, 2023: 14.85, 2024: 10.0}


def test_why_no_pooling_a_pooled_engine_keeps_the_old_file_after_a_republish(tmp_path):
    """The README's advice (NullPool) measured: publish replaces bi.duckdb by a rename, so a
    connection kept open in a pool goes on reading the old file until the engine is disposed,
    while a NullPool engine opens the new file on its next query."""
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    internal = store.internal_path(tmp_path)
    internal.parent.mkdir(parents=True)
    con = duckdb.connect(str(internal))
    con.execute(schema_sql())
    con.execute(DATA)
    con.close()
    path, _ = publish.publish(tmp_path)
    url = f"duckdb:///{path}?access_mode=read_only"
    rate_sql = sa.text("select poverty_rate_pct from marts.agg_poverty_province_year where review_year = 2024")

    def republish(rate: str) -> None:
        with duckdb.connect(str(internal)) as writer:
            writer.execute(f"update marts.agg_poverty_province_year set poverty_rate_pct = {rate} where review_year = 2024")
        publish.publish(tmp_path)

    def read(engine) -> float:
        with engine.connect() as connection:
            return float(connection.execute(rate_sql).scalar())

    unpooled = sa.create_engine(url, poolclass=NullPool)
    assert read(unpooled) == 10.0
    republish("9.50")
    assert read(unpooled) == 9.5                   # the new file at once

    pooled = sa.create_engine(url)                  # SQLAlchemy's default pool
    try:
        assert read(pooled) == 9.5
        republish("9.00")
        assert read(pooled) == 9.5                  # still the old, renamed-away file
        pooled.dispose()
        assert read(pooled) == 9.0                  # until the pool is disposed
    finally:
        pooled.dispose()
