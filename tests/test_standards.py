"""The poverty standard a workbook states (issue 25): what a text names (pipeline/standards.py), where a
workbook states it (pipeline/ingest/stated.py) and the rule book's row errors, on sheets as a clerk types
them. The real load of such workbooks: tests/test_standards_load.py."""
import csv
import datetime as dt

import pytest

from pipeline import standards
from pipeline.config import SEEDS_DIR
from pipeline.ingest.cover import parse_cover
from pipeline.ingest.reference import COMMUNE, DISTRICT, Reporter
from pipeline.ingest.stated import Statement, above_table, from_cover
from pipeline.ingest.tables import parse_sheet
from workbooks import POVERTY_HEADERS, cover_rows, poverty

def test_each_review_year_gets_the_seeds_default_and_may_state_the_allowed_ones():
    with open(SEEDS_DIR / "poverty_standards.csv", encoding="utf-8", newline="") as handle:
        seed = list(csv.DictReader(handle))
    assert [s.standard_id for s in standards.standards()] == [row["standard_id"] for row in seed]
    assert {year: standards.default_for(year).standard_id for year in (2020, 2021, 2025, 2026, 2029)} == {
        2020: "2016-2020", 2021: "2022-2025", 2025: "2022-2025", 2026: "2027-2030", 2029: "2027-2030"}
    # 2021: the regular review under the old standard or the general one under the new; 2026: the transition
    assert [s.standard_id for s in standards.allowed_for(2021)] == ["2022-2025", "2016-2020"]
    assert [s.standard_id for s in standards.allowed_for(2026)] == ["2027-2030", "2022-2025"]
    assert [s.standard_id for s in standards.allowed_for(2024)] == ["2022-2025"]
    assert standards.by_id("2027-2030").label == "2027-2030 (Nghị định 351/2025/NĐ-CP)"


@pytest.mark.parametrize("text, named", [
    ("Nghị định 351/2025/NĐ-CP", {"2027-2030"}),
    ("Nghị định số 351/2025/NĐ-CP ngày 30/12/2025 của Chính phủ", {"2027-2030"}),   # the date is no act
    ("NGHỊ ĐỊNH 07/2021/NĐ-CP", {"2022-2025"}),
    ("NĐ 7/2021", {"2022-2025"}),
    ("Quyết định 59/2015/QĐ-TTg", {"2016-2020"}),
    ("59/2015/QĐ-TTg", {"2016-2020"}),
    ("2027-2030", {"2027-2030"}),
    ("giai đoạn 2022 - 2025", {"2022-2025"}),
    ("Chuẩn nghèo 2016–2020", {"2016-2020"}),                                        # an en dash
    ("2027 – 2030 (Nghị định 351/2025/NĐ-CP)", {"2027-2030"}),
    ("Nghị định 07/2021/NĐ-CP, rà soát theo Quyết định 24/2021/QĐ-TTg", {"2022-2025"}),   # a procedure beside it
    ("Nghị định 07/2021/NĐ-CP và 2027-2030", {"2022-2025", "2027-2030"}),
])
def test_a_text_names_a_standard_by_its_act_or_its_period(text, named):
    assert standards.named(text) == (named, True)


@pytest.mark.parametrize("text, mentions", [
    ("giai đoạn 2021-2025", True),              # no standard of the seed spans 2021-2025
    ("Quyết định 09/2011/QĐ-TTg", True),       # the 2011-2015 standard: not in the seed
    ("chuẩn nghèo đa chiều", False),
    ("mới", False),
])
def test_a_text_naming_no_standard_of_the_seed_names_none(text, mentions):
    assert standards.named(text) == (set(), mentions)


def test_a_standard_is_stated_on_the_cover_or_above_the_poverty_table():
    cover = parse_cover(cover_rows("116", "12/2024") + [["Chuẩn nghèo:", "Nghị định 07/2021/NĐ-CP"]],
                        dt.date(2025, 1, 15))
    assert from_cover(cover.poverty_standard) == Statement("Nghị định 07/2021/NĐ-CP", "2022-2025")
    assert from_cover(parse_cover(cover_rows("116", "12/2024"), dt.date(2025, 1, 15)).poverty_standard) is None
    twice = parse_cover(cover_rows("116", "12/2024") + [["Chuẩn nghèo", "2022-2025"], ["Chuẩn nghèo", "2027-2030"]],
                        dt.date(2025, 1, 15))
    assert from_cover(twice.poverty_standard).conflict
    grid = [["KẾT QUẢ RÀ SOÁT HỘ NGHÈO NĂM 2026 THEO CHUẨN NGHÈO GIAI ĐOẠN 2027 - 2030"], [], POVERTY_HEADERS]
    assert above_table(grid, 2) == Statement("KẾT QUẢ RÀ SOÁT HỘ NGHÈO NĂM 2026 THEO CHUẨN NGHÈO GIAI ĐOẠN 2027 - 2030",
                                             "2027-2030")
    label = [["BIỂU KẾT QUẢ RÀ SOÁT"], [None, "Chuẩn nghèo:", None, "Nghị định 351/2025/NĐ-CP"], POVERTY_HEADERS]
    assert above_table(label, 2).standard_id == "2027-2030"
    # a title that only mentions the standard states none; neither does anything below the header
    assert above_table([["Tỷ lệ hộ nghèo theo chuẩn nghèo đa chiều"], POVERTY_HEADERS, ["Chuẩn nghèo 2016-2020"]], 1) \
        is None


