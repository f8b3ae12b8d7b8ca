"""What the operator reads, without a load: each dbt test described in words (the prepared manifest),
completeness of the latest months by name with the month now due (pipeline/warehouse/completeness.py),
and `status` on a small real bi.duckdb, with and without the outlier and sign-off tables."""
from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest

from pipeline import runlog, status, transform
from pipeline.defs.check_descriptions import describe_test
from pipeline.warehouse import completeness

D = dt.date
TODAY = D(2026, 12, 7)   # 2026-10 was due on 10/11, 2026-11 is due on 10/12


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((transform.manifest_dir() / "manifest.json").read_text())


def test_every_dbt_test_is_described_in_words(manifest):
    tests = [node for node in manifest["nodes"].values() if node["resource_type"] == "test"]
    described = {node["name"]: describe_test(node) for node in tests}
    assert len(described) == len(tests) >= 100   # not null, keys and enumerations of the marts: constraints
    fallback = [name for name, text in described.items() if text.startswith("dbt test ")]
    assert not fallback
    assert described["not_null_rules_severity"].startswith("Every row of `rules` has a value in "
                                                           "`severity`. A failure stops the build")
    assert described["unique_combination_int_house_cases_current_case_key"].startswith(
        "No two rows of `int_house_cases_current` share")
    relationship = described["relationships_fct_houses_district_code__district_code__ref_dim_district_"]
    assert relationship.startswith("Every `district_code` of `fct_houses` exists as `district_code` in `dim_district`.")
    # the dbt description of a data test wins (dbt 1.10+: `description:` beside `arguments:`)
    total = next(t for n, t in described.items() if n.startswith("expression_is_true_fct_houses_total_vnd"))
    assert total.startswith("A house's total cost is the sum of its three funding sources")
    assert described["skipped_rows_match_sheet_counts"].startswith("Every skipped row is listed")
    warn = next(t for n, t in described.items() if n.startswith("expression_is_true_agg_poverty_district_year"))
    assert "A failure is a warning: the build goes on and publishes." in warn


def test_the_singular_test_without_a_description_is_told_by_its_opening_comment():
    node = {"name": "x", "raw_code": "-- Every case is counted once.\n-- (across reforms)\n{{ config() }}\nselect 1",
            "config": {"severity": "warn"}}
    assert describe_test(node).startswith("Every case is counted once. (across reforms) A failure is a warning")


SCHEMA = """
create schema marts; create schema audit;
create table marts.dim_reporting_unit (unit_type varchar, unit_code varchar, unit_name varchar, valid_from date,
    valid_to date);
insert into marts.dim_reporting_unit values
    ('district', '116', 'Thành phố Sơn La', '2004-01-01', '2025-06-30'),
    ('commune', '03646', 'Phường Tô Hiệu', '2025-07-01', null),
    ('commune', '03664', 'Phường Chiềng An', '2025-07-01', null),
    ('commune', '03670', 'Phường Chiềng Cơi', '2025-07-01', null);
create table marts.agg_submission_completeness (district_code varchar, period date, expected boolean,
    submission_id varchar, latest_status varchar, received_at timestamp, submitted_on date, due_date date,
    on_time boolean, state varchar, unit_type varchar, unit_code varchar);
insert into marts.agg_submission_completeness values
    (null, '2026-08-01', true, 's1', 'accepted', null, '2026-09-02', '2026-09-10', true, 'on_time', 'commune', '03646'),
    (null, '2026-08-01', true, 's2', 'accepted', null, '2026-09-14', '2026-09-10', false, 'late', 'commune', '03664'),
    (null, '2026-08-01', true, null, null, null, null, '2026-09-10', null, 'missing', 'commune', '03670'),
    (null, '2026-09-01', true, 's3', 'accepted', null, '2026-10-01', '2026-10-10', true, 'on_time', 'commune', '03646'),
    (null, '2026-09-01', true, 's4', 'rejected', null, null, '2026-10-10', null, 'rejected_only', 'commune', '03664'),
    (null, '2026-09-01', true, 's5', 'accepted', null, '2026-10-03', '2026-10-10', true, 'on_time', 'commune', '03670');
create table audit.submissions (submission_id varchar, file_name varchar, status varchar, period date,
    unit_type varchar, unit_code varchar, district_code varchar);
insert into audit.submissions values
    ('s6', 'bao_cao_xa_03670_2026_10.xlsx', 'rejected', '2026-10-01', 'commune', '03670', null);
"""


@pytest.fixture
def published(tmp_path):
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    con = duckdb.connect(str(warehouse / "bi.duckdb"))
    con.execute(SCHEMA)
    con.close()
    return warehouse


