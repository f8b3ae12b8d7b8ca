"""What BI clients see of a published bi.duckdb: an older DuckDB (1.1.3, in the cached venv
.venv-duckdb11 that scripts/test makes, or the first test needing it) and SQLAlchemy + duckdb-engine
(the README's recipe)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
OLD_DUCKDB = REPO / ".venv-duckdb11" / "bin" / "python"
OLD_VERSION = "1.1.3"

# run by the old DuckDB: every table's row count and a digest of its rows as Python values
READ_ALL = r"""
import hashlib, json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
tables = con.execute("select table_schema, table_name from information_schema.tables "
                     "where table_type = 'BASE TABLE' order by 1, 2").fetchall()
out = {}
for schema, table in tables:
    rows = con.execute(f'select * from {schema}."{table}" order by all').fetchall()
    out[f"{schema}.{table}"] = [len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()]
print(json.dumps({"version": duckdb.__version__, "tables": out}))
"""


def _read_all(python: str, path: Path) -> dict:
    done = subprocess.run([python, "-c", READ_ALL, str(path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def read_all_here(path: Path) -> dict:
    """The same read with the project's DuckDB."""
    return _read_all(sys.executable, path)


def old_duckdb() -> str:
    """The Python of .venv-duckdb11, made when missing as scripts/test makes it (a venv and a pip
    install, ~20 s; the slow tier only), under a lock: two test workers may ask at once."""
    from filelock import FileLock

    if OLD_DUCKDB.exists():
        return str(OLD_DUCKDB)
    venv = OLD_DUCKDB.parent.parent
    with FileLock(str(REPO / ".venv-duckdb11.lock")):
        if not OLD_DUCKDB.exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, timeout=300)
            done = subprocess.run([str(OLD_DUCKDB), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                                   f"duckdb=={OLD_VERSION}"], capture_output=True, text=True, timeout=600)
            assert done.returncode == 0, f"could not make {venv}: {done.stderr[-2000:]}"
    return str(OLD_DUCKDB)


def read_all_old(path: Path) -> dict:
    return _read_all(old_duckdb(), path)


def catalog(path: Path) -> dict[tuple[str, str], list[str]]:
    """(schema, table) -> column names in order, as the current DuckDB reads the file."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("select table_schema, table_name, column_name from information_schema.columns "
                           "where table_schema in ('marts', 'audit') order by 1, 2, ordinal_position").fetchall()
    finally:
        con.close()
    out: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in rows:
        out.setdefault((schema, table), []).append(column)
    return out


def reflect(path: Path) -> tuple[dict[tuple[str, str], list[str]], list[str], dict]:
    """What SQLAlchemy + duckdb-engine reflect (the README's pandas/Superset recipe): tables and
    columns of marts and audit, the schema names, and one mart read with pandas."""
    import pandas as pd
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    engine = sa.create_engine(f"duckdb:///{path}?access_mode=read_only", poolclass=NullPool)
    try:
        inspector = sa.inspect(engine)
        schemas = inspector.get_schema_names()
        found = {}
        for schema in ("marts", "audit"):
            for table in inspector.get_table_names(schema=schema):
                columns = inspector.get_columns(table, schema=schema)
                for column in columns:
                    assert not isinstance(column["type"], sa.types.NullType), (schema, table, column)
                found[(schema, table)] = [c["name"] for c in columns]
        frame = pd.read_sql("select review_year, poverty_rate_pct from marts.agg_poverty_province_year "
                            "order by review_year", engine)
    finally:
        engine.dispose()
    return found, schemas, dict(zip(frame["review_year"], frame["poverty_rate_pct"]))


# run by the old DuckDB too: the row count of every Parquet copy (<schema>.<table>.parquet)
PARQUET_COUNTS = r"""
import glob, json, os, sys, duckdb
out = {os.path.basename(p)[:-len(".parquet")]: duckdb.sql(f"select count(*) from read_parquet('{p}')").fetchall()[0][0]
       for p in sorted(glob.glob(os.path.join(sys.argv[1], "*.parquet")))}
print(json.dumps({"version": duckdb.__version__, "tables": out}))
"""


def parquet_counts(folder: Path, old: bool = False) -> dict:
    python = old_duckdb() if old else sys.executable
    done = subprocess.run([python, "-c", PARQUET_COUNTS, str(folder)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)
