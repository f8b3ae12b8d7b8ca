"""The 2025 reforms as pure rules: which list applies, commune covers, rows of commune reports."""
import datetime as dt

import pytest

from pipeline.ingest import reference
from pipeline.ingest.cover import CoverError, parse_cover
from pipeline.ingest.parse import parse_workbook
from pipeline.ingest.reference import COMMUNE, DISTRICT, CommuneError, Reporter, match_row_commune
from workbooks import GRANT_HEADERS, POVERTY_HEADERS, grant, house, poverty, records, submission, write_workbook

TODAY = dt.date(2026, 11, 20)
D = dt.date


@pytest.mark.parametrize("month, expected", [
    (D(2024, 12, 1), "2024"), (D(2025, 1, 1), "2024"), (D(2025, 2, 1), "2025-02"), (D(2025, 6, 1), "2025-02"),
    (D(2025, 7, 1), "2025-07"), (D(2026, 10, 1), "2025-07"), (D(2019, 5, 1), "2024"),
])
def test_list_of_a_reporting_month_is_the_one_in_force_on_its_last_day(month, expected):
    assert reference.list_for_month(month) == expected


def test_list_of_a_review_year_and_who_reports():
    assert [reference.list_for_review(y) for y in (2021, 2024, 2025, 2026)] == ["2024", "2024", "2025-07", "2025-07"]
    assert reference.districts_report(D(2025, 6, 1)) and not reference.districts_report(D(2025, 7, 1))


def test_reused_codes_and_names_depend_on_the_list():
    # 03664 is Xã Chiềng Xôm (district 116) in 2024, Phường Chiềng An from 2025-07
    assert reference.unit_list("2024").communes["03664"].name == "Xã Chiềng Xôm"
    assert reference.unit_list("2025-07").communes["03664"].name == "Phường Chiềng An"
    district, commune = Reporter(DISTRICT, "116"), Reporter(COMMUNE, "03646")
    # Phường Tô Hiệu is 03649 in a district's 2024 report, 03646 in a commune's report after 2025-07
    assert match_row_commune(None, "Phường Tô Hiệu", district, "2024") == "03649"
    assert match_row_commune(None, "Phường Tô Hiệu", commune, "2025-07") == "03646"
    with pytest.raises(CommuneError, match="disagree"):
        match_row_commune("03664", "Phường Chiềng An", district, "2024")


def test_codes_lose_invisible_characters():
    assert reference.normalise_code("03646\u200b", 5) == "03646"
    assert reference.normalise_code("\ufeff 3646 ", 5) == "03646"


def test_a_commune_report_rows_belong_to_the_commune():
    me = Reporter(COMMUNE, "03664")
    assert match_row_commune(None, None, me, "2025-07") == "03664"
    assert match_row_commune("03664", "Chiềng An", me, "2025-07") == "03664"
    with pytest.raises(CommuneError, match="another commune") as error:
        match_row_commune("03646", None, me, "2025-07")
    assert "03646" in error.value.reason and "xã khác" in error.value.reason_vi
    with pytest.raises(CommuneError, match="not in force"):   # a pre-July code that did not survive
        match_row_commune("03661", None, me, "2025-07")


def _cover(*rows):
    return [list(row) for row in rows]


def test_district_cover_after_the_reform_is_rejected_with_a_reason():
    with pytest.raises(CoverError) as error:
        parse_cover(_cover(["Mã huyện", "116"], ["Kỳ báo cáo", "09/2025"]), TODAY)
    assert "district level was abolished on 01/07/2025" in error.value.reason
    assert "communes report" in error.value.reason or "every commune reports directly" in error.value.reason
    assert "không còn cấp huyện" in error.value.reason_vi
    assert error.value.unit == Reporter(DISTRICT, "116")
    assert error.value.period == D(2025, 9, 1)   # read: the ledger and the feedback keep it
    # a correction of an old district month, received long after 2025-07, is accepted
    assert parse_cover(_cover(["Mã huyện", "116"], ["Kỳ báo cáo", "05/2025"], ["Lần gửi", 3]), TODAY).version == 3


def test_commune_cover_before_the_reform_is_rejected_with_a_reason():
    with pytest.raises(CoverError) as error:
        parse_cover(_cover(["Mã xã", "03664"], ["Kỳ báo cáo", "03/2025"]), TODAY)
    assert "communes reported through their district" in error.value.reason
    assert "qua huyện" in error.value.reason_vi
    assert error.value.unit == Reporter(COMMUNE, "03664")
    assert error.value.period == D(2025, 3, 1)


