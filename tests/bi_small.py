"""A small real warehouse for the report's fast tests: the published marts and audit tables the
reporting layer reads (their columns and types from the dbt contracts, so they never drift), a few
rows chosen so every branch shows (a partial-reporting year, a missing month, rejected rows, a
commune whose 2024 base is approximate, a change of poverty standard between 2021 and 2022), then the real dbt build of the reporting layer (rpt_*)
on top, in this process, and the real publish step: bi.duckdb. (The reporting layer's data tests
run in the slow tier's real loads; here only its models and seeds are built, ~3 s.)

Each variant is built once per test process and copied where a test wants it.
"""
from __future__ import annotations

import atexit
import datetime as dt
import functools
import json
import shutil
import tempfile
from pathlib import Path

import duckdb

from pipeline import transform
from pipeline.warehouse import publish, store

# the published models the reporting layer reads, filled by the test (everything else dbt builds)
INPUTS = ("dim_district", "dim_commune_2025", "dim_reporting_unit", "fct_houses", "fct_grants",
          "agg_poverty_province_year", "agg_poverty_district_year", "agg_poverty_commune_year",
          "agg_submission_completeness", "audit_submissions", "audit_rejected_rows",
          # sign-off: what the reporting layer's approval_status and rpt_revisions read
          "dim_commune", "fct_poverty_rates", "fct_published_figures", "fct_revisions", "audit_pending_revisions")
# what dbt builds here: the reporting layer and what it needs besides the inputs
SELECT = ("marts.reporting", "dim_poverty_standard", "dim_enumeration", "poverty_standards",
          "programme_beneficiary_units", "enumerations", "int_figure_approvals")
AS_OF = dt.date(2025, 3, 20)

