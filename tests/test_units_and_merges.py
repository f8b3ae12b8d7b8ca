"""Units on two-row headers and merged cells, through the real ingest (issue 15).

One load of many small workbooks (one per layout); each test reads its file back from the
raw tables, the ledger and the clerk's feedback workbook.
"""
import pytest

from books import (AMOUNTS, amounts, by_file, case, feedback, flat_header, houses_book, rows_of,
                   two_row_houses, write_book, write_ods)
from loading import load
from workbooks import GRANT_HEADERS, cover_rows, grant

M = 1_000_000
UNIT_HINT = "probably written in nghìn or triệu đồng without the unit"
UNIT_HINT_VI = "có lẽ số tiền được ghi theo nghìn hoặc triệu đồng"
SPELLINGS = {"(đ)": 1, "(VNĐ)": 1, "(ngàn đồng)": 1000, "(1000đ)": 1000, "(1.000đ)": 1000, "(nghìn đ)": 1000,
             "(tr.đ)": M, "(Tr.đ)": M, "(trđ)": M, "(triệu)": M, "(tỷ đồng)": 1000 * M}
# what a clerk writes in each unit for a plausible grant to 10 beneficiaries (below 10,000 đồng each is an error)
WRITTEN = {1: 5 * M, 1000: 5000, M: 5, 1000 * M: 0.05}
MONEY_HEADERS = {
    "ns": ("NS trung ương", "NS địa phương", "XHH"),
    "short": ("NSTW", "NSĐP", "Huy động XHH"),
    "tw": ("Ngân sách TW", "Ngân sách ĐP", "Vốn xã hội hóa"),
    "von": ("Vốn NSTW", "Vốn NSĐP", "Xã hội hoá"),
}


def _files(sources):
    files = {}

    def houses(name, rows, merges=(), **kw):
        files[name] = houses_book(sources / name, rows, merges, **kw)

    rows, merges = two_row_houses("Kinh phí hỗ trợ (triệu đồng)", cases=[case(central=40, local=15.5, social=4.5)],
                                  above=[["DANH SÁCH HỘ ĐƯỢC HỖ TRỢ"]])
    houses("group_unit.xlsx", rows, merges + ["A1:M1"])
    subs = [f"{a} (nghìn đồng)" for a in AMOUNTS]
    rows, merges = two_row_houses("Kinh phí hỗ trợ", subs, [case(central=40_000, local=15_000, social=5_000)])
    houses("sub_unit.xlsx", rows, merges)
    subs = ["Ngân sách trung ương (nghìn đồng)", "Ngân sách địa phương", "Xã hội hóa"]
    rows, merges = two_row_houses("Kinh phí hỗ trợ (triệu đồng)", subs, [case(central=40_000, local=15, social=5)])
    houses("both_units.xlsx", rows, merges)
    rows, merges = two_row_houses("Kinh phí hỗ trợ", cases=[case(central=40 * M, local=15 * M, social=5 * M)])
    houses("group_no_unit.xlsx", rows, merges)
    for name, title in [("title_note", "DANH SÁCH HỘ (Kèm theo Công văn số 12/UBND)"),
                        ("title_unit", "KINH PHÍ HỖ TRỢ NHÀ Ở (triệu đồng)")]:
        houses(f"{name}.xlsx", [[title], flat_header(), case(central=40 * M, local=15 * M, social=5 * M)], ["A1:M1"])
    unit_lines = ["ĐVT: nghìn đồng", "Đơn vị tính: nghìn đồng", "(Đơn vị: nghìn đồng)", "ĐVT - nghìn đồng"]
    for i, line in enumerate(unit_lines):
        above = [["BÁO CÁO NHÀ Ở"], [None] * 10 + [line]]
        headers = flat_header(("Ngân sách trung ương (đồng)", "Ngân sách địa phương", "Xã hội hóa"))
        houses(f"unit_line_{i}.xlsx", [*above, headers, case(central=40 * M, local=15_000, social=5_000)])
    above = [[None] * 10 + ["ĐVT: triệu đồng"]]
    rows, merges = two_row_houses("Ngân sách nhà nước", ("Trung ương", "Địa phương", None), [case()], above)
    rows[1][9] = "Xã hội hóa"
    houses("state_budget_group.xlsx", rows, [m for m in merges if not m.startswith("H")] + ["H2:I2", "J2:J3"])
    rows, merges = two_row_houses("Kinh phí hỗ trợ (triệu đồng)", cases=[case()], merge_group=False)
    houses("unclear_unit.xlsx", rows, merges)
    for i, (unit, _) in enumerate(SPELLINGS.items()):
        headers = [h if h != "Số tiền" else f"Số tiền {unit}" for h in GRANT_HEADERS]
        write_book(sources / f"spelling_{i}.xlsx",
                   {"Thông tin": cover_rows(), "Hỗ trợ": [headers, grant(amount=WRITTEN[SPELLINGS[unit]])]})
    for key, names in MONEY_HEADERS.items():
        houses(f"money_{key}.xlsx", [flat_header(names), case(central=40 * M, local=15 * M, social=5 * M)])
    houses("implausible.xlsx", [flat_header(), case("OK", central=40 * M, local=15 * M, social=5 * M, no=1),
                                case("TR", central=40, local=20, social=0, no=2),
                                case("NG", central=40_000, local=20_000, social=0, no=3)])
    write_book(sources / "implausible_grant.xlsx", {"Thông tin": cover_rows(), "Hỗ trợ": [
        GRANT_HEADERS, grant(amount=330), grant(programme="Hỗ trợ học sinh", amount=5 * M, no=2)]})
    houses("duplicate_column.xlsx", [flat_header(("Ngân sách trung ương", "NSTW", "Xã hội hóa")),
                                     case(central=40 * M, local=15 * M, social=5 * M)])
    _merged_body(houses)
    _poverty_years(sources)
    rows, _ = two_row_houses("Kinh phí hỗ trợ (triệu đồng)", cases=[case(start="06/01/2025", done="20/03/2025")])
    write_ods(sources / "group_unit.ods", {"Thông tin": cover_rows(), "Nhà ở": rows}, {"Nhà ở": {(0, 7): 3}})
    return files


