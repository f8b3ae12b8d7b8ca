"""A small real bi.duckdb holding marts.fct_houses (the columns the templates read), for the template
tests that need no full load: open cases of 116 (in progress, not started), a completed one, one
reported again in 2025-01 (first in 2024-12) and one of district 118."""
from __future__ import annotations

from pathlib import Path

import duckdb

FCT_HOUSES = """
create schema marts;
create table marts.fct_houses (district_code varchar, household_id varchar, commune_code varchar, village varchar,
    ethnicity varchar, category varchar, support_type varchar, status varchar, start_date date, completion_date date,
    central_budget_vnd bigint, local_budget_vnd bigint, social_contribution_vnd bigint, total_vnd bigint,
    reported_period date, submission_id varchar, first_reported_period date);
insert into marts.fct_houses values
    ('116', 'A1', '03646', 'Bản Pá Mu', 'Thái', 'poor', 'new_build', 'in_progress', '2024-10-01', null,
     40000000, 5000000, 0, 45000000, '2024-12-01', 's1', '2024-10-01'),
    ('116', 'A2', '03679', null, null, 'near_poor', 'repair', 'not_started', null, null, 0, 0, 0, 0, '2024-11-01', 's2', '2024-11-01'),
    ('116', 'A3', '03646', null, null, 'poor', 'new_build', 'completed', '2024-06-01', '2024-12-20',
     40000000, 15000000, 5000000, 60000000, '2024-12-01', 's1', '2024-06-01'),
    ('116', 'A4', '03646', null, null, 'poor', 'new_build', 'in_progress', '2025-01-02', null,
     10000000, 0, 0, 10000000, '2025-01-01', 's3', '2024-12-01'),
    ('118', 'B1', '03682', null, null, 'other', 'repair', 'in_progress', '2024-09-01', null,
     10000000, 0, 0, 10000000, '2024-12-01', 's4', '2024-09-01');
"""


def write_small_warehouse(folder: Path) -> Path:
    con = duckdb.connect(str(folder / "bi.duckdb"))
    try:
        con.execute(FCT_HOUSES)
    finally:
        con.close()
    return folder
