"""The internal warehouse: where its files are, the raw layer, ledger queries, batch writes.

A DuckDB file in the warehouse folder, or a PostgreSQL database when a warehouse URL is given
(pipeline/warehouse/pg.py): the same DDL, the same ledger SQL. One writer at a time
(pipeline/warehouse/lock.py). Each batch of files is written in ONE transaction: ledger entries
and their rows land together or not at all, so a crash never leaves a file half-loaded. Column
lists come from the DDL (raw_schema.sql), nowhere else.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

import duckdb

from pipeline.warehouse import approvals, history, supersession

RAW_SCHEMA_SQL = (Path(__file__).parent / "raw_schema.sql").read_text(encoding="utf-8")

# raw.load_state's upsert, in the syntax both engines have (DuckDB's `insert or replace` is its own)
UPSERT = "on conflict (key) do update set value = excluded.value"


# -- where a warehouse folder keeps things ---------------------------------------------------

def internal_path(warehouse_dir: Path) -> Path:
    """The build database: raw layer (personal data) and dbt's schemas. Owner-only."""
    return warehouse_dir / "internal" / "warehouse.duckdb"


def bi_path(warehouse_dir: Path) -> Path:
    """The published copy BI tools open."""
    return warehouse_dir / "bi.duckdb"


def feedback_dir(warehouse_dir: Path) -> Path:
    return warehouse_dir / "feedback"


def dbt_work_dir(warehouse_dir: Path) -> Path:
    """dbt's target and logs for this warehouse: one folder, reused by every run."""
    return warehouse_dir / "internal" / "dbt"


def spill_dir(warehouse_dir: Path) -> Path:
    """Where DuckDB spills what does not fit its memory limit: inside the owner-only internal folder
    (spilled pages may hold personal data)."""
    return warehouse_dir / "internal" / "spill"


def duckdb_settings(warehouse_dir: Path) -> dict[str, str]:
    """The load's DuckDB settings (its connections and dbt's): a memory limit, and a folder to spill to."""
    from pipeline.config import DUCKDB_MEMORY_LIMIT

    return {"memory_limit": DUCKDB_MEMORY_LIMIT, "temp_directory": str(spill_dir(warehouse_dir).resolve())}


# -- the raw layer ----------------------------------------------------------------------------

@functools.cache
def raw_column_types() -> dict[str, dict[str, str]]:
    """Table -> {column: DuckDB type} in DDL order, read from raw_schema.sql itself (in memory)."""
    con = duckdb.connect()
    try:
        con.execute(RAW_SCHEMA_SQL)
        rows = con.execute("select table_name, column_name, data_type from information_schema.columns "
                           "where table_schema = 'raw' order by table_name, ordinal_position").fetchall()
    finally:
        con.close()
    columns: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        columns.setdefault(table, {})[column] = data_type
    return columns


@functools.cache
def raw_columns() -> dict[str, list[str]]:
    """Table -> its columns in DDL order."""
    return {table: list(columns) for table, columns in raw_column_types().items()}


def is_postgres(con) -> bool:
    from pipeline.warehouse.pg import PgConnection

    return isinstance(con, PgConnection)


def connect(warehouse_dir: Path, read_only: bool = False, url: str | None = None):
    """Open the internal warehouse: the DuckDB file (its folder owner-only: it holds personal
    data), or the PostgreSQL database at `url`."""
    if url:
        from pipeline.warehouse.pg import PgConnection

        con = PgConnection(url)
        if not read_only:
            con.execute(RAW_SCHEMA_SQL)
            _backfill_commune_lists(con)
            _recount(con)
        return con
    path = internal_path(warehouse_dir)
    if read_only:
        return duckdb.connect(str(path), read_only=True, config=duckdb_settings(warehouse_dir))
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    con = duckdb.connect(str(path), config=duckdb_settings(warehouse_dir))
    os.chmod(path, 0o600)
    con.execute(RAW_SCHEMA_SQL)
    _backfill_commune_lists(con)
    _recount(con)
    return con


def connect_published(warehouse_dir: Path, url: str | None = None):
    """Open what BI reads, read-only: the published bi.duckdb, or on PostgreSQL the database (whose
    marts and audit schemas are the published ones). What the report and the load's summary read."""
    if url:
        from pipeline.warehouse.pg import PgConnection

        return PgConnection(url)
    return duckdb.connect(str(bi_path(warehouse_dir)), read_only=True)


def built_schema(con, schema: str) -> str:
    """Where what dbt last built of a published schema (marts, audit) is, for the steps after dbt (checks, feedback):
    the internal DuckDB file's schema; on PostgreSQL <schema>__build until publish swaps it in, then <schema>."""
    if is_postgres(con):
        from pipeline.warehouse import pg_publish

        return pg_publish.built_schema(con, schema)
    return schema


