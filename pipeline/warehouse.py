"""The internal warehouse (DuckDB): raw layer DDL, ledger queries, batch writes, state.

One writer at a time (see pipeline/lock.py). Each batch of files is written in ONE
transaction: ledger entries and their rows land together or not at all, so a crash
never leaves a file half-loaded.
"""
from __future__ import annotations

import os
from pathlib import Path

import duckdb

RAW_SCHEMA_SQL = (Path(__file__).parent / "raw_schema.sql").read_text(encoding="utf-8")

LEDGER_COLUMNS = [
    "submission_id", "file_name", "file_sha256", "file_size", "file_mtime", "received_at",
    "district_code", "district_name_written", "period", "version", "prepared_on", "outcome",
    "status", "reason", "rows_read", "rows_loaded", "rows_rejected", "rows_skipped", "warnings",
]
TABLE_COLUMNS = {
    "submission_sheets": ["submission_id", "sheet", "sheet_name", "header_row", "rows_read",
                          "rows_loaded", "rows_rejected", "rows_skipped", "warnings"],
    "houses": ["submission_id", "excel_row", "household_id", "commune_code", "village", "household_head",
               "national_id", "ethnicity", "category", "support_type", "central_budget_vnd",
               "local_budget_vnd", "social_contribution_vnd", "start_date", "completion_date", "status", "notes"],
    "grants": ["submission_id", "excel_row", "commune_code", "programme", "funding_source",
               "beneficiaries", "amount_vnd", "notes"],
    "poverty": ["submission_id", "excel_row", "commune_code", "review_year", "total_households",
                "poor_households", "near_poor_households", "poor_ethnic_minority_households",
                "poverty_rate_pct_written"],
    "rejected_rows": ["submission_id", "sheet", "sheet_kind", "excel_row", "column", "cell", "value",
                      "reason", "reason_vi"],
    "warnings": ["submission_id", "sheet", "sheet_kind", "excel_row", "column", "cell", "value",
                 "message", "message_vi"],
}

# Rank within a district and month: the latest version, then the latest arrival,
# then (files first seen in the same run) the later modification time.
REFRESH_STATUS_SQL = """
update raw.submissions as s
set status = case when ranked.rank = 1 then s.outcome else 'superseded' end
from (
    select submission_id,
           row_number() over (
               partition by district_code, period
               order by version desc, received_at desc, file_mtime desc, submission_id desc
           ) as rank
    from raw.submissions
    where outcome in ('accepted', 'accepted_with_errors')
) as ranked
where s.submission_id = ranked.submission_id
"""


def internal_path(warehouse_dir: Path) -> Path:
    return warehouse_dir / "internal" / "warehouse.duckdb"


def connect(warehouse_dir: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the internal warehouse; its folder is owner-only (it holds personal data)."""
    path = internal_path(warehouse_dir)
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    con = duckdb.connect(str(path))
    os.chmod(path, 0o600)
    con.execute(RAW_SCHEMA_SQL)
    return con


def known_files(con) -> tuple[dict[tuple[str, int, str], str], set[tuple[str, str]], set[str]]:
    """(name, size, mtime) -> sha; (name, sha) pairs seen; every sha processed (not as a duplicate).

    A duplicate's sha does not count as processed: duplicates are committed before the batch
    holding their original, so after a crash in between the original must still be parsed.
    """
    rows = con.execute("select file_name, file_size, strftime(file_mtime, '%Y-%m-%dT%H:%M:%S.%f'), file_sha256, "
                       "outcome from raw.submissions").fetchall()
    stat_index = {(name, size, mtime): sha for name, size, mtime, sha, _ in rows}
    pairs = {(name, sha) for name, _, _, sha, _ in rows}
    return stat_index, pairs, {sha for *_, sha, outcome in rows if outcome != "duplicate"}


def write_batch(con, ledger: list[dict], tables: dict[str, pd.DataFrame]) -> None:
    """Ledger entries and their rows in one transaction, then statuses recomputed."""
    import pandas as pd   # lazily: the nothing-new check must stay cheap
    con.execute("begin transaction")
    try:
        for name, frame in tables.items():
            if frame is None or frame.empty:
                continue
            columns = TABLE_COLUMNS[name]
            frame = frame[columns]
            quoted = ", ".join(f'"{c}"' for c in columns)
            con.register("batch_frame", frame)
            con.execute(f"insert into raw.{name} ({quoted}) select {quoted} from batch_frame")
            con.unregister("batch_frame")
        if ledger:
            frame = pd.DataFrame(ledger, columns=LEDGER_COLUMNS)
            con.register("batch_ledger", frame)
            con.execute(f"insert into raw.submissions ({', '.join(LEDGER_COLUMNS)}) "
                        f"select {', '.join(LEDGER_COLUMNS)} from batch_ledger")
            con.unregister("batch_ledger")
        con.execute(REFRESH_STATUS_SQL)
        con.execute(
            "insert or replace into raw.load_state values ('ledger_version', "
            "cast(coalesce((select cast(value as bigint) from raw.load_state where key = 'ledger_version'), 0) + 1 as varchar))"
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def get_state(con, key: str) -> str | None:
    row = con.execute("select value from raw.load_state where key = ?", [key]).fetchone()
    return row[0] if row else None


def set_state(con, key: str, value: str) -> None:
    con.execute("insert or replace into raw.load_state values (?, ?)", [key, value])
