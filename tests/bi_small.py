"""A small real bi.duckdb written by the tests (schemas marts and audit, the published columns the
report reads), with figures chosen so every branch shows: a partial-reporting year, a missing
month, rejected rows, and optionally the reform's marts.agg_poverty_commune_year and
marts.dim_enumeration."""
from __future__ import annotations

from pathlib import Path

import duckdb

SCHEMA = """
create schema marts; create schema audit;
create table marts.dim_district (district_code varchar, district_name varchar, district_type varchar);
create table marts.agg_poverty_province_year (review_year integer, total_households bigint, poor_households bigint,
    near_poor_households bigint, poverty_rate_pct decimal(7,2), near_poor_rate_pct decimal(7,2),
    change_pp decimal(8,2), near_poor_change_pp decimal(8,2), communes_reported bigint, communes_total bigint,
    admin_list_year integer);
create table marts.agg_poverty_district_year (district_code varchar, review_year integer, total_households bigint,
    poor_households bigint, near_poor_households bigint, poverty_rate_pct decimal(7,2),
    near_poor_rate_pct decimal(7,2), change_pp decimal(8,2), near_poor_change_pp decimal(8,2),
    communes_reported bigint, communes_total bigint, admin_list_year integer);
create table marts.fct_houses (district_code varchar, household_id varchar, commune_code varchar, category varchar,
    support_type varchar, status varchar, start_date date, completion_date date, central_budget_vnd bigint,
    local_budget_vnd bigint, social_contribution_vnd bigint, total_vnd bigint, reported_period date,
    submission_id varchar);
create table marts.fct_grants (district_code varchar, commune_code varchar, period date, programme varchar,
    funding_source varchar, beneficiaries bigint, amount_vnd bigint, submission_id varchar);
create table marts.agg_submission_completeness (district_code varchar, period date, expected boolean,
    submission_id varchar, latest_status varchar, received_at timestamp, submitted_on date, due_date date,
    on_time boolean, state varchar);
create table audit.submissions (submission_id varchar, file_name varchar, file_sha256 varchar,
    received_at timestamp, district_code varchar, period date, version integer, status varchar, reason varchar,
    rows_read integer, rows_loaded integer, rows_rejected integer, rows_skipped integer);
create table audit.rejected_rows (submission_id varchar, sheet varchar, excel_row integer, "column" varchar,
    value varchar, reason varchar, reason_vi varchar);
"""

