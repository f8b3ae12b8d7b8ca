"""The 2025 reforms end to end: real workbooks through `python -m pipeline load` (ingest, dbt build,
publish), then the published bi.duckdb. Districts report up to 2025-06 (204 communes to 2025-01,
200 from 2025-02), the 75 communes report directly from 2025-07, and every figure is also told
on today's map (reporting-units-2025.md)."""
import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from runner import query, run_load
from workbooks import GRANT_HEADERS, POVERTY_HEADERS, grant, house, poverty, submission, write_workbook

pytestmark = pytest.mark.slow   # a real load and dbt build

D = dt.date
VILLAGE_HEADERS = POVERTY_HEADERS[:3] + ["Bản"] + POVERTY_HEADERS[3:]


def _commune_cover(commune: str, period: str, version: int = 1) -> list[list]:
    return [["Mã xã", commune], ["Kỳ báo cáo", period], ["Lần gửi", version]]


def _village(village, total, poor, near_poor, year=2025, no=1):
    return [no, None, None, village, year, total, poor, near_poor, None, None]


def _write_sources(sources):
    # 2024 review from two districts: Thành phố Sơn La (116) and Mộc Châu (123), on the 204-list.
    # 03664 is Xã Chiềng Xôm here; "Phường Tô Hiệu" is 03649 here.
    submission(sources / "116_2024_12.xlsx", district="116", period="12/2024", poverty_rows=[
        poverty("03646", "Phường Chiềng Lề", 2024, 1000, 100, 50, ethnic=None, rate=None, no=1),
        poverty(None, "Phường Tô Hiệu", 2024, 800, 40, 30, ethnic=None, rate=None, no=2),
        poverty("03664", "Xã Chiềng Xôm", 2024, 600, 120, 60, ethnic=None, rate=None, no=3),
        poverty("03661", "Xã Chiềng Đen", 2024, 500, 150, 40, ethnic=None, rate=None, no=4),
    ], houses=[house("H24", "03664", "Xã Chiềng Xôm", start=D(2024, 9, 2), done=D(2024, 12, 5))])
    submission(sources / "123_2024_12.xlsx", district="123", period="12/2024", poverty_rows=[
        poverty("04012", "Xã Chiềng Hắc", 2024, 700, 140, 70, ethnic=None, rate=None, no=1),     # approximate -> 03980
        poverty("04027", "Xã Mường Sang", 2024, 900, 90, 45, ethnic=None, rate=None, no=2),      # approximate -> 03980
        poverty("03988", "Xã Tân Hợp", 2024, 400, 80, 20, ethnic=None, rate=None, no=3),         # no main successor
    ], houses=[house("HC1", "03985", "Xã Chiềng Sơn", start=D(2024, 10, 1), done=D(2024, 12, 1)),
               house("HC3", "03985", "Xã Chiềng Sơn", start=D(2024, 10, 1), done=D(2024, 12, 1), no=2)])
    # Vân Hồ used the same Mã hộ for another case in Chiềng Xuân, which merged into Chiềng Sơn in July
    submission(sources / "128_2024_12.xlsx", district="128", period="12/2024",
               houses=[house("HC1", "04056", "Xã Chiềng Xuân", start=D(2024, 10, 3), done=D(2024, 12, 2)),
                       house("HC3", "04056", "Xã Chiềng Xuân", start=D(2024, 10, 3), done=D(2024, 12, 2), no=2)])
    # Chiềng Sơn names HC3 in a file of the same load as the districts' files
    write_workbook(sources / "xa_03985_2025_09.xlsx", {
        "Thông tin": _commune_cover("03985", "09/2025"),
        "Nhà ở": [["STT", "Mã hộ", "Họ tên chủ hộ", "Đối tượng", "Hình thức hỗ trợ", "Ngân sách trung ương",
                   "Tình trạng"], [1, "HC3", "Lò Văn Test", "Hộ nghèo", "Sửa chữa", 20_000_000, "Đang thi công"]]})
    # a case started under the district in 2025-06 (Chiềng Đen, now part of Phường Chiềng An) ...
    submission(sources / "116_2025_06.xlsx", district="116", period="06/2025", houses=[
        house("HX1", "03661", "Xã Chiềng Đen", start=D(2025, 5, 2), done=None, status="Đang thi công")])
    # ... and finished under its new commune in 2025-08 (commune columns omitted: its own rows)
    write_workbook(sources / "xa_03664_2025_08.xlsx", {
        "Thông tin": _commune_cover("03664", "08/2025") + [["Tên xã", "Phường Chiềng An"]],
        "Nhà ở": [["STT", "Mã hộ", "Họ tên chủ hộ", "Đối tượng", "Hình thức hỗ trợ", "Ngân sách trung ương",
                   "Ngân sách địa phương", "Xã hội hóa", "Ngày khởi công", "Ngày hoàn thành", "Tình trạng"],
                  [1, "HX1", "Lò Văn Test", "Hộ nghèo", "Xây mới", 40_000_000, 15_000_000, 5_000_000,
                   D(2025, 5, 2), D(2025, 8, 12), "Hoàn thành"]],
        "Hỗ trợ": [GRANT_HEADERS, grant("03664", "Phường Chiềng An", no=1),
                   grant("03646", "Phường Tô Hiệu", no=2)],          # another commune: a row error
    })
    # the 2025 review from the communes: Chiềng An per village (summed), Tô Hiệu by name only
    write_workbook(sources / "xa_03664_2026_01.xlsx", {
        "Thông tin": _commune_cover("03664", "01/2026"),
        "Hộ nghèo": [VILLAGE_HEADERS, _village("Bản Co Pục", 1500, 150, 90, no=1),
                     _village("Tổ 2", 1200, 60, 40, no=2)]})
    write_workbook(sources / "xa_03646_2026_01.xlsx", {
        "Thông tin": _commune_cover("03646", "01/2026"),
        "Hộ nghèo": [POVERTY_HEADERS,
                     poverty(None, "Phường Tô Hiệu", 2025, 5000, 150, 120, ethnic=None, rate=None, no=1)],
        "Hỗ trợ": [GRANT_HEADERS, grant(None, "Phường Tô Hiệu", no=1)]})
    # the commune corrects its report: Lần gửi 2 supersedes, per commune and month as for districts
    write_workbook(sources / "xa_03646_2026_01_v2.xlsx", {
        "Thông tin": _commune_cover("03646", "01/2026", version=2),
        "Hộ nghèo": [POVERTY_HEADERS,
                     poverty(None, "Phường Tô Hiệu", 2025, 5000, 150, 120, ethnic=None, rate=None, no=1)],
        "Hỗ trợ": [GRANT_HEADERS, grant(None, "Phường Tô Hiệu", amount=7_000_000, no=1)]})
    # village rows mixed with a whole-commune row for the same year: both rejected
    write_workbook(sources / "xa_03670_2026_01.xlsx", {
        "Thông tin": _commune_cover("03670", "01/2026"),
        "Hộ nghèo": [VILLAGE_HEADERS, [1, None, None, None, 2025, 900, 90, 20, None, None],
                     _village("Bản Hài", 300, 30, 10, no=2)]})
    # file-level mistakes after the reform
    submission(sources / "116_2025_09.xlsx", district="116", period="09/2025", grants=[grant()])
    submission(sources / "xa_03664_2025_03.xlsx", cover=_commune_cover("03664", "03/2025"),
               grants=[grant("03664", "Phường Chiềng An")])
    # a late correction of a district month, received long after 2025-07: accepted
    submission(sources / "116_2025_05_v2.xlsx", district="116", period="05/2025", version=2,
               grants=[grant("03646", "Phường Chiềng Lề")])


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("reform")
    sources, warehouse = root / "sources", root / "warehouse"
    _write_sources(sources)
    done = run_load(sources, warehouse)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    # a later load: Chiềng Sơn, now a commune reporting itself, names the Mã hộ two districts used
    write_workbook(sources / "xa_03985_2025_08.xlsx", {
        "Thông tin": _commune_cover("03985", "08/2025"),
        "Nhà ở": [["STT", "Mã hộ", "Họ tên chủ hộ", "Đối tượng", "Hình thức hỗ trợ", "Ngân sách trung ương",
                   "Tình trạng"],
                  [1, "HC1", "Lò Văn Test", "Hộ nghèo", "Sửa chữa", 20_000_000, "Đang thi công"],
                  [2, "HC2", "Lò Văn Test", "Hộ nghèo", "Sửa chữa", 20_000_000, "Đang thi công"]]})
    done = run_load(sources, warehouse)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return warehouse


