"""The same pipeline on a PostgreSQL warehouse (PIPELINE_WAREHOUSE_URL / --warehouse-url), on the
throwaway cluster of tests/pg.py: the demo load gives marts (the reporting layer too) identical row
for row to the DuckDB target's; the report (HTML and PDF) renders from the PostgreSQL warehouse's
rpt_ tables with the DuckDB target's figures; a second load changes nothing; a load SIGKILLed
mid-ingest and again mid-dbt, then finished, equals the clean load; the BI role reads marts and
audit and nothing else."""
from __future__ import annotations

import decimal
import time
from pathlib import Path

import duckdb
import pytest

from runner import REPO, run_load
from test_crash_safety import Load

pytestmark = pytest.mark.slow   # real CLI loads: the full tier only

SOURCES = REPO / "sources"
BI_PASSWORD = "bi-reader-pw"
DEMO_FILES = sum(1 for _ in SOURCES.rglob("*.xlsx"))   # one ledger entry (audit.submissions row) each
# when a file was first seen, by which run, when the newest one was, when a publish happened: differ between loads
VOLATILE = {"received_at", "run_id", "loaded_at", "published_at", "first_published_at", "previous_published_at",
            "revised_at"}


def _value(v):
    return v.normalize() if isinstance(v, decimal.Decimal) else v


def _sorted_rows(rows) -> list[tuple]:
    rows = [tuple(_value(v) for v in row) for row in rows]
    return sorted(rows, key=lambda row: tuple((v is None, type(v).__name__, str(v)) for v in row))


def snapshot(con, schemas=("marts", "audit")) -> dict[str, list]:
    """Every table of these schemas, rows sorted, without the volatile columns (any engine)."""
    tables = con.execute("select table_schema, table_name from information_schema.tables "
                         "where table_schema = any(?) and table_type = 'BASE TABLE' order by 1, 2",
                         [list(schemas)]).fetchall()
    out = {}
    for schema, table in tables:
        columns = [c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
            "order by ordinal_position", [schema, table]).fetchall() if c not in VOLATILE]
        quoted = ", ".join(f'"{c}"' for c in columns)
        out[f"{schema}.{table}"] = (columns, _sorted_rows(con.execute(f'select {quoted} from {schema}."{table}"')
                                                          .fetchall()))
    return out


def pg_snapshot(url: str) -> dict[str, list]:
    from pipeline.warehouse.pg import PgConnection

    con = PgConnection(url)
    try:
        return snapshot(con)
    finally:
        con.close()


def pg_load(sources, warehouse, url, *extra):
    return run_load(sources, warehouse, "--warehouse-url", url, *extra)


@pytest.fixture(scope="module")
def bi_role(pg_cluster):
    exists = pg_cluster.execute("select count(*) from pg_roles where rolname = 'bi_reader'")[0][0]
    if not exists:
        pg_cluster.execute(f"create role bi_reader login password '{BI_PASSWORD}'")
    return "bi_reader"


@pytest.fixture(scope="module")
def duckdb_demo(demo_load):
    """The DuckDB target's marts: the session's shared demo load (conftest.demo_load)."""
    warehouse, _ = demo_load
    con = duckdb.connect(str(warehouse / "bi.duckdb"), read_only=True)
    try:
        return snapshot(con)
    finally:
        con.close()


@pytest.fixture(scope="module")
def pg_demo(tmp_path_factory, pg_cluster, bi_role):
    url = pg_cluster.create_database("demo_clean")
    warehouse = tmp_path_factory.mktemp("pg_demo") / "warehouse"
    result = pg_load(SOURCES, warehouse, url)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "published warehouse: postgresql://postgres@127.0.0.1" in result.stdout
    assert not (warehouse / "internal" / "warehouse.duckdb").exists()   # nothing went to DuckDB
    return {"url": url, "warehouse": warehouse, "snapshot": pg_snapshot(url), "stdout": result.stdout}


def test_demo_marts_identical_to_duckdb_target(pg_demo, duckdb_demo):
    pg = pg_demo["snapshot"]
    assert sorted(pg) == sorted(duckdb_demo)
    assert len([t for t in pg if t.startswith("marts.")]) >= 7
    for table, (columns, rows) in duckdb_demo.items():
        assert pg[table][0] == columns, f"{table}: columns differ"
        assert len(pg[table][1]) == len(rows), f"{table}: {len(pg[table][1])} rows on PostgreSQL, {len(rows)} on DuckDB"
        assert pg[table][1] == rows, f"{table}: rows differ"
    assert len(pg["marts.fct_houses"][1]) > 1000 and len(pg["audit.submissions"][1]) == DEMO_FILES


def test_the_load_prints_the_same_figures_on_both_targets(pg_demo, demo_load):
    def figures(stdout: str) -> list[str]:
        return [line for line in stdout.splitlines() if line.startswith(("  houses ", "  poverty "))]

    # 2020–2024, 2020–2025, by year, started, poverty rates, poverty standards with the average change
    assert len(figures(demo_load[1].stdout)) == 6
    assert figures(pg_demo["stdout"]) == figures(demo_load[1].stdout)