DATA = """
insert into marts.dim_district (district_code, district_name, district_type) values
    ('116', 'Thành phố Sơn La', 'Thành phố'), ('118', 'Huyện Quỳnh Nhai', 'Huyện');
insert into marts.dim_commune_2025 (commune_2025_code, commune_2025_name, commune_type) values
    ('03646', 'Phường Tô Hiệu', 'Phường'), ('03688', 'Xã Mường Chiên', 'Xã'), ('03664', 'Phường Chiềng An', 'Phường');
insert into marts.dim_reporting_unit (unit_type, unit_code, unit_name, valid_from, valid_to) values
    ('district', '116', 'Thành phố Sơn La', '2020-01-01', '2025-06-30'),
    ('district', '118', 'Huyện Quỳnh Nhai', '2020-01-01', '2025-06-30');
insert into marts.agg_poverty_province_year (review_year, total_households, poor_households, near_poor_households,
    poverty_rate_pct, near_poor_rate_pct, change_pp, near_poor_change_pp, communes_reported, communes_total,
    poverty_standard, comparable_with_previous) values
    (2021, 1000, 250, 70, 25.00, 7.00, null, null, 4, 4, '2016-2020', false),
    (2022, 1000, 200, 80, 20.00, 8.00, null, null, 4, 4, '2022-2025', false),
    (2023, 1010, 150, 81, 14.85, 8.02, -5.15, 0.02, 4, 4, '2022-2025', true),
    (2024, 600, 60, 40, 10.00, 6.67, -4.85, -1.35, 3, 4, '2022-2025', true);
insert into marts.agg_poverty_district_year (district_code, review_year, total_households, poor_households,
    near_poor_households, poverty_rate_pct, near_poor_rate_pct, change_pp, near_poor_change_pp, communes_reported,
    communes_total, poverty_standard, comparable_with_previous) values
    ('116', 2022, 500, 50, 40, 10.00, 8.00, null, null, 2, 2, '2022-2025', false),
    ('116', 2023, 505, 40, 41, 7.92, 8.12, -2.08, 0.12, 2, 2, '2022-2025', true),
    ('116', 2024, 300, 20, 20, 6.67, 6.67, -1.25, -1.45, 1, 2, '2022-2025', true),
    ('118', 2022, 500, 150, 40, 30.00, 8.00, null, null, 2, 2, '2022-2025', false),
    ('118', 2023, 505, 110, 40, 21.78, 7.92, -8.22, -0.08, 2, 2, '2022-2025', true),
    ('118', 2024, 300, 40, 20, 13.33, 6.67, -8.45, -1.25, 2, 2, '2022-2025', true);
insert into marts.fct_houses (district_code, household_id, commune_code, category, support_type, status, start_date,
    completion_date, central_budget_vnd, local_budget_vnd, social_contribution_vnd, total_vnd, reported_period,
    submission_id, case_key, commune_list, commune_2025_code, commune_2025_mapping) values
    ('116', 'H1', '03646', 'poor', 'new_build', 'completed', '2023-02-01', '2023-06-01', 40000000, 15000000, 5000000, 60000000, '2023-06-01', 's1', '03646/H1', '2024', '03646', 'exact'),
    ('116', 'H2', '03646', 'poor', 'repair', 'completed', '2023-03-01', '2024-01-10', 20000000, 8000000, 2000000, 30000000, '2024-01-01', 's2', '03646/H2', '2024', '03646', 'exact'),
    ('118', 'H3', '03688', 'near_poor', 'new_build', 'completed', '2024-05-01', '2024-11-20', 40000000, 16000000, 4000000, 60000000, '2024-11-01', 's3', '03688/H3', '2024', '03688', 'approximate'),
    ('118', 'H4', '03688', 'poor', 'new_build', 'completed', '2025-01-05', '2025-02-25', 40000000, 15000000, 5000000, 60000000, '2025-02-01', 's4', '03688/H4', '2025-02', '03688', 'approximate'),
    ('118', 'H5', '03688', 'poor', 'repair', 'in_progress', '2025-02-10', null, 20000000, 0, 0, 20000000, '2025-02-01', 's4', '03688/H5', '2025-02', '03688', 'approximate'),
    ('116', 'H6', '03646', 'other', 'new_build', 'not_started', '2025-03-01', null, 0, 0, 0, 0, '2025-01-01', 's6', '03646/H6', '2025-02', '03646', 'exact');
insert into marts.fct_grants (district_code, commune_code, period, programme, funding_source, beneficiaries,
    amount_vnd, submission_id, commune_list, commune_2025_code) values
    ('116', '03646', '2025-01-01', 'medical', 'central', 10, 3000000, 's6', '2024', '03646'),
    ('116', '03646', '2025-01-01', 'medical', 'social', 2, 500000, 's6', '2024', '03646'),
    ('118', '03688', '2025-02-01', 'students', 'local', 7, 2100000, 's4', '2025-02', '03688'),
    ('118', '03688', '2024-12-01', 'production', 'central', 3, 15000000, 's3', '2024', '03688');
insert into marts.agg_submission_completeness (district_code, period, expected, submission_id, latest_status,
    received_at, submitted_on, due_date, on_time, state, unit_type, unit_code, approval_status) values
    ('116', '2025-01-01', true, 's6', 'accepted', '2025-02-05 08:00:00', '2025-02-05', '2025-02-10', true, 'on_time', 'district', '116', 'provisional'),
    ('118', '2025-01-01', true, null, null, null, null, '2025-02-10', null, 'missing', 'district', '118', 'provisional'),
    ('116', '2025-02-01', true, 's5', 'accepted', '2025-03-12 08:00:00', '2025-03-12', '2025-03-10', false, 'late', 'district', '116', 'provisional'),
    ('118', '2025-02-01', true, 's4', 'accepted_with_errors', '2025-03-01 08:00:00', '2025-03-01', '2025-03-10', true, 'on_time', 'district', '118', 'provisional');
insert into audit.submissions (submission_id, file_name, file_sha256, received_at, district_code, period, version,
    status, reason, rows_read, rows_loaded, rows_rejected, rows_skipped, prepared_on, unit_type, unit_code) values
    ('s4', 'b118_2025_02.xlsx', 'aa', '2025-03-01 08:00:00', '118', '2025-02-01', 1, 'accepted_with_errors', '2 rows rejected', 10, 8, 2, 0, null, 'district', '118'),
    ('s5', 'b116_2025_02.xlsx', 'bb', '2025-03-12 08:00:00', '116', '2025-02-01', 1, 'accepted', null, 5, 5, 0, 0, null, 'district', '116'),
    ('s6', 'b116_2025_01.xlsx', 'cc', '2025-02-05 08:00:00', '116', '2025-01-01', 1, 'accepted', null, 5, 5, 0, 0, '2025-02-04', 'district', '116'),
    ('s7', 'bad.xlsx', 'dd', '2025-03-15 09:30:00', null, null, null, 'rejected', 'not a workbook', 0, 0, 0, 0, null, null, null);
insert into audit.rejected_rows (submission_id, sheet, excel_row, "column", value, reason, reason_vi) values
    ('s4', 'Nhà ở', 12, 'Mã xã', '99999', 'unknown commune code 99999', 'mã xã 99999 không có trong danh mục'),
    ('s4', 'Hỗ trợ', 7, 'Số tiền', '-5', 'Số tiền (amount) must be at least 0', 'Số tiền phải ≥ 0'),
    ('s7', null, null, null, null, 'not a workbook', 'không phải tệp Excel');
"""