def _one(warehouse, sql, params=None):
    rows = query(warehouse, sql, params)
    assert len(rows) == 1, rows
    return rows[0]


def test_both_file_level_rejections_with_their_reasons(loaded):
    district = _one(loaded, "select status, unit_type, unit_code, district_code, reason from audit.submissions "
                            "where file_name = '116_2025_09.xlsx'")
    assert district[:4] == ("rejected", "district", "116", "116")
    assert "district level was abolished on 01/07/2025" in district[4]
    commune = _one(loaded, "select status, unit_type, unit_code, district_code, reason from audit.submissions "
                           "where file_name = 'xa_03664_2025_03.xlsx'")
    assert commune[:4] == ("rejected", "commune", "03664", None)
    assert "communes reported through their district" in commune[4]
    reasons_vi = dict(query(loaded, "select s.file_name, r.reason_vi from audit.rejected_rows as r join "
                                    "audit.submissions as s using (submission_id) where r.sheet_kind = 'cover'"))
    assert "không còn cấp huyện" in reasons_vi["116_2025_09.xlsx"]
    assert "qua huyện" in reasons_vi["xa_03664_2025_03.xlsx"]
    correction = _one(loaded, "select status, version from audit.submissions where file_name = '116_2025_05_v2.xlsx'")
    assert correction == ("accepted", 2)