DATA = """
insert into marts.dim_district values ('116', 'Thành phố Sơn La', 'Thành phố'), ('118', 'Huyện Quỳnh Nhai', 'Huyện');
insert into marts.agg_poverty_province_year values
    (2022, 1000, 200, 80, 20.00, 8.00, null, null, 4, 4, 2024),
    (2023, 1010, 150, 81, 14.85, 8.02, -5.15, 0.02, 4, 4, 2024),
    (2024, 600, 60, 40, 10.00, 6.67, -4.85, -1.35, 3, 4, 2024);
insert into marts.agg_poverty_district_year values
    ('116', 2022, 500, 50, 40, 10.00, 8.00, null, null, 2, 2, 2024),
    ('116', 2023, 505, 40, 41, 7.92, 8.12, -2.08, 0.12, 2, 2, 2024),
    ('116', 2024, 300, 20, 20, 6.67, 6.67, -1.25, -1.45, 1, 2, 2024),
    ('118', 2022, 500, 150, 40, 30.00, 8.00, null, null, 2, 2, 2024),
    ('118', 2023, 505, 110, 40, 21.78, 7.92, -8.22, -0.08, 2, 2, 2024),
    ('118', 2024, 300, 40, 20, 13.33, 6.67, -8.45, -1.25, 2, 2, 2024);
insert into marts.fct_houses values
    ('116', 'H1', '03646', 'poor', 'new_build', 'completed', '2023-02-01', '2023-06-01', 40000000, 15000000, 5000000, 60000000, '2023-06-01', 's1'),
    ('116', 'H2', '03646', 'poor', 'repair', 'completed', '2023-03-01', '2024-01-10', 20000000, 8000000, 2000000, 30000000, '2024-01-01', 's2'),
    ('118', 'H3', '03688', 'near_poor', 'new_build', 'completed', '2024-05-01', '2024-11-20', 40000000, 16000000, 4000000, 60000000, '2024-11-01', 's3'),
    ('118', 'H4', '03688', 'poor', 'new_build', 'completed', '2025-01-05', '2025-02-25', 40000000, 15000000, 5000000, 60000000, '2025-02-01', 's4'),
    ('118', 'H5', '03688', 'poor', 'repair', 'in_progress', '2025-02-10', null, 20000000, 0, 0, 20000000, '2025-02-01', 's4'),
    ('116', 'H6', '03646', 'other', 'new_build', 'not_started', '2025-03-01', null, 0, 0, 0, 0, '2025-02-01', 's5');
insert into marts.fct_grants values
    ('116', '03646', '2025-01-01', 'medical', 'central', 10, 3000000, 's6'),
    ('116', '03646', '2025-01-01', 'medical', 'social', 2, 500000, 's6'),
    ('118', '03688', '2025-02-01', 'students', 'local', 7, 2100000, 's4'),
    ('118', '03688', '2024-12-01', 'production', 'central', 3, 15000000, 's3');
insert into marts.agg_submission_completeness values
    ('116', '2025-01-01', true, 's6', 'accepted', '2025-02-05 08:00:00', '2025-02-05', '2025-02-10', true, 'on_time'),
    ('118', '2025-01-01', true, null, null, null, null, '2025-02-10', null, 'missing'),
    ('116', '2025-02-01', true, 's5', 'accepted', '2025-03-12 08:00:00', '2025-03-12', '2025-03-10', false, 'late'),
    ('118', '2025-02-01', true, 's4', 'accepted_with_errors', '2025-03-01 08:00:00', '2025-03-01', '2025-03-10', true, 'on_time');
insert into audit.submissions values
    ('s4', 'b118_2025_02.xlsx', 'aa', '2025-03-01 08:00:00', '118', '2025-02-01', 1, 'accepted_with_errors', '2 rows rejected', 10, 8, 2, 0),
    ('s5', 'b116_2025_02.xlsx', 'bb', '2025-03-12 08:00:00', '116', '2025-02-01', 1, 'accepted', null, 5, 5, 0, 0),
    ('s6', 'b116_2025_01.xlsx', 'cc', '2025-02-05 08:00:00', '116', '2025-01-01', 1, 'accepted', null, 5, 5, 0, 0),
    ('s7', 'bad.xlsx', 'dd', '2025-03-15 09:30:00', null, null, null, 'rejected', 'not a workbook', 0, 0, 0, 0);
insert into audit.rejected_rows values
    ('s4', 'Nhà ở', 12, 'Mã xã', '99999', 'unknown commune code 99999', 'mã xã 99999 không có trong danh mục'),
    ('s4', 'Hỗ trợ', 7, 'Số tiền', '-5', 'Số tiền (amount) must be at least 0', 'Số tiền phải ≥ 0'),
    ('s7', null, null, null, null, 'not a workbook', 'không phải tệp Excel');
"""

COMMUNE_MART = """
create table marts.agg_poverty_commune_year (commune_2025_code varchar, commune_2025_name varchar,
    review_year integer, total_households bigint, poor_households bigint, near_poor_households bigint,
    poverty_rate_pct decimal(7,2), change_pp decimal(8,2), communes_reported bigint, communes_expected bigint,
    mapping varchar);
insert into marts.agg_poverty_commune_year values
    ('03646', 'Phường Tô Hiệu', 2024, 300, 20, 20, 6.67, -1.25, 1, 2, 'exact'),
    ('03688', 'Xã Mường Chiên', 2024, 300, 40, 20, 13.33, -8.45, 2, 2, 'approximate'),
    ('03664', 'Phường Chiềng An', 2024, 200, 5, 10, 2.50, -0.50, 3, 3, 'exact'),
    ('03646', 'Phường Tô Hiệu', 2023, 505, 40, 41, 7.92, null, 2, 2, 'exact');
"""

ENUMERATIONS = """
create table marts.dim_enumeration (domain varchar, code varchar, label_vi varchar, label_en varchar, sort_order integer);
insert into marts.dim_enumeration values
    ('programme', 'medical', 'Khám, chữa bệnh (nhãn từ kho)', 'Medical care (from the warehouse)', 1),
    ('programme', 'students', 'Hỗ trợ học sinh', 'Support for students', 2),
    ('programme', 'production', 'Phát triển sản xuất', 'Production development', 3),
    ('programme', 'hardship_other', 'Hoàn cảnh khó khăn khác', 'Other hardship', 4);
"""


def write_bi(path: Path, commune_mart: bool = False, enumerations: bool = False) -> Path:
    """A warehouse folder holding only bi.duckdb (as a BI user's copy would)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute(SCHEMA)
        con.execute(DATA)
        if commune_mart:
            con.execute(COMMUNE_MART)
        if enumerations:
            con.execute(ENUMERATIONS)
    finally:
        con.close()
    return path