def test_the_report_renders_from_postgresql(pg_demo, demo_load, tmp_path):
    """The load's report asset on PostgreSQL: HTML and PDF from the marts schema's rpt_ tables, every
    figure as the DuckDB target's report has it; `python -m pipeline report --warehouse-url` too."""
    import subprocess
    import sys

    from report_checks import island

    def figures(html: Path) -> dict:
        found = island(html.read_text(encoding="utf-8"))
        for volatile in ("generated_at", "source"):
            found.pop(volatile)
        found["period"].pop("loaded_at")
        return found

    report = pg_demo["warehouse"] / "report"
    assert f"  report: {report / 'index.html'}" in pg_demo["stdout"]
    assert f"  report PDF: {report / 'report.pdf'}" in pg_demo["stdout"]
    assert (report / "report.pdf").read_bytes()[:5] == b"%PDF-"
    on_duckdb = figures(demo_load[0] / "report" / "index.html")
    assert figures(report / "index.html") == on_duckdb
    assert "<code>PostgreSQL</code>" in (report / "index.html").read_text(encoding="utf-8")
    assert on_duckdb["headline"]["programme"]["houses_completed"]["houses"] == 9317

    done = subprocess.run([sys.executable, "-m", "pipeline", "report", "--warehouse", str(tmp_path), "--warehouse-url",
                           pg_demo["url"], "--no-pdf"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert figures(tmp_path / "report" / "index.html") == on_duckdb
    assert "data dictionary: not written" in done.stdout


def _published_oids(url: str) -> list:
    from pipeline.warehouse.pg import PgConnection

    con = PgConnection(url)
    try:
        return con.execute("select nspname, oid from pg_namespace where nspname in ('marts', 'audit') "
                           "order by 1").fetchall() + con.execute(
            "select value from raw.load_state order by key").fetchall()
    finally:
        con.close()


def test_second_load_changes_nothing(pg_demo):
    before = _published_oids(pg_demo["url"])
    again = pg_load(SOURCES, pg_demo["warehouse"], pg_demo["url"])
    assert again.returncode == 0, again.stderr[-3000:]
    assert "nothing to do" in again.stderr
    assert "this run: 0 new ledger entries" in again.stdout
    assert _published_oids(pg_demo["url"]) == before   # no swap, no new ledger version
    assert pg_snapshot(pg_demo["url"]) == pg_demo["snapshot"]


def test_bi_role_reads_marts_and_audit_only(pg_cluster, pg_demo, bi_role):
    import psycopg2

    database = pg_demo["url"].rsplit("/", 1)[1]
    con = pg_cluster.connect(database, user=bi_role, password=BI_PASSWORD)
    try:
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute("select count(*) from marts.fct_houses")
            assert cur.fetchone()[0] > 1000
            cur.execute("select count(*) from audit.submissions")
            assert cur.fetchone()[0] == DEMO_FILES
            for private in ("raw.houses", "raw.submissions", "staging.stg_houses", "intermediate.int_house_cases_current"):
                with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                    cur.execute(f"select household_id from {private} limit 1" if "houses" in private
                                else f"select 1 from {private} limit 1")
    finally:
        con.close()
    personal = pg_cluster.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema in ('marts', 'audit') and column_name in ('household_head', 'national_id', 'prepared_by')",
        database=database)
    assert personal == []
    # nothing else for the role: no schema but marts and audit, no build leftovers
    granted = pg_cluster.execute(
        "select nspname from pg_namespace where has_schema_privilege(%s, oid, 'USAGE') "
        "and nspname not like 'pg\\_%%' and nspname <> 'information_schema' order by 1",
        database=database, params=[bi_role])
    assert granted == [("audit",), ("marts",), ("public",)]
    leftovers = pg_cluster.execute("select nspname from pg_namespace where nspname like '%\\_\\_build' "
                                   "or nspname like '%\\_\\_old'", database=database)
    assert leftovers == []


def test_kill_during_load_then_reload_equals_clean_run(pg_cluster, pg_demo, tmp_path):
    url = pg_cluster.create_database("demo_killed")
    warehouse = tmp_path / "warehouse"

    def ledger_rows() -> int:
        try:
            return pg_cluster.execute("select count(*) from raw.submissions", database="demo_killed")[0][0]
        except Exception:   # the table is not there yet
            return 0

    # killed mid-ingest, right after the first batch committed (one transaction per batch)
    load = Load(SOURCES, warehouse, "--warehouse-url", url)
    load.wait_for(lambda: ledger_rows() > 1, "the first batch to commit")
    load.kill()
    committed = ledger_rows()
    assert 0 < committed < DEMO_FILES, committed
    assert not load.saw("Running dbt command")

    # killed during dbt build: nothing published yet
    load = Load(SOURCES, warehouse, "--warehouse-url", url)
    load.wait_for(lambda: load.saw("Running dbt command"), "dbt to start")
    time.sleep(2.0)
    assert not load.saw("bi_warehouse: published")
    load.kill()
    assert pg_cluster.execute("select count(*) from pg_namespace where nspname in ('marts', 'audit')",
                              database="demo_killed") == [(0,)]

    final = pg_load(SOURCES, warehouse, url)
    assert final.returncode == 0, final.stderr[-3000:]
    assert pg_snapshot(url) == pg_demo["snapshot"]


def test_monthly_templates_read_the_same_open_cases_from_postgresql(pg_demo, demo_load):
    """The templates' pre-filled cases (pipeline/templates/cases.py) from the marts schema on
    PostgreSQL equal those from the DuckDB target's bi.duckdb, district era and commune era."""
    import datetime as dt

    from pipeline.templates.cases import open_cases
    from pipeline.templates.units import units_in_force

    prefilled = 0
    for period in (dt.date(2025, 6, 1), dt.date(2026, 10, 1)):   # the last district month, the demo's last
        units = units_in_force(period)
        on_duckdb = open_cases(demo_load[0], period, units)
        on_postgres = open_cases(pg_demo["warehouse"], period, units, url=pg_demo["url"])
        assert on_postgres == on_duckdb, period
        prefilled += sum(len(cases) for cases in on_duckdb[0].values())
    assert prefilled > 0   # (June 2025: none; its districts' cases have been reported by communes since)