def _merged_body(houses):
    money = dict(central=40 * M, local=15 * M, social=5 * M)
    rows = [["DANH SÁCH"], flat_header(), case("C1", **money), case("C2", name=None, **money, no=2),
            case("C3", name=None, **money, no=3), case("C4", name=None, **money, no=4)]
    for row in rows[3:5]:
        row[2] = None
    rows[5][2] = None
    houses("commune_merged_down.xlsx", rows, ["A1:M1", "D3:D5"])
    rows = [flat_header(), case("A1", **money), case("A2", **{**money, "central": None}, no=2),
            case("A3", **money, no=3)]
    houses("amount_merged_down.xlsx", rows, ["H2:H3"])
    rows = [flat_header(), case("B1", **{**money, "social": None}), case("B2", **money, no=2)]
    houses("merged_across.xlsx", rows, ["I2:J2"])
    rows = [flat_header(), case("S1", **money), case("S2", **money, no=None)]
    houses("stt_merged.xlsx", rows, ["A2:A3"])
    rows = [flat_header(), case("T1", **money), case("T2", **money, status=None, no=2)]
    houses("status_merged_down.xlsx", rows, ["M2:M3"])


def _poverty_years(sources):
    top = ["STT", "Mã xã", "Tên xã", "Năm 2023", None, None, "Năm 2024", None, None]
    sub = [None, None, None, "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Tổng số hộ", "Số hộ nghèo",
           "Số hộ cận nghèo"]
    write_book(sources / "poverty_year_groups.xlsx", {
        "Thông tin": cover_rows(), "Hộ nghèo": [top, sub, [1, "03646", None, 1000, 120, 50, 1000, 100, 40]]},
        {"Hộ nghèo": ["A1:A2", "B1:B2", "C1:C2", "D1:F1", "G1:I1"]})


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("units")
    _files(root / "sources")
    return load(root / "sources", root / "warehouse")


