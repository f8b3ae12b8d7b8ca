"""Publish on PostgreSQL: what dbt just built and tested becomes what BI reads, all at once.

BI users query the database itself, so there is no copy to rename into place as with
bi.duckdb. Instead dbt builds marts and audit as marts__build and audit__build
(macros/generate_schema_name.sql) and this swaps them in, in ONE transaction: a reader sees
the previous complete build or the new one, never half. The BI role (`bi_reader` unless
PIPELINE_BI_ROLE says otherwise) gets USAGE and SELECT on marts and audit only, when the role
exists: never raw, staging or intermediate, which hold personal data.
"""
from __future__ import annotations

import os

from pipeline.warehouse.publish import PERSONAL_COLUMNS, PUBLISHED_SCHEMAS

BUILD_SUFFIX = "__build"   # what dbt writes (generate_schema_name on the postgres target)
OLD_SUFFIX = "__old"


def bi_role() -> str:
    return os.environ.get("PIPELINE_BI_ROLE") or "bi_reader"


def _schema_exists(con, schema: str) -> bool:
    return con.execute("select count(*) from pg_namespace where nspname = ?", [schema]).fetchone()[0] > 0


def built_schema(con, schema: str) -> str:
    """Where dbt's latest build of a published schema is now: its build schema until publish swaps it in."""
    return f"{schema}{BUILD_SUFFIX}" if _schema_exists(con, f"{schema}{BUILD_SUFFIX}") else schema


def published_exists(con) -> bool:
    return all(_schema_exists(con, schema) for schema in PUBLISHED_SCHEMAS)


def _check_build(con) -> list[str]:
    """The built tables (schema.table as they will be published); refuses personal columns."""
    built = [f"{schema}{BUILD_SUFFIX}" for schema in PUBLISHED_SCHEMAS]
    missing = [schema for schema in built if not _schema_exists(con, schema)]
    if missing:
        raise RuntimeError(f"nothing to publish: {', '.join(missing)} not built (dbt build first)")
    personal = con.execute(
        "select table_schema || '.' || table_name || '.' || column_name from information_schema.columns "
        "where table_schema = any(?) and column_name = any(?)", [built, sorted(PERSONAL_COLUMNS)]).fetchall()
    if personal:
        raise RuntimeError(f"refusing to publish personal data columns: {[p[0] for p in personal]}")
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema = any(?) and table_type = 'BASE TABLE' order by 1, 2", [built]).fetchall()
    return [f"{schema.removesuffix(BUILD_SUFFIX)}.{table}" for schema, table in tables]


def publish(con, role: str | None = None) -> tuple[list[str], str | None]:
    """Swap the built schemas in and grant the BI role; (published tables, role granted or None)."""
    role = role or bi_role()
    tables = _check_build(con)
    role_exists = con.execute("select count(*) from pg_roles where rolname = ?", [role]).fetchone()[0] > 0
    con.execute("begin transaction")
    try:
        for schema in PUBLISHED_SCHEMAS:
            old = f'"{schema}{OLD_SUFFIX}"'
            con.execute(f"drop schema if exists {old} cascade")
            if _schema_exists(con, schema):
                con.execute(f'alter schema "{schema}" rename to {old}')
            con.execute(f'alter schema "{schema}{BUILD_SUFFIX}" rename to "{schema}"')
            if role_exists:
                con.execute(f'grant usage on schema "{schema}" to "{role}"')
                con.execute(f'grant select on all tables in schema "{schema}" to "{role}"')
            con.execute(f"drop schema if exists {old} cascade")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return tables, role if role_exists else None