def test_a_commune_resubmission_supersedes_its_first_version(loaded):
    statuses = dict(query(loaded, "select file_name, status from audit.submissions "
                                  "where unit_type = 'commune' and unit_code = '03646'"))
    assert statuses == {"xa_03646_2026_01.xlsx": "superseded", "xa_03646_2026_01_v2.xlsx": "accepted"}
    assert query(loaded, "select amount_vnd from marts.fct_grants where commune_key = '2025-07/03646'") == [
        (7_000_000,)]


def test_reused_code_and_name_mean_the_commune_of_their_list(loaded):
    # code 03664: Xã Chiềng Xôm in the 2024 report, Phường Chiềng An in the 2025-08 one
    by_list = dict(query(loaded, "select f.commune_list, d.commune_name from marts.fct_houses as f "
                                 "join marts.dim_commune as d using (commune_key) where f.commune_code = '03664'"))
    assert by_list == {"2024": "Xã Chiềng Xôm", "2025-07": "Phường Chiềng An"}
    # name "Phường Tô Hiệu": 03649 in the 2024 report, 03646 in the commune's 2026-01 report
    poverty = dict(query(loaded, "select review_year, commune_key from marts.fct_poverty_rates as f "
                                 "join marts.dim_commune as d using (commune_key) where d.commune_name = 'Phường Tô Hiệu'"))
    assert poverty == {2024: "2024/03649", 2025: "2025-07/03646"}
    grants = query(loaded, "select commune_key from marts.fct_grants where period = '2026-01-01'")
    assert grants == [("2025-07/03646",)]