# ---- units ----------------------------------------------------------------------------------

def test_group_unit_applies_to_every_column_under_it(loaded):
    assert amounts(loaded, "group_unit.xlsx") == [(4, 40 * M, 15_500_000, 4_500_000)]
    assert by_file(loaded)["group_unit.xlsx"]["outcome"] == "accepted"


def test_sub_header_unit_only(loaded):
    assert amounts(loaded, "sub_unit.xlsx") == [(3, 40 * M, 15 * M, 5 * M)]


def test_sub_header_unit_wins_over_the_group_unit(loaded):
    assert amounts(loaded, "both_units.xlsx") == [(3, 40 * M, 15 * M, 5 * M)]


def test_group_header_without_a_unit_means_dong(loaded):
    assert amounts(loaded, "group_no_unit.xlsx") == [(3, 40 * M, 15 * M, 5 * M)]


@pytest.mark.parametrize("i", [0, 1, 2, 3])
def test_unit_line_above_the_table_and_the_column_unit_wins(loaded, i):
    assert amounts(loaded, f"unit_line_{i}.xlsx") == [(4, 40 * M, 15 * M, 5 * M)]


def test_state_budget_group_over_central_and_local(loaded):
    # 'Ngân sách nhà nước' merged over 'Trung ương' · 'Địa phương'; 'Xã hội hóa' merged down; ĐVT line
    assert amounts(loaded, "state_budget_group.xlsx") == [(4, 40 * M, 15 * M, 5 * M)]


def test_a_unit_not_merged_over_its_columns_is_unclear_and_rejected(loaded):
    assert by_file(loaded)["unclear_unit.xlsx"]["outcome"] == "rejected"
    problems = feedback(loaded, "unclear_unit.xlsx")
    assert {p["row"] for p in problems} == {3}
    assert all("unclear" in p["reason"] and "không rõ đơn vị" in p["reason_vi"] for p in problems)
    assert "'Kinh phí hỗ trợ (triệu đồng)' (H1)" in problems[0]["reason"]


@pytest.mark.parametrize("i, unit", list(enumerate(SPELLINGS)))
def test_unit_spellings(loaded, i, unit):
    [row] = rows_of(loaded, "grants", f"spelling_{i}.xlsx")
    assert row["amount_vnd"] == round(WRITTEN[SPELLINGS[unit]] * SPELLINGS[unit])


@pytest.mark.parametrize("key", list(MONEY_HEADERS))
def test_money_header_spellings(loaded, key):
    assert amounts(loaded, f"money_{key}.xlsx") == [(2, 40 * M, 15 * M, 5 * M)]


def test_ods_gives_no_merged_ranges_so_a_group_unit_is_unclear_not_guessed(loaded):
    assert by_file(loaded)["group_unit.ods"]["outcome"] == "rejected"
    problems = feedback(loaded, "group_unit.ods")
    assert {p["row"] for p in problems} == {3} and all("unclear" in p["reason"] for p in problems)


def test_a_title_merged_over_the_table_is_not_a_group_header(loaded):
    assert amounts(loaded, "title_note.xlsx") == [(3, 40 * M, 15 * M, 5 * M)]
    # a unit in a title is not a unit line: the amounts' unit is unclear, the rows are rejected
    assert by_file(loaded)["title_unit.xlsx"]["outcome"] == "rejected"
    assert all("unclear" in p["reason"] and "(A1)" in p["reason"] for p in feedback(loaded, "title_unit.xlsx"))


# ---- amounts that cannot be true --------------------------------------------------------------

