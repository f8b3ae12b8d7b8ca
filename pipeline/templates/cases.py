"""The open house cases a template is pre-filled with, read from the warehouse's marts.

A case is open when its current state (marts.fct_houses: the latest accepted, not superseded
submission that reported it) is not `completed`. Only states reported before the template's
month count: the template is the form for that month. No personal column is ever read here
(fct_houses has none; the query names its columns: the form's houses columns a template
pre-fills, by their raw names, where fct_houses carries them).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from pipeline import form
from pipeline.templates.units import DISTRICT, ReportingUnit
from pipeline.warehouse import store


class NoWarehouse(Exception):
    """No warehouse with marts at the given folder (nothing to pre-fill from)."""


def case_columns(available: set[str]) -> list[str]:
    """The raw names of the houses columns a template pre-fills that fct_houses carries (never a personal one;
    the commune's name comes from the list in force, not from the case)."""
    return [c.raw_column for c in form.HOUSES.columns
            if c.template and c.template.prefill and not c.personal and c.value_type != "ignore"
            and c.key != "commune_name" and c.raw_column in available]


def warehouse_database(warehouse_dir: Path) -> Path:
    """The published bi.duckdb when there is one, else the working (internal) warehouse."""
    for path in (store.bi_path(warehouse_dir), store.internal_path(warehouse_dir)):
        if path.exists():
            return path
    raise NoWarehouse(f"no warehouse at {warehouse_dir} (neither {store.bi_path(warehouse_dir).name} nor "
                      f"internal/{store.internal_path(warehouse_dir).name}): run `python -m pipeline load` first "
                      "or give --warehouse")


def open_cases(warehouse_dir: Path, period: dt.date, units: list[ReportingUnit], url: str | None = None
               ) -> tuple[dict[str, list[dict]], dict[str, int]]:
    """(unit code -> its open cases as of its latest accepted submission before `period`,
    unit code -> cases known before `period` whose current state was reported in or after it).

    The marts keep each case's current state only: for a month long past, a case reported again
    since cannot be shown as it stood then, so it is left out and counted (the caller warns).
    With a warehouse URL: the marts schema of that PostgreSQL database (the same SQL)."""
    if url:
        from pipeline.warehouse.pg import display_url

        path, con = display_url(url), store.connect(warehouse_dir, read_only=True, url=url)
    else:
        path = warehouse_database(warehouse_dir)
        con = duckdb.connect(str(path), read_only=True)
    try:
        columns = {name for (name,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'fct_houses'").fetchall()}
        if not columns:
            raise NoWarehouse(f"{path} has no marts.fct_houses: the load has not built the marts yet")
        cases = {unit.code: _unit_cases(con, unit, period, columns) for unit in units}
        later = {unit.code: _reported_since(con, unit, period, columns) for unit in units}
        return cases, later
    finally:
        con.close()


def _unit_filter(unit: ReportingUnit, columns: set[str]) -> str:
    if unit.unit_type == DISTRICT:
        return "district_code = ?"
    if "commune_2025_code" in columns:   # cases keyed by today's commune (the 2025 reform's marts)
        return "commune_2025_code = ?"
    return "commune_code = ? and reported_period >= date '2025-07-01'"   # marts before the reform


def _unit_cases(con, unit: ReportingUnit, period: dt.date, columns: set[str]) -> list[dict]:
    """{raw column: value} of each open case of the unit."""
    selected = case_columns(columns)
    rows = con.execute(
        f"select {', '.join(selected)} from marts.fct_houses "
        f"where {_unit_filter(unit, columns)} and reported_period < ? and status <> 'completed' "
        "order by commune_code, household_id", [unit.code, period]).fetchall()
    return [dict(zip(selected, row)) for row in rows]


def _reported_since(con, unit: ReportingUnit, period: dt.date, columns: set[str]) -> int:
    if "first_reported_period" not in columns:
        return 0
    return con.execute(
        f"select count(*) from marts.fct_houses where {_unit_filter(unit, columns)} "
        "and first_reported_period < ? and reported_period >= ?", [unit.code, period, period]).fetchone()[0]
