"""Poverty (submission format, "Mistakes clerks make": poverty), issue 23, through the real load (CLI, dbt).

The demo communes' reports of the 2025 review (January 2026), each with one thing a clerk does: a
total row written in the village cell, a ward's 'Tổ dân phố' column, the review of the year not yet
ended, a rejected village row, a village dropped from a resubmission; and a district's 2024 review by
village with a rejected row. Read back from the raw layer and the published marts: a figure standing
on part of its villages is partial in fct_poverty_rates and in every aggregate over it.
"""
import datetime as dt

import duckdb
import pytest

from clerk_books import add_sheet, cover, from_demo, set_cells
from pipeline import form
from runner import query, run_load
from workbooks import cover_rows, write_workbook

pytestmark = pytest.mark.slow   # a real CLI load (ingest, dbt build, publish)

TOTAL_03688 = [None, "Tổng cộng", 2025, 6036, 627, 404, 543, None]   # the six villages' sums, year filled in


def _insert_row(sheet: str, at: int, values: list):
    def edit(book):
        book[sheet].insert_rows(at)
        for col, value in enumerate(values, start=1):
            book[sheet].cell(at, col, value)
    return edit


def _delete_row(sheet: str, at: int):
    return lambda book: book[sheet].delete_rows(at)


def _write(sources):
    from_demo(sources / "village_total.xlsx", "03688", 2026, 1, _insert_row("Hộ nghèo", 10, TOTAL_03688))
    from_demo(sources / "village_total_mismatch.xlsx", "03982", 2026, 1,
              _insert_row("Hộ nghèo", 13, [None, "Tổng cộng", 2025, 2965, 86, 160, 77, None]))
    from_demo(sources / "to_dan_pho.xlsx", "03664", 2026, 1,
              set_cells("Hộ nghèo", {"D1": "Tổ dân phố", **{f"D{r}": f"Tổ dân phố {r - 1}" for r in range(2, 9)}}))
    from_demo(sources / "review_not_ended.xlsx", "04222", 2026, 1, set_cells("Hộ nghèo", {"D2": 2026}))
    from_demo(sources / "review_in_december.xlsx", "04228", 2025, 12, add_sheet("Hộ nghèo", [
        form.POVERTY.headers(("no", "review_year", "total_households", "poor_households", "near_poor_households")),
        [1, 2025, 1500, 150, 90]]))
    # Bản Kéo Cang (row 5): more poor households than households
    from_demo(sources / "village_rejected.xlsx", "04240", 2026, 1, set_cells("Hộ nghèo", {"G5": 400}))
    from_demo(sources / "villages_v1.xlsx", "04183", 2026, 1)
    from_demo(sources / "villages_v2_one_dropped.xlsx", "04183", 2026, 1,
              cover(["Mã xã", "04183"], ["Kỳ báo cáo", "01/2026"], ["Lần gửi", 2]), _delete_row("Hộ nghèo", 9))
    from_demo(sources / "complete.xlsx", "04045", 2026, 1)
    headers = form.POVERTY.headers(("no", "commune_code", "commune_name", "village", "review_year",
                                    "total_households", "poor_households", "near_poor_households"))
    write_workbook(sources / "district_villages.xlsx", {"Thông tin": cover_rows("116", "01/2025"), "Hộ nghèo": [
        headers, [1, "03646", "Phường Chiềng Lề", "Tổ 1", 2024, 400, 20, 10],
        [2, "03646", "Phường Chiềng Lề", "Tổ 2", 2024, 350, 400, 12],
        [3, "03646", "Phường Chiềng Lề", "Tổ 3", 2024, 300, 15, 9]]})


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("clerk_poverty")
    _write(root / "sources")
    done = run_load(root / "sources", root / "warehouse")
    assert done.returncode == 0, done.stderr[-3000:]
    return root / "warehouse"