def test_amounts_typed_in_trieu_or_nghin_without_a_unit_are_row_errors(loaded):
    assert [r["household_id"] for r in rows_of(loaded, "houses", "implausible.xlsx")] == ["OK"]
    problems = feedback(loaded, "implausible.xlsx")
    cells = sorted((p["cell"], p["value"]) for p in problems)
    assert cells == [("'Nhà ở'!H3", "40"), ("'Nhà ở'!H4", "40000"), ("'Nhà ở'!I3", "20")]
    for problem in problems:
        assert UNIT_HINT in problem["reason"] and UNIT_HINT_VI in problem["reason_vi"], problem
        assert problem["severity"].startswith("Lỗi")
    below_norm = [p for p in problems if p["row"] == 4]
    assert "1% of the programme norm" in below_norm[0]["reason"]


def test_a_grant_of_330_dong_is_a_row_error(loaded):
    [row] = rows_of(loaded, "grants", "implausible_grant.xlsx")
    assert (row["excel_row"], row["amount_vnd"]) == (3, 5 * M)
    [problem] = feedback(loaded, "implausible_grant.xlsx")
    assert (problem["cell"], problem["value"]) == ("'Hỗ trợ'!F2", "330") and UNIT_HINT in problem["reason"]


def test_two_columns_for_one_field_reject_the_rows(loaded):
    [problem] = feedback(loaded, "duplicate_column.xlsx")
    assert "'Ngân sách trung ương' (H) and 'NSTW' (I)" in problem["reason"]
    assert rows_of(loaded, "houses", "duplicate_column.xlsx") == []


# ---- merged cells in the body and elsewhere --------------------------------------------------

def test_commune_merged_down_fills_exactly_its_rows(loaded):
    rows = rows_of(loaded, "houses", "commune_merged_down.xlsx")
    assert [(r["excel_row"], r["commune_code"]) for r in rows] == [(3, "03646"), (4, "03646"), (5, "03646")]
    [problem] = feedback(loaded, "commune_merged_down.xlsx")
    assert problem["row"] == 6 and "commune missing" in problem["reason"]


def test_amount_merged_down_rejects_each_row_it_covers(loaded):
    assert [r["household_id"] for r in rows_of(loaded, "houses", "amount_merged_down.xlsx")] == ["A3"]
    problems = feedback(loaded, "amount_merged_down.xlsx")
    assert [p["row"] for p in problems] == [2, 3]
    assert all("merged over several rows" in p["reason"] for p in problems)


def test_cells_merged_across_columns_reject_the_row(loaded):
    assert [r["household_id"] for r in rows_of(loaded, "houses", "merged_across.xlsx")] == ["B2"]
    [problem] = feedback(loaded, "merged_across.xlsx")
    assert problem["row"] == 2 and "merged across the columns" in problem["reason"]


def test_merged_stt_is_ignored(loaded):
    assert [r["household_id"] for r in rows_of(loaded, "houses", "stt_merged.xlsx")] == ["S1", "S2"]


def test_status_merged_down_is_given_to_each_row(loaded):
    rows = rows_of(loaded, "houses", "status_merged_down.xlsx")
    assert [(r["household_id"], r["status"]) for r in rows] == [("T1", "completed"), ("T2", "completed")]
    assert by_file(loaded)["status_merged_down.xlsx"]["outcome"] == "accepted"


def test_a_year_over_a_group_of_columns_is_rejected_with_a_reason(loaded):
    problems = feedback(loaded, "poverty_year_groups.xlsx")
    assert problems and all("Năm rà soát" in p["reason"] for p in problems)
    assert by_file(loaded)["poverty_year_groups.xlsx"]["outcome"] == "rejected"


def test_counts_add_up_and_every_skipped_row_is_listed(loaded):
    sheets = loaded.rows("select submission_id, sheet, rows_read, rows_loaded, rows_rejected, rows_skipped "
                         "from raw.submission_sheets")
    listed = {(r["submission_id"], r["sheet_kind"]): r["n"] for r in loaded.rows(
        "select submission_id, sheet_kind, count(*) as n from raw.skipped_rows group by all")}
    for sheet in sheets:
        assert sheet["rows_read"] == sheet["rows_loaded"] + sheet["rows_rejected"] + sheet["rows_skipped"]
        assert sheet["rows_skipped"] == listed.get((sheet["submission_id"], sheet["sheet"]), 0), sheet