def _backfill_commune_lists(con) -> None:
    """Rows loaded before the lists had ids get the list of their month (poverty: review year), once."""
    if get_state(con, "commune_lists_backfilled"):
        return
    from pipeline.ingest import reference   # the seed admin_unit_lists, as for new rows

    for validity in reference.list_validity():
        end = validity.valid_to.isoformat() if validity.valid_to else "9999-12-31"
        bounds = [validity.commune_list, validity.valid_from.isoformat(), end]
        for table in ("houses", "grants"):
            con.execute(f"update raw.{table} as r set commune_list = ? from raw.submissions as s "
                        "where r.commune_list is null and r.submission_id = s.submission_id "
                        "and cast(s.period + interval '1 month' - interval '1 day' as date) "   # the month's last day
                        "between cast(? as date) and cast(? as date)", bounds)
        con.execute("update raw.poverty set commune_list = ? where commune_list is null "
                    "and make_date(review_year, 12, 31) between cast(? as date) and cast(? as date)", bounds)
    first = reference.list_validity()[0].commune_list
    for table in ("houses", "grants", "poverty"):
        con.execute(f"update raw.{table} set commune_list = ? where commune_list is null", [first])
    set_state(con, "commune_lists_backfilled", "1")


def _recount(con) -> None:
    """A ledger an earlier version counted (or none did: raw.counting came later) is recounted by today's rule,
    once, and its version bumped, so the marts are rebuilt on what counts now."""
    if get_state(con, "counting_rule") == supersession.RULE_VERSION:
        return
    con.execute("begin transaction")
    try:
        supersession.refresh(con)
        approvals.apply(con)
        if con.execute("select count(*) from raw.submissions").fetchone()[0]:
            bump_ledger_version(con)
        set_state(con, "counting_rule", supersession.RULE_VERSION)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def known_files(con) -> tuple[dict[tuple[str, int, str], str], set[tuple[str, str]]]:
    """(name, size, mtime) -> sha; (name, sha) pairs in the ledger."""
    from pipeline.ingest.discover import mtime_key

    rows = con.execute("select file_name, file_size, file_mtime, file_sha256 from raw.submissions").fetchall()
    stat_index = {(name, size, mtime and mtime_key(mtime)): sha for name, size, mtime, sha in rows}
    return stat_index, {(name, sha) for name, _, _, sha in rows}


def processed_files(con) -> dict[str, str]:
    """sha -> the first file name under which those bytes were processed (not as a duplicate).

    A duplicate's sha does not count as processed: duplicates are committed before the batch
    holding their original, so after a crash in between the original must still be parsed.
    """
    return dict(con.execute("select file_sha256, min(file_name) from raw.submissions "
                            "where outcome <> 'duplicate' group by 1").fetchall())


def write_batch(con, ledger: list[dict], tables: dict) -> None:
    """Ledger entries and their rows (frames keyed by raw table) in one transaction, then what counts
    recomputed (statuses, kinds), what the batch replaced told, and the ledger version bumped."""
    import pandas as pd   # lazily: the nothing-new check must stay cheap

    con.execute("begin transaction")
    try:
        for name, frame in tables.items():
            if frame is not None and not frame.empty:
                insert_rows(con, name, frame)
        if ledger:
            insert_rows(con, "submissions", pd.DataFrame(ledger, columns=raw_columns()["submissions"]))
        supersession.refresh(con)
        approvals.apply(con)
        history.record(con, [e["submission_id"] for e in ledger if e["outcome"] in ("accepted", "accepted_with_errors")],
                       next((e.get("run_id") for e in ledger), None))
        bump_ledger_version(con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def bump_ledger_version(con) -> None:
    """The raw layer changed (a batch, an approval): the next load rebuilds and republishes."""
    con.execute(
        "insert into raw.load_state values ('ledger_version', "
        "cast(coalesce((select cast(value as bigint) from raw.load_state where key = 'ledger_version'), 0) + 1 as varchar)) "
        + UPSERT
    )


def insert_rows(con, table: str, frame) -> None:
    """A frame's rows into raw.<table> (the table's columns the frame has), in the caller's transaction."""
    columns = [c for c in raw_columns()[table] if c in frame.columns]
    if is_postgres(con):   # bulk COPY
        types = [raw_column_types()[table][c] for c in columns]
        con.copy_rows(table, columns, types, frame[columns].itertuples(index=False, name=None))
        return
    quoted = ", ".join(f'"{c}"' for c in columns)
    con.register("batch_frame", frame)
    try:
        con.execute(f"insert into raw.{table} ({quoted}) select {quoted} from batch_frame")
    finally:
        con.unregister("batch_frame")


def table_exists(con, schema: str, table: str) -> bool:
    """Whether the schema holds the table (or view): dbt may not have built it yet."""
    return bool(con.execute("select count(*) from information_schema.tables where table_schema = ? "
                            "and table_name = ?", [schema, table]).fetchone()[0])


def get_state(con, key: str) -> str | None:
    row = con.execute("select value from raw.load_state where key = ?", [key]).fetchone()
    return row[0] if row else None


def set_state(con, key: str, value: str) -> None:
    con.execute("insert into raw.load_state values (?, ?) " + UPSERT, [key, value])