def test_latest_months_newest_first_with_the_months_after_the_published_window(published):
    con = duckdb.connect(str(published / "bi.duckdb"), read_only=True)
    try:
        months = completeness.recent_months(con, TODAY)
    finally:
        con.close()
    assert [f"{m.period:%Y-%m}" for m in months] == ["2026-11", "2026-10", "2026-09", "2026-08"]
    november, october, september, august = months
    # after the window (nobody sent a usable file): told from the units in force and the files received
    assert not november.published and november.due_date == D(2026, 12, 10) and not november.is_due(TODAY)
    assert [u.state for u in november.units] == ["not_due"] * 3
    assert {u.unit_code: u.state for u in october.units} == {"03646": "missing", "03664": "missing",
                                                            "03670": "rejected_only"}
    assert october.in_state("missing")[0].label == "03646 Phường Tô Hiệu"
    assert october.in_state("missing")[0].days_late == (TODAY - D(2026, 11, 10)).days
    assert [(u.unit_name, u.days_late) for u in august.in_state("late")] == [("Phường Chiềng An", 4)]
    assert [u.unit_name for u in september.in_state("rejected_only")] == ["Phường Chiềng An"]
    assert [f"{m.period:%Y-%m}" for m in completeness.latest_due(months, TODAY)] == ["2026-10", "2026-09"]
    assert completeness.month_now_due(TODAY) == D(2026, 11, 1)


def test_status_without_the_outlier_and_sign_off_tables_says_nothing_of_them(published):
    report = status.gather(published, today=TODAY)
    assert "outliers" not in report and "approvals" not in report
    text = status.render(report)
    assert "Outliers" not in text and "approval" not in text
    assert [m["period"] for m in report["completeness"]] == ["2026-10", "2026-09"]
    assert report["month_now_due"]["period"] == "2026-11"
    assert "    missing: 03646 Phường Tô Hiệu (27 days), 03664 Phường Chiềng An (27 days)" in text
    assert "    rejected only: 03670 Phường Chiềng Cơi (27 days)" in text
    assert "  2026-11 (due 10/12/2026): 3 units, not due yet, 0 sent so far" in text
    assert "Last load: none recorded" in text


def test_status_with_outliers_and_approvals_when_those_tables_exist(published):
    con = duckdb.connect(str(published / "bi.duckdb"))
    con.execute("""
        create table audit.outliers (unit_type varchar, unit_code varchar, period date, review_year integer,
            measure varchar, value double, median double, mad double, score double, method varchar,
            submission_id varchar);
        insert into audit.outliers values
            ('commune', '03646', '2026-09-01', null, 'houses_completed', 40, 4, 1, 24.3, 'modified_z', 's3'),
            ('commune', '03670', '2026-08-01', null, 'grants_vnd', 9e9, 1e8, 2e7, 6.1, 'modified_z', 's0');
        create table marts.fct_approvals (unit_type varchar, unit_code varchar, period date, state varchar,
            approved_at timestamp, approved_by varchar, as_of date);
        insert into marts.fct_approvals values
            ('commune', '03646', '2026-08-01', 'approved', '2026-09-20 10:00', 'Sở LĐTBXH', '2026-09-20'),
            ('commune', '03664', '2026-08-01', 'unapproved', '2026-09-20 10:00', 'Sở LĐTBXH', '2026-09-20');
        create table audit.pending_revisions (unit_type varchar, unit_code varchar, period date, submission_id varchar);
        insert into audit.pending_revisions values ('commune', '03646', '2026-08-01', 's9');
    """)
    con.close()
    runlog.logs_dir(published).mkdir()
    rejected = [{"file": "a.xlsx", "unit": "03670", "period": "2026-10", "outcome": "rejected", "rows_rejected": 0,
                 "reason": "no cover sheet"}]
    finished = runlog.finished_line(exit=0, seconds=31.5, new_entries=2, files_found=9, rows_loaded=40,
                                    rows_rejected=1, files_rejected=1, rejected=rejected)
    (runlog.logs_dir(published) / "load-20261207-010000-000.log").write_text(
        f"x INFO load: {runlog.started_line()}\nx INFO load: {finished}\n", encoding="utf-8")
    report = status.gather(published, today=TODAY)
    assert report["outliers"]["count"] == 2
    assert [o["unit_code"] for o in report["outliers"]["latest"]] == ["03646", "03670"]   # the latest month first
    assert report["approvals"]["months_waiting"] == [{"period": "2026-09", "received": 2, "waiting": 2},
                                                      {"period": "2026-08", "received": 2, "waiting": 1}]
    assert report["approvals"]["pending_revisions"] == 1
    text = status.render(report)
    assert "Outliers to check: 2 (the latest first)" in text
    assert "  2026-09 03646 houses_completed: 40.0 (median 4.0, score 24.3)" in text
    assert "Months waiting for approval: 2026-09 (2 of 2 received), 2026-08 (1 of 2 received)" in text
    assert "Last load: " in text and "exit 0 (completed), 31.5 s" in text
    assert "  a.xlsx (03670, 2026-10): rejected: no cover sheet" in text
    assert json.loads(status.as_json(report))["rejected_files"]["files"][0]["reason"] == "no cover sheet"
