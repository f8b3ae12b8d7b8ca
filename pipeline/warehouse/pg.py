"""The internal warehouse on PostgreSQL (PIPELINE_WAREHOUSE_URL / --warehouse-url).

A connection shaped like DuckDB's where the pipeline uses it (`execute(sql, params)` returning
something with fetchone/fetchall, explicit `begin`/`commit`), so the ledger code is one; the
raw layer's rows go in by bulk COPY. psycopg2 is what dbt-postgres and dagster-postgres use.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import unquote, urlsplit

INTEGER_TYPES = {"INTEGER", "BIGINT", "SMALLINT"}


def is_postgres_url(url: str | None) -> bool:
    return bool(url) and url.split("://", 1)[0] in ("postgresql", "postgres")


def url_parts(url: str) -> dict[str, str]:
    """host, port, user, password, dbname of a postgresql:// URL (for dbt's profile)."""
    parts = urlsplit(url)
    return {"host": parts.hostname or "localhost", "port": str(parts.port or 5432),
            "user": unquote(parts.username or ""), "password": unquote(parts.password or ""),
            "dbname": unquote(parts.path.lstrip("/")) or unquote(parts.username or "")}


def display_url(url: str) -> str:
    """The URL without its password, for messages and metadata."""
    p = url_parts(url)
    return f"postgresql://{p['user']}@{p['host']}:{p['port']}/{p['dbname']}"


class PgConnection:
    """Autocommit, so transactions are the explicit `begin transaction` ... `commit` the ledger
    code already issues on DuckDB; `?` placeholders become psycopg2's `%s`."""

    def __init__(self, url: str) -> None:
        import psycopg2

        self._con = psycopg2.connect(url, application_name="son-la-pipeline")
        self._con.autocommit = True

    def execute(self, sql: str, params=None):
        cursor = self._con.cursor()
        if params is not None:
            sql = sql.replace("%", "%%").replace("?", "%s")
        cursor.execute(sql, params)
        return cursor

    def executemany(self, sql: str, rows) -> None:
        with self._con.cursor() as cursor:
            cursor.executemany(sql.replace("%", "%%").replace("?", "%s"), rows)

    def copy_rows(self, table: str, columns: list[str], types: list[str], rows) -> None:
        """Bulk COPY of rows (tuples in `columns` order) into raw.<table>, inside the caller's transaction."""
        self._copy(f"raw.{table}", columns, types, rows)

    def register(self, name: str, frame) -> None:
        """What DuckDB's register() gives SQL: the DataFrame as a table `name` (here a temporary
        table of this session, filled by COPY), until unregister()."""
        types = [_pg_type(frame[column].dtype) for column in frame.columns]
        self.execute(f'drop table if exists "{name}"')
        self.execute(f'create temp table "{name}" ('
                     + ", ".join(f'"{column}" {kind}' for column, kind in zip(frame.columns, types)) + ")")
        self._copy(f'"{name}"', list(frame.columns), types, frame.itertuples(index=False, name=None))

    def unregister(self, name: str) -> None:
        self.execute(f'drop table if exists "{name}"')

    def _copy(self, table: str, columns: list[str], types: list[str], rows) -> None:
        import io

        buffer = io.StringIO()
        for row in rows:
            buffer.write(",".join(_csv_cell(value, kind) for value, kind in zip(row, types)))
            buffer.write("\n")
        buffer.seek(0)
        quoted = ", ".join(f'"{c}"' for c in columns)
        with self._con.cursor() as cursor:
            cursor.copy_expert(f"copy {table} ({quoted}) from stdin with (format csv)", buffer)

    def close(self) -> None:
        self._con.close()


def _pg_type(dtype) -> str:
    """A column type for a registered DataFrame's dtype (text unless clearly something else)."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(dtype):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(dtype):
        return "BIGINT"
    if pd.api.types.is_float_dtype(dtype):
        return "DOUBLE PRECISION"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "TIMESTAMP"
    return "TEXT"


def _csv_cell(value, kind: str) -> str:
    """One CSV field: an unquoted empty field is NULL, anything else is quoted (so '' stays '')."""
    import pandas as pd

    if value is None or pd.isna(value):   # None, NaN, NaT, pd.NA
        return ""
    if isinstance(value, (dt.datetime, dt.date)):   # pandas Timestamps too
        return '"' + value.isoformat() + '"'
    if hasattr(value, "item") and not isinstance(value, str):   # numpy scalars
        value = value.item()
    if isinstance(value, float) and kind in INTEGER_TYPES:
        value = int(value)   # pandas keeps an integer column with gaps as float
    return '"' + str(value).replace('"', '""') + '"'