def test_commune_cover():
    cover = parse_cover(_cover(["Mã xã", " 03664\u200b"], ["Tên xã", "Phường Chiềng An"], ["Kỳ báo cáo", "08/2025"]),
                        TODAY)
    assert (cover.unit_type, cover.unit_code, cover.district_code, cover.unit_name) == (
        "commune", "03664", None, "Phường Chiềng An")
    assert cover.warnings == []
    by_name = parse_cover(_cover(["commune_name", "Xã Mường Bú"], ["period", "2025-08"]), TODAY)
    assert by_name.unit_type == "commune" and by_name.unit_code in reference.unit_list("2025-07").communes
    # a name of no unit at all: a warning, the code wins; a name of another unit in force: rejected (the
    # submission format's "Which unit sent it", which replaced the warning there)
    mismatch = parse_cover(_cover(["Mã xã", "03664"], ["Tên xã", "Phường Chiềng Mới"], ["Kỳ báo cáo", "08/2025"]),
                           TODAY)
    assert mismatch.unit_code == "03664" and "code is used" in mismatch.warnings[0][0]
    with pytest.raises(CoverError, match="names two communes"):
        parse_cover(_cover(["Mã xã", "03664"], ["Tên xã", "Phường Tô Hiệu"], ["Kỳ báo cáo", "08/2025"]), TODAY)
    with pytest.raises(CoverError, match="unknown commune"):
        parse_cover(_cover(["Mã xã", "03661"], ["Kỳ báo cáo", "08/2025"]), TODAY)   # Chiềng Đen: merged away


@pytest.mark.parametrize("period, unit_type, ignored", [("05/2025", "district", "Mã xã"), ("08/2025", "commune", "Mã huyện")])
def test_cover_naming_both_the_period_decides(period, unit_type, ignored):
    cover = parse_cover(_cover(["Mã huyện", "116"], ["Mã xã", "03664"], ["Kỳ báo cáo", period]), TODAY)
    assert cover.unit_type == unit_type
    [(warning, warning_vi, rule)] = cover.warnings
    assert ignored in warning and "both a district and a commune" in warning and warning_vi
    assert rule == "cover_names_one_unit"


def _commune_book(path, commune="03664", period="08/2025", **sheets):
    cover = [["Mã xã", commune], ["Kỳ báo cáo", period]]
    return submission(path, cover=cover, **sheets)


def test_commune_report_rows_may_omit_the_commune_and_may_not_name_another(tmp_path):
    headers = [h for h in GRANT_HEADERS if h not in ("Mã xã", "Tên xã")]
    path = write_workbook(tmp_path / "g.xlsx", {"Thông tin": [["Mã xã", "03664"], ["Kỳ báo cáo", "08/2025"]],
                                                "Hỗ trợ": [headers, [1, "Khám chữa bệnh", 3, 900_000, "NSTW", None]]})
    [record] = records(parse_workbook(path, TODAY).sheets["grants"])
    assert (record["commune_code"], record["commune_list"]) == ("03664", "2025-07")
    parsed = parse_workbook(_commune_book(tmp_path / "n.xlsx", grants=[grant("03646", "Phường Tô Hiệu")]), TODAY)
    [problem] = parsed.sheets["grants"].problems
    assert problem.column == "Mã xã" and "another commune" in problem.reason


def test_poverty_review_years_by_reporter(tmp_path):
    commune = parse_workbook(_commune_book(tmp_path / "c.xlsx", period="02/2026", poverty_rows=[
        poverty("03664", "Phường Chiềng An", year=2025), poverty("03664", "Phường Chiềng An", year=2024, no=2)]), TODAY)
    sheet = commune.sheets["poverty"]
    assert [(r["review_year"], r["commune_list"]) for r in records(sheet)] == [(2025, "2025-07")]
    [problem] = sheet.problems
    assert (problem.excel_row, problem.column) == (3, "Năm rà soát") and "reported by the districts" in problem.reason
    district = parse_workbook(submission(tmp_path / "d.xlsx", district="116", period="06/2025", poverty_rows=[
        poverty(year=2024), poverty(year=2025, no=2)]), TODAY)
    assert [r["review_year"] for r in records(district.sheets["poverty"])] == [2024]
    assert "communes report their own results" in district.sheets["poverty"].problems[0].reason


def test_poverty_per_village_is_read_with_its_village(tmp_path):
    headers = POVERTY_HEADERS[:3] + ["Bản"] + POVERTY_HEADERS[3:]
    rows = [[1, None, None, "Bản Co Pục", 2025, 100, 10, 5, 8, 10.0], [2, None, None, "Bản Hụm", 2025, 50, 5, 5, 4, 10.0]]
    path = write_workbook(tmp_path / "v.xlsx", {"Thông tin": [["Mã xã", "03664"], ["Kỳ báo cáo", "01/2026"]],
                                                "Hộ nghèo": [headers, *rows]})
    rows = records(parse_workbook(path, TODAY).sheets["poverty"])
    assert [(r["commune_code"], r["village"], r["total_households"]) for r in rows] == [
        ("03664", "Bản Co Pục", 100), ("03664", "Bản Hụm", 50)]