def _sheet(rows, cover_standard=None, above=(), reporter=Reporter(DISTRICT, "116"), period=dt.date(2025, 1, 1)):
    grid = [*above, POVERTY_HEADERS, *rows]
    return parse_sheet(grid, "poverty", "Hộ nghèo", reporter, period, cover_standard=cover_standard)


def test_rows_stand_on_the_standard_stated_where_the_seed_allows_it_for_their_year():
    sheet = _sheet([poverty(year=2021), poverty(year=2024, commune="03649", name="Phường Tô Hiệu")],
                   Statement("Nghị định 07/2021/NĐ-CP", "2022-2025"))
    assert sheet.problems == [] and sheet.data["poverty_standard_stated"] == ["2022-2025", "2022-2025"]
    assert _sheet([poverty(year=2024)]).data["poverty_standard_stated"] == [None]   # not stated: the year's default


def test_a_standard_the_seed_does_not_allow_for_the_year_is_a_row_error_saying_which_it_allows():
    sheet = _sheet([poverty(year=2020), poverty(year=2021, commune="03649", name="Phường Tô Hiệu")],
                   above=[["Chuẩn nghèo: Nghị định 07/2021/NĐ-CP"]])
    [problem] = sheet.problems
    assert (problem.excel_row, problem.rule, problem.column, problem.value) == (
        3, "poverty_standard_allowed_for_year", "Chuẩn nghèo", "Chuẩn nghèo: Nghị định 07/2021/NĐ-CP")
    assert "(standard 2022-2025) does not apply to review year 2020: a 2020 review is classified under " \
           "2016-2020 (Quyết định 59/2015/QĐ-TTg)" in problem.reason
    assert "không áp dụng cho năm rà soát 2020" in problem.reason_vi
    assert sheet.data["review_year"] == [2021]


def test_a_2026_review_may_state_either_standard_of_the_transition_but_not_the_old_one():
    commune = Reporter(COMMUNE, "03646")
    december = dt.date(2026, 12, 1)
    for stated in ("Nghị định 351/2025/NĐ-CP", "2022-2025"):
        sheet = _sheet([poverty(commune=None, name=None, year=2026)], from_cover(stated), reporter=commune,
                       period=december)
        assert sheet.problems == [] and sheet.data["poverty_standard_stated"] == [standards.named(stated)[0].pop()]
    [problem] = _sheet([poverty(commune=None, name=None, year=2026)], from_cover("59/2015/QĐ-TTg"), reporter=commune,
                       period=december).problems
    assert problem.rule == "poverty_standard_allowed_for_year"
    assert "2027-2030 (Nghị định 351/2025/NĐ-CP) / 2022-2025 (Nghị định 07/2021/NĐ-CP)" in problem.reason


def test_a_standard_not_known_or_stated_twice_differently_rejects_every_row():
    sheet = _sheet([poverty(year=2024)], from_cover("giai đoạn 2021-2025"))
    assert [(p.rule, p.value) for p in sheet.problems] == [("poverty_standard_known", "giai đoạn 2021-2025")]
    assert "Nghị định 07/2021/NĐ-CP / 2022-2025" in sheet.problems[0].reason
    sheet = _sheet([poverty(year=2024)], from_cover("2022-2025"), above=[["Chuẩn nghèo", "2027-2030"]])
    assert [(p.rule, p.value) for p in sheet.problems] == [("poverty_standard_stated_once", "2022-2025' / '2027-2030")]
    assert sheet.n_records == 0 and [k["review_year"] for k in sheet.rejected_keys] == [2024]
    # the same standard on the cover and above the table, written two ways: one statement
    sheet = _sheet([poverty(year=2024)], from_cover("2022-2025"), above=[["Chuẩn nghèo: Nghị định 07/2021/NĐ-CP"]])
    assert sheet.problems == [] and sheet.data["poverty_standard_stated"] == ["2022-2025"]