# today's map: the 2024 review summed into the 75 communes (issue 9), one unit on partial reporting
COMMUNES = """
insert into marts.agg_poverty_commune_year (commune_2025_code, commune_2025_name, review_year, total_households,
    poor_households, near_poor_households, poverty_rate_pct, change_pp, communes_reported, communes_expected,
    mapping, poverty_standard, comparable_with_previous) values
    ('03646', 'Phường Tô Hiệu', 2024, 300, 20, 20, 6.67, -1.25, 1, 2, 'exact', '2022-2025', true),
    ('03688', 'Xã Mường Chiên', 2024, 300, 40, 20, 13.33, -8.45, 2, 2, 'approximate', '2022-2025', true),
    ('03664', 'Phường Chiềng An', 2024, 200, 5, 10, 2.50, -0.50, 3, 3, 'exact', '2022-2025', true),
    ('03646', 'Phường Tô Hiệu', 2023, 505, 40, 41, 7.92, null, 2, 2, 'exact', '2022-2025', false);
"""


def _manifest() -> dict:
    return json.loads(transform.prepare().read_text(encoding="utf-8"))


@functools.cache
def schema_sql() -> str:
    """`create table` of every input, columns and types from the dbt contracts (the manifest)."""
    nodes = {node["name"]: node for node in _manifest()["nodes"].values() if node["resource_type"] == "model"}
    statements = ["create schema if not exists marts", "create schema if not exists audit"]
    for name in INPUTS:
        node = nodes[name]
        columns = ", ".join(f'"{c["name"]}" {c["data_type"]}' for c in node["columns"].values())
        statements.append(f'create table {node["schema"]}."{node["alias"]}" ({columns})')
    return ";\n".join(statements) + ";"


def _dbt_build(warehouse: Path) -> None:
    variables = {"warehouse_db": str(store.internal_path(warehouse).resolve()), "as_of": AS_OF.isoformat()}
    args = ["build", "--select", *SELECT, "--exclude-resource-type", "unit_test", "test",
            "--vars", json.dumps(variables),
            "--target-path", str(warehouse / "dbt" / "target"), "--log-path", str(warehouse / "dbt" / "logs"), "--quiet"]
    result = transform.invoke(args, parsed=transform.parsed_manifest())
    assert result.success, f"dbt build of the reporting layer failed: {result.exception}"


@functools.cache
def _built(variant: str) -> Path:
    """The bi.duckdb of one variant: 'full', or 'empty' (every table, no row)."""
    warehouse = Path(tempfile.mkdtemp(prefix=f"bi-small-{variant}-"))
    atexit.register(shutil.rmtree, warehouse, True)
    internal = store.internal_path(warehouse)
    internal.parent.mkdir(parents=True)
    con = duckdb.connect(str(internal))
    try:
        con.execute(schema_sql())
        if variant == "full":
            con.execute(DATA)
            con.execute(COMMUNES)
    finally:
        con.close()
    _dbt_build(warehouse)
    path, _ = publish.publish(warehouse)
    return path


def write_bi(path: Path, empty: bool = False) -> Path:
    """A warehouse folder holding only bi.duckdb (as a BI user's copy would)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_built("empty" if empty else "full"), path)
    return path
