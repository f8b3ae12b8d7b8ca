"""The first rows a query selects, as a markdown table for the Dagster UI (a failed test's failing rows),
with the personal columns left out: household heads' names and ID numbers never leave the raw layer."""
from __future__ import annotations

from pathlib import Path

from pipeline.warehouse import store
from pipeline.warehouse.publish import PERSONAL_COLUMNS


def first_rows(con, sql: str, limit: int) -> tuple[list[str], list[tuple], int]:
    """(columns without personal ones, the first `limit` rows, how many rows the query selects)."""
    cursor = con.execute(f"select * from ({sql}) as selected limit {int(limit)}")
    names = [d[0] for d in cursor.description]
    keep = [i for i, name in enumerate(names) if name.lower() not in PERSONAL_COLUMNS]
    rows = [tuple(row[i] for i in keep) for row in cursor.fetchall()]
    total = con.execute(f"select count(*) from ({sql}) as selected").fetchone()[0]
    return [names[i] for i in keep], rows, total


def first_rows_markdown(warehouse_dir: Path, sql: str, limit: int) -> str | None:
    """The first rows of `sql` on the internal DuckDB warehouse as markdown; None when it cannot run
    (the caller holds the write lock, and dbt has closed the file)."""
    from pipeline.defs.reporting import md_table

    try:
        con = store.connect(warehouse_dir, read_only=True)
    except Exception:   # e.g. the file is not there (a test build elsewhere): the count is still shown
        return None
    try:
        columns, rows, total = first_rows(con, sql, limit)
    except Exception as error:   # a test whose SQL does not run outside dbt: say so instead of rows
        return f"(failing rows not read: {type(error).__name__}: {str(error).splitlines()[0]})"
    finally:
        con.close()
    return md_table(columns, rows, total=total)
