"""The whole path on workbooks written by the test: ledger statuses, mart figures, no personal data."""
import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from runner import query, run_load
from workbooks import grant, house, poverty, submission

pytestmark = pytest.mark.slow   # real CLI loads: the full tier only

HEADS = ["Lò Văn Mười", "Cà Thị Hoa", "Quàng Văn Bảy"]
IDS = ["014099123456", "014099654321", "014099111222"]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    sources, warehouse = root / "sources", root / "warehouse"
    # district 116, March 2025: version 1, then version 2 which supersedes it
    submission(sources / "a" / "v1.xlsx", period="03/2025", version=1,
               houses=[house("H1", head=HEADS[0], national_id=IDS[0], central=10_000_000, local=0, social=0)])
    submission(sources / "b" / "v2.xlsx", period="T3/2025", version=2,
               houses=[house("H1", head=HEADS[0], national_id=IDS[0]),
                       house("H2", head=HEADS[1], national_id=IDS[1], support="Sửa chữa", central=30_000_000,
                             local=0, social=0, status="Đang thi công", done=None, no=2)],
               grants=[grant(amount=1_250_000), grant(programme="Hỗ trợ học sinh", beneficiaries=3,
                                                      amount=900_000, no=2)])
    # district 118, January 2025: poverty review 2024, one broken row
    submission(sources / "c" / "poverty.xlsx", district="118", period="01/2025",
               poverty_rows=[poverty("03682", "Xã Mường Chiên", total=1000, poor=120, near_poor=30, ethnic=100, rate=12.0),
                             poverty("03688", "Xã Chiềng Khay", total=500, poor=30, near_poor=20, ethnic=10, rate=6.0, no=2),
                             poverty("03694", "Xã Mường Giôn", total=100, poor=90, near_poor=20, ethnic=10, rate=None, no=3)],
               houses=[house("Q1", commune="03682", name="Xã Mường Chiên", head=HEADS[2], national_id=IDS[2], done=dt.date(2025, 1, 20))])
    shutil.copy(sources / "b" / "v2.xlsx", sources / "copy_of_v2.xlsx")   # same bytes: duplicate
    first = run_load(sources, warehouse)
    assert first.returncode == 0, first.stderr[-3000:]
    snapshot = {t: query(warehouse, f"select * from {t} order by all")
                for t in ["marts.fct_houses", "marts.fct_grants", "marts.fct_poverty_rates",
                          "marts.agg_poverty_province_year"]}
    ledger_before = query(warehouse, "select submission_id, status from audit.submissions order by 1")
    second = run_load(sources, warehouse)
    return {"sources": sources, "warehouse": warehouse, "first": first, "second": second,
            "snapshot": snapshot, "ledger_before": ledger_before}


def test_ledger_statuses(loaded):
    rows = dict(query(loaded["warehouse"], "select file_name, status from audit.submissions"))
    assert rows == {"a/v1.xlsx": "superseded", "b/v2.xlsx": "accepted",
                    "c/poverty.xlsx": "accepted_with_errors", "copy_of_v2.xlsx": "duplicate"}
    counts = query(loaded["warehouse"], "select rows_read, rows_loaded, rows_rejected, rows_skipped "
                                        "from audit.submissions where file_name = 'c/poverty.xlsx'")
    assert counts == [(4, 3, 1, 0)]


def test_rejected_row_is_kept_with_reason(loaded):
    rows = query(loaded["warehouse"], 'select sheet, excel_row, "column", value, reason from audit.rejected_rows')
    assert rows == [("Hộ nghèo", 4, "Số hộ cận nghèo", "20",
                     "poor + near-poor households exceed total households")]