def test_a_case_across_the_reform_is_one_case_with_its_later_state(loaded):
    rows = query(loaded, "select district_code, commune_code, commune_list, commune_2025_code, commune_2025_mapping, "
                         "status, completion_date, first_reported_period, submissions_reporting, reported_period "
                         "from marts.fct_houses where household_id = 'HX1'")
    assert rows == [("116", "03664", "2025-07", "03664", "exact", "completed", D(2025, 8, 12), D(2025, 6, 1), 2,
                     D(2025, 8, 1))]


def test_a_household_id_two_districts_used_in_one_commune_of_today_stays_two_cases(loaded):
    cases = query(loaded, "select district_code, commune_code, commune_2025_code from marts.fct_houses "
                          "where household_id = 'HC1' order by district_code")
    assert cases == [("123", "03985", "03985"), ("128", "04056", "03985")]
    assert query(loaded, "select commune_2025_code, household_id, district_codes from audit.case_collisions") == [
        ("03985", "HC1", "123, 128"), ("03985", "HC3", "123, 128")]
    # the commune's report naming that id is a row error asking for a new id; its other row loads
    rejected = query(loaded, "select r.excel_row, r.\"column\", r.reason from audit.rejected_rows as r join "
                             "audit.submissions as s using (submission_id) where s.file_name = 'xa_03985_2025_08.xlsx'")
    assert [(row, column) for row, column, _ in rejected] == [(2, "Mã hộ")] and "new Mã hộ" in rejected[0][2]
    assert query(loaded, "select household_id, district_code from marts.fct_houses where commune_list = '2025-07' "
                         "and commune_code = '03985'") == [("HC2", None)]
    # the same when the districts' files and the commune's arrive in one load
    same_load = query(loaded, "select r.excel_row, r.\"column\" from audit.rejected_rows as r join audit.submissions "
                              "as s using (submission_id) where s.file_name = 'xa_03985_2025_09.xlsx'")
    assert same_load == [(2, "Mã hộ")]


def test_a_row_naming_another_commune_is_a_row_error_and_the_feedback_goes_to_the_commune(loaded):
    rejected = query(loaded, "select r.excel_row, r.\"column\", r.reason from audit.rejected_rows as r "
                             "join audit.submissions as s using (submission_id) where s.file_name = 'xa_03664_2025_08.xlsx'")
    assert len(rejected) == 1 and rejected[0][:2] == (3, "Mã xã") and "another commune" in rejected[0][2]
    [path] = (loaded / "feedback").glob("03664_2025-08_*.xlsx")
    summary = [row for row in openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True)]
    assert summary[0][0].startswith("Phản hồi về báo cáo của xã")
    assert ("Mã xã", "Commune code", "03664") in [row[:3] for row in summary]


def test_poverty_per_village_is_summed_and_mixed_rows_are_rejected(loaded):
    assert _one(loaded, "select total_households, poor_households, near_poor_households, village_rows "
                        "from marts.fct_poverty_rates where commune_key = '2025-07/03664' and review_year = 2025") == (
        2700, 210, 130, 2)
    reasons = query(loaded, "select r.reason from audit.rejected_rows as r join audit.submissions as s "
                            "using (submission_id) where s.file_name = 'xa_03670_2026_01.xlsx'")
    assert len(reasons) == 2 and all("village rows" in r[0] for r in reasons)
    assert query(loaded, "select * from marts.fct_poverty_rates where commune_code = '03670'") == []


