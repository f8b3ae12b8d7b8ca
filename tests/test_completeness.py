"""marts.agg_submission_completeness on the committed demo data (sources/demo), as published."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from runner import query

pytestmark = pytest.mark.slow   # a real CLI load of the demo: the full tier only


@pytest.fixture(scope="module")
def warehouse(demo_load) -> Path:
    return demo_load[0]


def _cell(warehouse: Path, district: str, month: str) -> dict:
    cursor_rows = query(warehouse, "select * from marts.agg_submission_completeness "
                                   "where district_code = ? and period = ?", [district, f"{month}-01"])
    assert len(cursor_rows) == 1, (district, month, cursor_rows)
    columns = [r[0] for r in query(warehouse, "select column_name from information_schema.columns "
                                              "where table_schema = 'marts' and table_name = "
                                              "'agg_submission_completeness' order by ordinal_position")]
    return dict(zip(columns, cursor_rows[0]))


def test_grid_is_every_district_and_month_of_the_window(warehouse):
    # the demo runs to 2026-10: 12 districts until 2025-06, then the 75 communes of today's map
    total, districts, first, last = query(
        warehouse, "select count(*), count(distinct district_code), min(period), max(period) "
                   "from marts.agg_submission_completeness where unit_type = 'district'")[0]
    assert (districts, first, last) == (12, dt.date(2020, 1, 1), dt.date(2025, 6, 1))
    assert total == 12 * 66
    total, communes, first, last = query(
        warehouse, "select count(*), count(distinct unit_code), min(period), max(period) "
                   "from marts.agg_submission_completeness where unit_type = 'commune'")[0]
    assert (communes, first, last) == (75, dt.date(2025, 7, 1), dt.date(2026, 10, 1))
    assert total == 75 * 16


def test_missing_month(warehouse):
    cell = _cell(warehouse, "127", "2024-08")
    assert cell["state"] == "missing"
    assert cell["expected"] is True
    assert cell["submission_id"] is None and cell["on_time"] is None
    assert cell["due_date"] == dt.date(2024, 9, 10)


def test_late_month(warehouse):
    cell = _cell(warehouse, "120", "2021-07")
    assert cell["state"] == "late"
    assert cell["submitted_on"] == dt.date(2021, 8, 14)      # Ngày lập on the cover sheet
    assert cell["due_date"] == dt.date(2021, 8, 10)
    assert cell["on_time"] is False
    assert cell["latest_status"] == "accepted"


def test_on_time_month(warehouse):
    cell = _cell(warehouse, "116", "2023-05")
    assert cell["state"] == "on_time" and cell["on_time"] is True
    assert cell["submitted_on"] <= cell["due_date"] == dt.date(2023, 6, 10)
    assert cell["submission_id"] and cell["received_at"] is not None


def test_resubmission_shows_the_current_version(warehouse):
    cell = _cell(warehouse, "118", "2025-02")   # version 1 superseded by version 2
    assert cell["latest_status"] == "accepted"
    current = query(warehouse, "select submission_id from audit.submissions where district_code = '118' "
                               "and period = '2025-02-01' and status = 'accepted'")
    assert cell["submission_id"] == current[0][0]


def test_states_on_the_demo(warehouse):
    states = dict(query(warehouse, "select state, count(*) from marts.agg_submission_completeness group by 1"))
    assert states == {"on_time": 1976, "late": 12, "missing": 4}   # both eras, to 2026-10


def test_grid_markdown(warehouse):
    from pipeline.defs.reporting import completeness_grid

    rows = query(warehouse, "select district_code, period, state from marts.agg_submission_completeness "
                            "where unit_type = 'district' and period <= '2025-03-01'")
    grid = completeness_grid(rows)
    lines = grid.splitlines()
    assert lines[0].startswith("| district | 2024-04 |") and lines[0].endswith("| 2025-03 |")
    row_127 = next(line for line in lines if line.startswith("| 127 |"))
    assert row_127.split(" | ")[5] == "✗"                       # 2024-08
    row_122 = next(line for line in lines if line.startswith("| 122 |"))
    assert row_122.split(" | ")[10] == "L"                      # 2025-01