def test_mart_figures(loaded):
    houses = query(loaded["warehouse"], "select household_id, status, total_vnd, reported_period, district_code "
                                        "from marts.fct_houses order by 1")
    assert houses == [("H1", "completed", 60_000_000, dt.date(2025, 3, 1), "116"),
                      ("H2", "in_progress", 30_000_000, dt.date(2025, 3, 1), "116"),
                      ("Q1", "completed", 60_000_000, dt.date(2025, 1, 1), "118")]
    grants = query(loaded["warehouse"], "select programme, funding_source, beneficiaries, amount_vnd, period "
                                        "from marts.fct_grants order by 1")
    assert grants == [("medical", "central", 10, 1_250_000, dt.date(2025, 3, 1)),
                      ("students", "central", 3, 900_000, dt.date(2025, 3, 1))]
    province = query(loaded["warehouse"], "select review_year, total_households, poor_households, "
                                          "poverty_rate_pct, communes_reported, communes_total "
                                          "from marts.agg_poverty_province_year")
    assert [(y, t, p, float(r), c, n) for y, t, p, r, c, n in province] == [(2024, 1500, 150, 10.0, 2, 204)]


def test_second_run_changes_nothing(loaded):
    assert loaded["second"].returncode == 0, loaded["second"].stderr[-3000:]
    assert "0 new ledger entries" in loaded["second"].stdout or "already loaded" in loaded["second"].stderr
    assert query(loaded["warehouse"], "select submission_id, status from audit.submissions order by 1") == \
        loaded["ledger_before"]
    for table, rows in loaded["snapshot"].items():
        assert query(loaded["warehouse"], f"select * from {table} order by all") == rows


def test_summary_printed(loaded):
    out = loaded["first"].stdout
    assert "accepted 1" in out and "accepted_with_errors 1" in out and "duplicate 1" in out
    assert "superseded 1" in out and str(loaded["warehouse"] / "bi.duckdb") in out


def test_no_personal_data_published(loaded):
    warehouse = loaded["warehouse"]
    con = duckdb.connect(str(warehouse / "bi.duckdb"), read_only=True)
    try:
        schemas = {s for (s,) in con.execute("select distinct table_schema from information_schema.tables").fetchall()}
        assert schemas == {"marts", "audit"}
        text_columns = con.execute("select table_schema, table_name, column_name from information_schema.columns "
                                   "where data_type = 'VARCHAR'").fetchall()
        for schema, table, column in text_columns:
            values = {v for (v,) in con.execute(f'select distinct "{column}" from {schema}."{table}"').fetchall()}
            for secret in HEADS + IDS:
                assert not any(secret in (v or "") for v in values), (schema, table, column, secret)
    finally:
        con.close()
    for parquet in (warehouse / "parquet").glob("*.parquet"):
        content = duckdb.sql(f"select * from '{parquet}'").fetchall()
        flat = repr(content)
        assert not any(secret in flat for secret in HEADS + IDS), parquet.name
    assert {"marts.fct_houses.parquet", "audit.submissions.parquet"} <= {p.name for p in (warehouse / "parquet").glob("*.parquet")}


def test_strict_exit_code(loaded, tmp_path):
    # this run rejected a row -> 1; a later run with nothing new -> 0
    warehouse = tmp_path / "w"
    strict = run_load(loaded["sources"], warehouse, "--strict")
    assert strict.returncode == 1, strict.stderr[-2000:]
    again = run_load(loaded["sources"], warehouse, "--strict")
    assert again.returncode == 0, again.stderr[-2000:]


def test_bad_arguments_exit_2(tmp_path):
    result = run_load(tmp_path / "missing", tmp_path / "w")
    assert result.returncode == 2
    assert "does not exist" in result.stderr or "is not a folder" in result.stderr


def test_nothing_new_starts_neither_dagster_nor_dbt_nor_gx(loaded):
    import subprocess
    import sys

    from runner import REPO

    code = ("import sys; from pipeline.cli import main; "
            f"rc = main(['load', '--sources', {str(loaded['sources'])!r}, '--warehouse', {str(loaded['warehouse'])!r}]); "
            "print(rc, *(m in sys.modules for m in ('dagster', 'dagster_dbt', 'great_expectations', 'python_calamine')))")
    env = {k: v for k, v in __import__("os").environ.items() if k != "DAGSTER_HOME"}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "0 False False False False", out.stderr[-2000:]
    assert "nothing to do" in out.stderr