def test_poverty_on_todays_map_is_the_sum_of_the_old_communes(loaded):
    # exact: Phường Tô Hiệu (03646) of today = 2024's Chiềng Lề (03646) + Tô Hiệu (03649)
    assert _one(loaded, "select total_households, poor_households, near_poor_households, poverty_rate_pct, "
                        "communes_reported, communes_expected, mapping from marts.agg_poverty_commune_year "
                        "where commune_2025_code = '03646' and review_year = 2024") == (
        1800, 140, 80, Decimal("7.78"), 2, 4, "exact")
    # exact too: Phường Chiềng An (03664) = Chiềng Xôm (03664) + Chiềng Đen (03661)
    assert _one(loaded, "select total_households, poor_households, mapping from marts.agg_poverty_commune_year "
                        "where commune_2025_code = '03664' and review_year = 2024") == (1100, 270, "exact")
    # approximate: Phường Mộc Châu (03980) = Chiềng Hắc + Mường Sang, their main successor
    assert _one(loaded, "select total_households, poor_households, communes_reported, mapping "
                        "from marts.agg_poverty_commune_year where commune_2025_code = '03980' "
                        "and review_year = 2024") == (1600, 230, 2, "approximate")
    # 2025, reported by the communes themselves; change against 2024 on the same unit
    assert _one(loaded, "select total_households, poor_households, poverty_rate_pct, change_pp, mapping "
                        "from marts.agg_poverty_commune_year where commune_2025_code = '03664' "
                        "and review_year = 2025") == (2700, 210, Decimal("7.78"),
                                                      Decimal("7.78") - Decimal("24.55"), "exact")


def test_province_totals_are_the_sum_over_all_communes_as_reported(loaded):
    for year, communes_total in ((2024, 204), (2025, 75)):
        province = _one(loaded, "select total_households, poor_households, near_poor_households, communes_total "
                                "from marts.agg_poverty_province_year where review_year = ?", [year])
        as_reported = _one(loaded, "select sum(total_households), sum(poor_households), sum(near_poor_households) "
                                   "from marts.fct_poverty_rates where review_year = ?", [year])
        on_todays_map = _one(loaded, "select sum(total_households), sum(poor_households) "
                                     "from marts.agg_poverty_commune_year where review_year = ?", [year])
        gaps = _one(loaded, "select coalesce(sum(total_households), 0), coalesce(sum(poor_households), 0) "
                            "from audit.crosswalk_gaps where review_year = ?", [year])
        assert province[:3] == as_reported and province[3] == communes_total
        # no household lost or counted twice by the crosswalk
        assert (on_todays_map[0] + gaps[0], on_todays_map[1] + gaps[1]) == province[:2]
    assert _one(loaded, "select total_households, poor_households from audit.crosswalk_gaps "
                        "where commune_code = '03988' and review_year = 2024") == (400, 80)
    # district series end with the 2024 review
    assert query(loaded, "select max(review_year) from marts.agg_poverty_district_year") == [(2024,)]


def test_every_commune_of_the_204_and_200_lists_reaches_todays_map_or_the_gaps(loaded):
    lost = query(loaded, "select commune_key from marts.dim_commune as d where commune_list in ('2024', '2025-02') "
                         "and commune_2025_code is null and not exists (select 1 from audit.crosswalk_gaps as g "
                         "where g.commune_list = d.commune_list and g.commune_code = d.commune_code)")
    assert lost == []
    counts = dict(query(loaded, "select commune_list, count(*) from marts.dim_commune group by 1"))
    assert counts == {"2024": 204, "2025-02": 200, "2025-07": 75}
    assert query(loaded, "select count(*) from marts.dim_commune_2025") == [(75,)]


def test_completeness_per_reporting_unit_in_force(loaded):
    per_month = dict(query(loaded, "select strftime(period, '%Y-%m') || ' ' || unit_type, count(*) "
                                   "from marts.agg_submission_completeness "
                                   "where period in ('2025-06-01', '2025-07-01') group by 1"))
    assert per_month == {"2025-06 district": 12, "2025-07 commune": 75}
    assert _one(loaded, "select state, district_code from marts.agg_submission_completeness "
                        "where unit_type = 'commune' and unit_code = '03664' and period = '2025-08-01'")[1] is None
    assert query(loaded, "select unit_type, count(*) from marts.dim_reporting_unit group by 1 order by 1") == [
        ("commune", 75), ("district", 12)]
