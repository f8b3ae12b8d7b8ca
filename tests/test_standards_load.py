"""Poverty standards through the real load (issue 25): `python -m pipeline load` on workbooks a test writes
the way clerks do (titles, merged title lines, Vietnamese labels), many in one load.

District 116 (Thành phố Sơn La) sends its twelve communes' reviews 2020-2024 with January's report; its
four communes of today's map send the 2025 review (January 2026) and the 2026 review (December 2026:
the review that classifies the households of 2027, under Decree 351/2025 by default). Some state their
standard on the cover or in a line above the table, some do not; three state one that cannot stand.
Then Phường Chiềng Sinh resubmits its 2026 review stating the old standard (the transition allows it)
and the warehouse is loaded again.

Checked on the published marts, every level: 2020 -> 2021 and 2025 -> 2026 are breaks (change_pp null,
comparable_with_previous false), 2021 -> 2025 are not; a stated standard overrides the seed where it
is allowed, and is a row error where it is not; communes of one year on two standards make the
province's year mixed; the report draws the break and averages within one standard (against SQL).
"""
from __future__ import annotations

import re
import shutil

import duckdb
import pytest
from loading import write_xlsxwriter
from report_checks import island

from runner import query, run_load

pytestmark = pytest.mark.slow   # real CLI loads (ingest, dbt build, publish, report)

DISTRICT_116 = [("03646", "Phường Chiềng Lề"), ("03649", "Phường Tô Hiệu"), ("03652", "Phường Quyết Thắng"),
                ("03655", "Phường Quyết Tâm"), ("03658", "Xã Chiềng Cọ"), ("03661", "Xã Chiềng Đen"),
                ("03664", "Xã Chiềng Xôm"), ("03667", "Phường Chiềng An"), ("03670", "Phường Chiềng Cơi"),
                ("03673", "Xã Chiềng Ngần"), ("03676", "Xã Hua La"), ("03679", "Phường Chiềng Sinh")]
TODAY_116 = [("03646", "Phường Tô Hiệu"), ("03664", "Phường Chiềng An"), ("03670", "Phường Chiềng Cơi"),
             ("03679", "Phường Chiềng Sinh")]