def test_dbt_working_files_stay_out_of_the_source_tree_and_do_not_grow(tmp_path):
    """Two loads that each run dbt: nothing is written into dbt_project/, and the warehouse keeps
    one folder of dbt artifacts and logs (the same files after the second load, not one per run)."""
    from runner import REPO

    before = {p.name for p in (REPO / "dbt_project").iterdir()}
    sources, warehouse = tmp_path / "sources", tmp_path / "warehouse"
    submission(sources / "a.xlsx", period="02/2025", grants=[grant()])
    assert run_load(sources, warehouse).returncode == 0
    work = warehouse / "internal" / "dbt"
    first = sorted(p.relative_to(work) for p in work.rglob("*") if p.is_file())
    submission(sources / "b.xlsx", period="03/2025", grants=[grant()])   # new data: dbt runs again
    second_run = run_load(sources, warehouse)
    assert second_run.returncode == 0 and re.search(r"^✓ transform +\d+ dbt nodes", second_run.stderr, re.M)
    second = sorted(p.relative_to(work) for p in work.rglob("*") if p.is_file())
    assert sorted(p.name for p in work.iterdir()) == ["logs", "target"]
    # the same files; a build of what changed only (the second) is not the compiled project any more: its
    # manifest loses the mark a full build leaves (transform.built_manifest), so the dictionary compiles
    assert set(first) - set(second) == {Path("target/.manifest.json.built-from")} and set(second) <= set(first)
    assert {p.name for p in (REPO / "dbt_project").iterdir()} == before
    assert not {"target", "logs"} & before


def test_the_rebuild_job_transforms_and_publishes_without_reading_workbooks_and_the_report_follows(tmp_path):
    """README "Re-running": the job rebuild runs dbt, publish and completeness, and never the ingest (a
    workbook added since is left for the next load); when it has succeeded, the sensor report_after_load
    asks for the report in a run of its own (job report), which writes the report of what it published."""
    import dagster as dg

    from pipeline.definitions import defs
    from pipeline.defs.automation import report_after_load
    from pipeline.defs.resources import WarehouseResource

    sources, warehouse = tmp_path / "sources", tmp_path / "warehouse"
    submission(sources / "a.xlsx", period="02/2025", grants=[grant()])
    assert run_load(sources, warehouse, "--no-report").returncode == 0
    assert not (warehouse / "report").exists()   # --no-report: the load ends when the warehouse is published
    published = (warehouse / "bi.duckdb").stat().st_mtime_ns
    submission(sources / "b.xlsx", period="03/2025", grants=[grant()])   # not read by a rebuild
    instance = dg.DagsterInstance.ephemeral()
    resources = {"warehouse": WarehouseResource(sources_dir=str(sources), warehouse_dir=str(warehouse))}
    result = defs.resolve_job_def("rebuild").execute_in_process(instance=instance, resources=resources)
    assert result.success
    steps = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"}
    # and the check on audit.outliers (the history merge's figures_near_history): a rebuild checks what it built
    assert steps == {"dbt_models", "audit__audit_outliers_figures_near_history", "bi_warehouse",
                     "submission_completeness"}
    assert (warehouse / "bi.duckdb").stat().st_mtime_ns > published
    assert query(warehouse, "select file_name from audit.submissions") == [("a.xlsx",)]
    assert not (warehouse / "report").exists()

    [success] = instance.all_logs(result.run_id, of_type=dg.DagsterEventType.RUN_SUCCESS)
    context = dg.build_run_status_sensor_context(
        sensor_name="report_after_load", dagster_event=success.dagster_event, dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id))
    request = report_after_load(context)
    assert isinstance(request, dg.RunRequest) and request.run_key == result.run_id
    report = defs.resolve_job_def(report_after_load.job_name).execute_in_process(
        instance=instance, resources=resources, tags=request.tags)
    assert report.success
    assert [e.asset_key.to_user_string() for e in report.get_asset_materialization_events()] == ["provincial_report"]
    for name in ("index.html", "report.pdf", "data-dictionary.html"):
        assert (warehouse / "report" / name).stat().st_size > 0, name