def _raw(warehouse, sql, params=None):
    con = duckdb.connect(str(warehouse / "internal" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _sid(warehouse, name):
    [(sid,)] = _raw(warehouse, "select submission_id from raw.submissions where file_name = ?", [name])
    return sid


def _rate(warehouse, commune, year=2025):
    [row] = query(warehouse, "select total_households, poor_households, village_rows, villages_reported, "
                             "villages_expected, is_partial from marts.fct_poverty_rates "
                             "where commune_code = ? and review_year = ?", [commune, year])
    return row


def test_a_total_in_the_village_cell_is_skipped_and_checked_not_loaded_as_a_village(warehouse):
    assert _rate(warehouse, "03688")[:3] == (6036, 627, 6)            # not 12,072
    sid = _sid(warehouse, "village_total.xlsx")
    assert _raw(warehouse, "select excel_row, kind from raw.skipped_rows where submission_id = ? and kind = 'total'",
                [sid]) == [(10, "total")]
    assert _raw(warehouse, "select count(*) from raw.warnings where submission_id = ?", [sid]) == [(0,)]


def test_a_village_cell_total_that_does_not_match_is_a_warning(warehouse):
    assert _rate(warehouse, "03982")[0] == 2956
    sid = _sid(warehouse, "village_total_mismatch.xlsx")
    [(message,)] = _raw(warehouse, "select message from raw.warnings where submission_id = ? and rule = "
                                   "'total_row_matches'", [sid])
    assert "total row: '2965' does not match the sum of the rows above (2,956)" in message


def test_a_ward_heading_its_village_column_to_dan_pho_is_read(warehouse):
    assert _rate(warehouse, "03664") == (5556, 42, 7, 7, 7, False)
    sid = _sid(warehouse, "to_dan_pho.xlsx")
    villages = _raw(warehouse, "select village from raw.poverty where submission_id = ? order by excel_row", [sid])
    assert [v for v, in villages] == [f"Tổ dân phố {i}" for i in range(1, 8)]
    assert _raw(warehouse, "select count(*) from raw.rejected_rows where submission_id = ?", [sid]) == [(0,)]


def test_a_review_year_not_yet_ended_is_a_row_error(warehouse):
    sid = _sid(warehouse, "review_not_ended.xlsx")
    [(rule, reason, value)] = _raw(warehouse, "select rule, reason, value from raw.rejected_rows "
                                              "where submission_id = ? and sheet = 'Hộ nghèo'", [sid])
    assert (rule, value) == ("review_year_ended", "2026") and "has not ended" in reason
    assert query(warehouse, "select count(*) from marts.fct_poverty_rates where review_year = 2026") == [(0,)]


def test_the_review_of_the_year_reported_in_december_loads(warehouse):
    assert _rate(warehouse, "04228")[:2] == (1500, 150)


def test_a_rejected_village_row_makes_the_commune_partial(warehouse):
    total, poor, rows, reported, expected, partial = _rate(warehouse, "04240")
    assert (rows, reported, expected, partial) == (11, 11, 12, True)
    assert total == 2338 - 193                                          # Bản Kéo Cang is not in the sum


def test_a_village_dropped_from_a_resubmission_makes_the_commune_partial(warehouse):
    assert _rate(warehouse, "04183")[2:] == (7, 7, 8, True)


def test_a_complete_village_review_is_not_partial(warehouse):
    assert _rate(warehouse, "04045")[-1] is False
    assert _rate(warehouse, "04228")[3:] == (0, 0, False)             # one row for the whole commune


def test_every_aggregate_over_a_partial_commune_counts_it(warehouse):
    assert query(warehouse, "select communes_partial from marts.agg_poverty_commune_year "
                            "where commune_2025_code in ('04240', '04183', '04045') order by commune_2025_code") == [
        (0,), (1,), (1,)]
    assert query(warehouse, "select review_year, communes_partial from marts.agg_poverty_province_year "
                            "order by review_year") == [(2024, 1), (2025, 2)]
    assert query(warehouse, "select district_code, review_year, communes_partial from "
                            "marts.agg_poverty_district_year") == [("116", 2024, 1)]
    assert _rate(warehouse, "03646", 2024)[3:] == (2, 3, True)