HEADER = ["STT", "Mã xã", "Tên xã", "Năm rà soát", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo"]
COMMUNE_HEADER = ["STT", "Năm rà soát", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo"]


def _counts(i: int, year: int) -> tuple[int, int, int]:
    total = 800 + 37 * i + 6 * (year - 2020)
    return total, total * (22 - 3 * (year - 2020)) // 100, total * 8 // 100


def _district_book(path, district: str, name: str, month: str, year: int, communes, cover=(), title_lines=()):
    """A district's January report carrying the year just ended: cover, a merged title, the table."""
    title = f"KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {year}"
    rows = [[], *[[None, line] for line in title_lines], [], HEADER]
    rows += [[n, code, commune, year, *_counts(n, year)] for n, (code, commune) in enumerate(communes, start=1)]
    rows += [[None, None, "Tổng cộng"], [], [None, None, "Người lập biểu", None, None, "Trưởng phòng"]]
    write_xlsxwriter(path, {"Thông tin": [["BÁO CÁO CHƯƠNG TRÌNH GIẢM NGHÈO"], [], ["Mã huyện:", district],
                                          ["Tên huyện:", name], ["Kỳ báo cáo:", month], ["Lần gửi:", 1], *cover],
                            "Hộ nghèo": rows}, {"Hộ nghèo": [("B1:G1", title)]})
    return path


def _commune_book(path, code: str, name: str, month: str, year: int, n: int, cover=(), title_lines=(), version=1):
    """A commune's own report (from 2025-07): no commune column, its one row is its own."""
    total, poor, near = _counts(3 * n, 2024)
    total, poor = 3 * total + 40 * (year - 2025), (3 * poor) * (100 - 12 * (year - 2024)) // 100
    rows = [[f"UBND {name.upper()}"], [f"KẾT QUẢ RÀ SOÁT HỘ NGHÈO NĂM {year}"], *[[line] for line in title_lines],
            COMMUNE_HEADER, [1, year, total, poor, 3 * near], [], [None, None, "Người lập biểu"]]
    write_xlsxwriter(path, {"Thông tin": [["Mã xã", code], ["Tên xã", name], ["Kỳ báo cáo", month],
                                          ["Lần gửi", version], *cover], "Hộ nghèo": rows})
    return path


def _write(sources):
    district = sources / "116"
    _district_book(district / "bao_cao_2021_01.xlsx", "116", "Thành phố Sơn La", "01/2021", 2020, DISTRICT_116)
    # the 2021 review: the decree on the cover (the standard of the general review, the seed's default too)
    _district_book(district / "bao_cao_2022_01.xlsx", "116", "Thành phố Sơn La", "01/2022", 2021, DISTRICT_116,
                   cover=[["Chuẩn nghèo:", "Nghị định 07/2021/NĐ-CP"]])
    _district_book(district / "bao_cao_2023_01.xlsx", "116", "Thành phố Sơn La", "01/2023", 2022, DISTRICT_116,
                   title_lines=["(Theo chuẩn nghèo đa chiều giai đoạn 2022 - 2025)"])
    _district_book(district / "bao_cao_2024_01.xlsx", "116", "Thành phố Sơn La", "01/2024", 2023, DISTRICT_116)
    _district_book(district / "bao_cao_2025_01.xlsx", "116", "Thành phố Sơn La", "01/2025", 2024, DISTRICT_116)
    communes = sources / "xa"
    for n, (code, name) in enumerate(TODAY_116, start=1):
        _commune_book(communes / f"{code}_2026_01.xlsx", code, name, "01/2026", 2025, n)
    # the 2026 review (December 2026): stated on the cover, above the table, or not at all (the seed's default)
    _commune_book(communes / "03646_2026_12.xlsx", "03646", "Phường Tô Hiệu", "12/2026", 2026, 1,
                  cover=[["Chuẩn nghèo", "Nghị định 351/2025/NĐ-CP"]])
    _commune_book(communes / "03664_2026_12.xlsx", "03664", "Phường Chiềng An", "12/2026", 2026, 2,
                  title_lines=["Chuẩn nghèo: 2027-2030 (Nghị định 351/2025/NĐ-CP)"])
    _commune_book(communes / "03670_2026_12.xlsx", "03670", "Phường Chiềng Cơi", "12/2026", 2026, 3)
    _commune_book(communes / "03679_2026_12.xlsx", "03679", "Phường Chiềng Sinh", "12/2026", 2026, 4)
    # standards that cannot stand: the new standard for the 2025 review, a period no standard has, two that disagree
    _commune_book(communes / "03688_2026_01.xlsx", "03688", "Xã Mường Chiên", "01/2026", 2025, 5,
                  cover=[["Chuẩn nghèo:", "Nghị định 351/2025/NĐ-CP"]])
    _district_book(sources / "118" / "bao_cao_2024_01.xlsx", "118", "Huyện Quỳnh Nhai", "01/2024", 2023,
                   [("03682", "Xã Mường Chiên")], title_lines=["Chuẩn nghèo giai đoạn 2021-2025"])
    _commune_book(communes / "04222_2026_12.xlsx", "04222", "Xã Chiềng Khương", "12/2026", 2026, 6,
                  cover=[["Chuẩn nghèo", "2027-2030"]], title_lines=["(Theo chuẩn nghèo 2022-2025)"])


def _resubmission(sources):
    """Phường Chiềng Sinh's 2026 review again, stating the standard it used: the transition's old one."""
    _commune_book(sources / "xa" / "03679_2026_12_lan2.xlsx", "03679", "Phường Chiềng Sinh", "12/2026", 2026, 4,
                  cover=[["Chuẩn nghèo:", "Nghị định 07/2021/NĐ-CP"]], version=2)


@pytest.fixture(scope="module")
def loads(tmp_path_factory):
    """(the first load's published warehouse, the second's), both real CLI loads into one warehouse."""
    root = tmp_path_factory.mktemp("standards")
    _write(root / "sources")
    done = run_load(root / "sources", root / "warehouse")
    assert done.returncode == 0, done.stderr[-3000:]
    first = root / "first"
    first.mkdir()
    shutil.copy(root / "warehouse" / "bi.duckdb", first / "bi.duckdb")
    shutil.copy(root / "warehouse" / "report" / "index.html", first / "index.html")
    _resubmission(root / "sources")
    again = run_load(root / "sources", root / "warehouse")
    assert again.returncode == 0, again.stderr[-3000:]
    return first, root / "warehouse", done.stdout


def _by_year(warehouse, sql, params=None) -> dict:
    return {row[0]: row[1:] for row in query(warehouse, sql, params)}


BREAKS = (2021, 2026)


def test_a_change_of_standard_is_a_break_for_the_province_and_nothing_else_is(loads):
    first, _, _ = loads
    years = _by_year(first, "select review_year, poverty_standard, comparable_with_previous, change_pp, "
                            "near_poor_change_pp from marts.agg_poverty_province_year order by 1")
    assert {y: s for y, (s, *_) in years.items()} == {
        2020: "2016-2020", 2021: "2022-2025", 2022: "2022-2025", 2023: "2022-2025", 2024: "2022-2025",
        2025: "2022-2025", 2026: "2027-2030"}
    for year in BREAKS:
        assert years[year][1:] == (False, None, None), year
    for year in range(2022, 2026):
        assert years[year][1] is True and years[year][2] is not None and years[year][3] is not None, year
    assert years[2020][1:3] == (False, None)            # nothing before it
    # the reporting layer says the same
    assert _by_year(first, "select review_year, comparable_with_previous, change_pp from marts.rpt_poverty_province "
                           "order by 1") == {y: v[1:3] for y, v in years.items()}


def test_a_change_of_standard_is_a_break_for_the_district(loads):
    first, _, _ = loads
    years = _by_year(first, "select review_year, poverty_standard, comparable_with_previous, change_pp "
                            "from marts.agg_poverty_district_year where district_code = '116' order by 1")
    assert years[2021] == ("2022-2025", False, None) and years[2020][:2] == ("2016-2020", False)
    assert all(years[y][1] is True and years[y][2] is not None for y in range(2022, 2025))
    district = _by_year(first, "select review_year, first_review_year, change_since_first_pp, change_pp "
                               "from marts.rpt_poverty_district where district_code = '116' order by 1")
    # the change since the first year is read within one standard: from 2021, never from 2020
    assert {y: v[0] for y, v in district.items()} == {2020: 2020, 2021: 2021, 2022: 2021, 2023: 2021, 2024: 2021}
    assert district[2021][1:] == (0, None)              # its own first year: no change from 2020


def test_a_change_of_standard_is_a_break_for_each_commune(loads):
    first, _, _ = loads
    reported = query(first, "select commune_code, review_year, poverty_standard, poverty_standard_source, "
                            "comparable_with_previous from marts.fct_poverty_rates order by 1, 2")
    by_key = {(c, y): rest for c, y, *rest in reported}
    for code, _ in DISTRICT_116:
        assert by_key[(code, 2020)] == ["2016-2020", "default", False]
        assert by_key[(code, 2021)] == ["2022-2025", "stated", False]          # Nghị định 07/2021 on the cover
        assert by_key[(code, 2022)] == ["2022-2025", "stated", True]           # the line above the table
        assert by_key[(code, 2023)][2] is True and by_key[(code, 2024)][2] is True
    for code, _ in TODAY_116:
        assert by_key[(code, 2025)] == ["2022-2025", "default", True]         # its old communes' 2024 review
    assert [by_key[(code, 2026)] for code, _ in TODAY_116] == [
        ["2027-2030", "stated", False], ["2027-2030", "stated", False], ["2027-2030", "default", False],
        ["2027-2030", "default", False]]
    today = query(first, "select commune_2025_code, review_year, poverty_standard, comparable_with_previous, "
                         "change_pp from marts.agg_poverty_commune_year order by 1, 2")
    for code, year, standard, comparable, change in today:
        if year in BREAKS:
            assert (comparable, change) == (False, None), (code, year)
        else:
            assert comparable is True and change is not None and standard == "2022-2025", (code, year)
    assert {(c, y) for c, y, *_ in today} == {(c, y) for c, _ in TODAY_116 for y in range(2021, 2027)}


def test_a_2026_review_under_the_new_standard_is_not_chained_to_2025(loads):
    first, _, _ = loads
    [(standard, label, comparable, change, like_for_like)] = query(
        first, "select poverty_standard, poverty_standard_label_en, comparable_with_previous, change_pp, "
               "change_like_for_like from marts.rpt_poverty_province where review_year = 2026")
    assert (standard, comparable, change, like_for_like) == ("2027-2030", False, None, None)
    assert label == "2027-2030 standard (Decree 351/2025/NĐ-CP)"
    changes = query(first, "select commune_2025_code, change_pp, change_like_for_like from marts.rpt_poverty_commune "
                           "where review_year = 2026")
    assert len(changes) == 4 and all(change is None and flag is None for _, change, flag in changes)


def test_a_standard_that_cannot_stand_rejects_the_rows_with_a_reason(loads):
    first, _, _ = loads
    rejected = {row[0]: row[1:] for row in query(
        first, "select s.file_name, r.rule, r.\"column\", r.value, r.reason, r.reason_vi from audit.rejected_rows r "
               "join audit.submissions s using (submission_id) where r.sheet_kind = 'poverty' order by 1")}
    rule, column, value, reason, reason_vi = rejected["xa/03688_2026_01.xlsx"]
    assert (rule, column, value) == ("poverty_standard_allowed_for_year", "Chuẩn nghèo", "Nghị định 351/2025/NĐ-CP")
    assert ("(standard 2027-2030) does not apply to review year 2025: a 2025 review is classified under 2022-2025 "
            "(Nghị định 07/2021/NĐ-CP)") in reason
    assert "không áp dụng cho năm rà soát 2025" in reason_vi
    rule, _, value, reason, _ = rejected["118/bao_cao_2024_01.xlsx"]
    assert (rule, value) == ("poverty_standard_known", "Chuẩn nghèo giai đoạn 2021-2025")
    assert "names no poverty standard we know" in reason
    rule, _, value, _, _ = rejected["xa/04222_2026_12.xlsx"]
    assert (rule, value) == ("poverty_standard_stated_once", "2027-2030' / '(Theo chuẩn nghèo 2022-2025)")
    statuses = dict(query(first, "select file_name, status from audit.submissions where file_name in "
                                 "('xa/03688_2026_01.xlsx', '118/bao_cao_2024_01.xlsx', 'xa/04222_2026_12.xlsx')"))
    assert set(statuses.values()) == {"rejected"}
    # nothing of theirs counts anywhere
    assert query(first, "select count(*) from marts.fct_poverty_rates where commune_code in ('03688', '03682', "
                        "'04222')") == [(0,)]


def test_a_stated_standard_the_transition_allows_overrides_the_seed_and_makes_the_year_mixed(loads):
    first, second, _ = loads
    [before] = query(first, "select poverty_standard, comparable_with_previous from marts.fct_poverty_rates "
                            "where commune_code = '03679' and review_year = 2026")
    [after] = query(second, "select poverty_standard, poverty_standard_source, comparable_with_previous "
                            "from marts.fct_poverty_rates where commune_code = '03679' and review_year = 2026")
    assert before == ("2027-2030", False) and after == ("2022-2025", "stated", True)
    [(change, comparable)] = query(second, "select change_pp, comparable_with_previous from "
                                           "marts.agg_poverty_commune_year where commune_2025_code = '03679' and "
                                           "review_year = 2026")
    assert comparable is True and change is not None      # its own series goes on under the old standard
    # the province's 2026: communes on two standards, comparable with nothing
    assert query(second, "select poverty_standard, comparable_with_previous, change_pp from "
                         "marts.agg_poverty_province_year where review_year = 2026") == [("mixed", False, None)]
    assert query(second, "select poverty_standard_label_en from marts.rpt_poverty_province where review_year = 2026") \
        == [("mixed standards (not comparable)",)]


def test_the_report_draws_the_break_and_averages_within_one_standard(loads):
    first, _, stdout = loads
    html = (first / "index.html").read_text(encoding="utf-8")
    figures = island(html)
    con = duckdb.connect(str(first / "bi.duckdb"), read_only=True)
    try:
        province = con.execute("select review_year, poverty_standard, change_pp from marts.agg_poverty_province_year "
                               "order by 1").fetchall()
    finally:
        con.close()
    shown = {r["review_year"]: (r["poverty_standard"], r["change_pp"]) for r in figures["poverty_province"]}
    assert shown == {y: (s, None if c is None else float(c)) for y, s, c in province}
    # the average: the changes of the standard of the latest change (2022-2025: 2022..2025), from its base year
    changes = [(y, float(c)) for y, s, c in province if c is not None and s == "2022-2025"]
    head = figures["headline"]["poverty"]
    assert abs(head["average_change_pp"] - sum(c for _, c in changes) / len(changes)) < 0.006
    assert (head["changes_from"], head["changes_to"], head["average_standard"]) == (2021, 2025, "2022-2025")
    assert (head["review_year"], head["poverty_standard"], head["change_pp"]) == (2026, "2027-2030", None)
    assert "đổi chuẩn nghèo: không so sánh với năm" in html and "2021–2025 (chuẩn nghèo 2022-2025" in html
    table = html.split('data-table="poverty_province"')[1].split("</table>")[0]
    for year in BREAKS:
        assert "đổi chuẩn · new standard" in re.search(rf"<td[^>]*>{year}</td>(.*?)</tr>", table, re.S).group(1)
    # the load's summary says which years stand on which standard, and the average's
    assert ("  poverty standards (rates of two are not comparable): 2020 2016-2020, 2021–2025 2022-2025, "
            "2026 2027-2030; average change a year within 2022-2025: ") in stdout