def test_house_rows_of_a_district_in_2025_06_and_a_commune_in_2025_08(tmp_path):
    district = parse_workbook(submission(tmp_path / "d.xlsx", district="116", period="06/2025", houses=[
        house("HX1", "03661", "Xã Chiềng Đen", done=None, status="Đang thi công", start=D(2025, 5, 2))]), TODAY)
    assert [(r["commune_code"], r["commune_list"]) for r in records(district.sheets["houses"])] == [("03661", "2025-02")]
    commune = parse_workbook(_commune_book(tmp_path / "c.xlsx", houses=[
        house("HX1", None, None, start=D(2025, 5, 2), done=D(2025, 8, 12))]), TODAY)
    assert [(r["commune_code"], r["commune_list"]) for r in records(commune.sheets["houses"])] == [("03664", "2025-07")]


def test_an_existing_warehouse_upgrades_in_place(tmp_path):
    """A warehouse written before the reforms: its ledger gains unit_type/unit_code, its rows the list
    of their month (poverty: of their review year), on the first connect."""
    import duckdb

    from pipeline.warehouse import store

    path = store.internal_path(tmp_path)
    path.parent.mkdir(parents=True)
    con = duckdb.connect(str(path))
    con.execute("""
        create schema raw;
        create table raw.submissions (submission_id varchar primary key, file_name varchar not null,
            file_sha256 varchar not null, file_size bigint, file_mtime timestamp, received_at timestamp not null,
            district_code varchar, district_name_written varchar, period date, version integer, prepared_on date,
            outcome varchar not null, status varchar not null, reason varchar);
        create table raw.houses (submission_id varchar not null, excel_row integer not null,
            household_id varchar not null, commune_code varchar not null);
        create table raw.grants (submission_id varchar not null, excel_row integer not null,
            commune_code varchar not null);
        create table raw.poverty (submission_id varchar not null, excel_row integer not null,
            commune_code varchar not null, review_year integer not null);
        insert into raw.submissions values
            ('a', 'a.xlsx', 'x', 1, null, '2025-02-05', '123', 'Mộc Châu', '2025-01-01', 1, null, 'accepted', 'accepted', null),
            ('b', 'b.xlsx', 'y', 1, null, '2025-03-05', '123', null, '2025-02-01', 1, null, 'accepted', 'accepted', null);
        insert into raw.houses values ('a', 2, 'H1', '03988'), ('b', 2, 'H2', '03980');
        insert into raw.grants values ('b', 2, '03980');
        insert into raw.poverty values ('b', 2, '03980', 2024);
    """)
    con.close()
    con = store.connect(tmp_path)
    try:
        assert con.execute("select submission_id, unit_type, unit_code, unit_name_written from raw.submissions "
                           "order by 1").fetchall() == [("a", "district", "123", "Mộc Châu"),
                                                        ("b", "district", "123", None)]
        assert con.execute("select household_id, commune_list from raw.houses order by 1").fetchall() == [
            ("H1", "2024"), ("H2", "2025-02")]
        assert con.execute("select commune_list from raw.grants").fetchall() == [("2025-02",)]
        assert con.execute("select commune_list, village from raw.poverty").fetchall() == [("2024", None)]
    finally:
        con.close()


def test_completeness_view_counts_per_month_and_names_late_and_missing_communes():
    from pipeline.defs.reporting import completeness_months, late_or_missing
    from pipeline.warehouse.completeness import Month, Unit

    july = Month(D(2025, 7, 1), D(2025, 8, 10), [Unit("commune", "03646", "Phường Tô Hiệu", "on_time"),
                                                  Unit("commune", "03664", "Phường Chiềng An", "late", 4)])
    august = Month(D(2025, 8, 1), D(2025, 9, 10), [Unit("commune", "03646", "Phường Tô Hiệu", "missing", 20),
                                                    Unit("commune", "03664", "Phường Chiềng An", "on_time")])
    september = Month(D(2025, 9, 1), D(2025, 10, 10), [Unit("commune", "03646", "Phường Tô Hiệu", "not_due"),
                                                       Unit("commune", "03664", "Phường Chiềng An", "on_time")])
    lines = completeness_months([september, august, july], today=D(2025, 9, 30)).splitlines()
    assert lines[0].startswith("| month | due | units | ✓ on time | L late | ✗ missing")
    assert lines[2] == "| 2025-09 (now due) | 10/10/2025 | 2 | 1 | 0 | 0 | 0 | 1 |  |"
    assert lines[3] == "| 2025-08 | 10/09/2025 | 2 | 1 | 0 | 1 | 0 | 0 | 03646 Phường Tô Hiệu (missing) |"
    assert lines[4] == "| 2025-07 | 10/08/2025 | 2 | 1 | 1 | 0 | 0 | 0 | 03664 Phường Chiềng An (late) |"
    listed = late_or_missing([september, august, july]).splitlines()
    assert listed[2:] == ["| 2025-08 | commune | 03646 | Phường Tô Hiệu | missing | 20 |",
                          "| 2025-07 | commune | 03664 | Phường Chiềng An | late | 4 |"]
