"""A file rejected for the wrong era (reporting-units-2025.md, "File-level rules"): a district cover for a
month from 2025-07 on, a commune cover for a month before. The cover's unit and month were read, so the
ledger keeps both and the clerk's feedback is named and headed with them (never unknown_<id>.xlsx); and
the completeness of those months is what it was without the files (they are no unit-month of its grid).

Demo workbooks with the month retyped on their cover, through the real command (`python -m pipeline load`).
"""
import datetime as dt

import openpyxl
import pytest

from clerk_books import demo_path, from_demo, set_cells
from runner import REPO, query, run_load

pytestmark = pytest.mark.slow   # two real loads and dbt builds

DISTRICT_DEMO = REPO / "sources" / "demo" / "116" / "2025"
COMPLETENESS = ("select unit_type, unit_code, period, expected, submission_id, latest_status, state "
                "from marts.agg_submission_completeness where period in ('2025-06-01', '2025-08-01') "
                "order by unit_type, unit_code, period")


def _retyped(source, dest, period: str):
    book = openpyxl.load_workbook(source)
    set_cells("Thông tin", {"B3": period})(book)
    assert book["Thông tin"]["A3"].value == "Kỳ báo cáo"
    dest.parent.mkdir(parents=True, exist_ok=True)
    book.save(dest)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("wrong_era")
    sources, warehouse = root / "sources", root / "warehouse"
    # the months' own reports, accepted: Thành phố Sơn La for 06/2025, Phường Chiềng An for 08/2025
    _retyped(DISTRICT_DEMO / "bao_cao_116_2025_06.xlsx", sources / "116_2025_06.xlsx", "06/2025")
    from_demo(sources / "xa_03664_2025_08.xlsx", "03664", 2025, 8)
    done = run_load(sources, warehouse)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    before = query(warehouse, COMPLETENESS)
    # the wrong era: the district's template for 08/2025, the commune's for 06/2025
    _retyped(DISTRICT_DEMO / "bao_cao_116_2025_06.xlsx", sources / "district_for_2025_08.xlsx", "08/2025")
    _retyped(demo_path("03664", 2025, 7), sources / "commune_for_2025_06.xlsx", "06/2025")
    done = run_load(sources, warehouse)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return warehouse, before


def _ledger(warehouse, file_name):
    rows = query(warehouse, "select submission_id, status, unit_type, unit_code, district_code, period, reason "
                            "from audit.submissions where file_name = ?", [file_name])
    assert len(rows) == 1, rows
    return rows[0]


def _feedback_header(warehouse, submission_id, unit, period) -> dict:
    path = warehouse / "feedback" / f"{unit}_{period:%Y-%m}_v1_{submission_id[:8]}.xlsx"
    assert path.exists(), sorted(p.name for p in (warehouse / "feedback").iterdir())
    assert not (warehouse / "feedback" / f"unknown_{submission_id}.xlsx").exists()
    book = openpyxl.load_workbook(path, read_only=True)
    return {row[0]: [c for c in row[1:] if c is not None]
            for row in book.worksheets[0].iter_rows(values_only=True) if row and row[0]}


def test_a_district_cover_for_2025_08_is_rejected_keeping_its_unit_and_month(loaded):
    warehouse, _ = loaded
    sid, status, unit_type, unit_code, district, period, reason = _ledger(warehouse, "district_for_2025_08.xlsx")
    assert (status, unit_type, unit_code, district, period) == (
        "rejected", "district", "116", "116", dt.date(2025, 8, 1))
    assert "district level was abolished on 01/07/2025" in reason and "08/2025" in reason
    header = _feedback_header(warehouse, sid, "116", period)
    assert "08/2025" in header["Kỳ báo cáo"] and "116" in header["Mã huyện"]


def test_a_commune_cover_for_2025_06_is_rejected_keeping_its_unit_and_month(loaded):
    warehouse, _ = loaded
    sid, status, unit_type, unit_code, district, period, reason = _ledger(warehouse, "commune_for_2025_06.xlsx")
    assert (status, unit_type, unit_code, district, period) == (
        "rejected", "commune", "03664", None, dt.date(2025, 6, 1))
    assert "communes reported through their district" in reason and "06/2025" in reason
    header = _feedback_header(warehouse, sid, "03664", period)
    assert "06/2025" in header["Kỳ báo cáo"] and "03664" in header["Mã xã"]


def test_the_completeness_of_those_months_is_what_it_was_without_them(loaded):
    warehouse, before = loaded
    after = query(warehouse, COMPLETENESS)
    assert after == before
    units = {(unit_type, period) for unit_type, _, period, *_ in after}
    assert units == {("district", dt.date(2025, 6, 1)), ("commune", dt.date(2025, 8, 1))}
    assert not [row for row in after if row[1] in ("116", "03664") and row[6] == "rejected_only"]
