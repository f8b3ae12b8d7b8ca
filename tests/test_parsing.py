"""Every tolerated layout of the submission format, on real .xlsx files written by the test,
read through parse_workbook (the same function ingest runs)."""
import datetime as dt
import unicodedata

import pytest

from loading import TODAY, Formula, write_xlsxwriter
from pipeline.ingest.cover import CoverError, parse_cover
from pipeline.ingest.parse import parse_workbook
from pipeline.form import sheet_kind
from workbooks import (GRANT_HEADERS, HOUSE_HEADERS, POVERTY_HEADERS, cover_rows, grant, house, poverty, records,
                       write_workbook)

NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731


def parse(tmp_path, sheets, name="w.xlsx", writer=write_workbook):
    return parse_workbook(writer(tmp_path / name, sheets), TODAY)


def houses_of(parsed):
    return parsed.sheets["houses"]


def only_records(sheet, *keys):
    return [tuple(r.get(k) for k in keys) for r in records(sheet)]


# ---- sheet names ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, kind", [
    ("Thông tin", "cover"), ("Thong tin", "cover"), ("Thong_tin", "cover"), ("Cover", "cover"), ("INFO", "cover"),
    ("Nhà ở", "houses"), ("Nha o", "houses"), ("Nha_o", "houses"), ("houses", "houses"), ("NHÀ Ở ", "houses"),
    (NFD("Nhà ở"), "houses"), ("Hỗ trợ", "grants"), ("Ho_tro", "grants"), ("Grants", "grants"),
    ("Hộ nghèo", "poverty"), ("ho ngheo", "poverty"), ("POVERTY", "poverty"), ("Sheet1", None), ("Ghi chú", None),
])
def test_sheet_names(name, kind):
    assert sheet_kind(name) == kind


def test_variant_sheet_names_in_a_real_file_and_other_sheets_ignored(tmp_path):
    parsed = parse(tmp_path, {"Sheet1": [["x"]], "thong_tin": cover_rows(), "NHA_O": [HOUSE_HEADERS, house()],
                              NFD("Hỗ trợ"): [GRANT_HEADERS, grant()], "Poverty": [POVERTY_HEADERS, poverty()]})
    assert not parsed.rejected
    assert set(parsed.sheets) == {"houses", "grants", "poverty"}
    assert parsed.sheets["houses"].sheet_name == "NHA_O"


# ---- headers -------------------------------------------------------------------------------

HEADER_VARIANTS = {
    "no diacritics": ["STT", "Ma ho", "Ma xa", "Ten xa", "Ban", "Ho ten chu ho", "So CCCD", "Dan toc", "Doi tuong",
                      "Hinh thuc ho tro", "Ngan sach trung uong", "Ngan sach dia phuong", "Xa hoi hoa",
                      "Ngay khoi cong", "Ngay hoan thanh", "Tinh trang", "Ghi chu"],
    "upper case, spaces, line breaks": [f"  {h.upper()}  " if i % 2 else h.replace(" ", "\n ") for i, h in
                                        enumerate(HOUSE_HEADERS)],
    "NFD": [NFD(h) for h in HOUSE_HEADERS],
    "English": ["no", "household_id", "commune_code", "commune_name", "village", "household_head", "national_id",
                "ethnicity", "category", "support_type", "central_budget", "local_budget", "social_contribution",
                "start_date", "completion_date", "status", "notes"],
}


@pytest.mark.parametrize("variant", list(HEADER_VARIANTS))
def test_header_spellings(tmp_path, variant):
    parsed = parse(tmp_path, {"Thông tin": cover_rows(), "Nhà ở": [HEADER_VARIANTS[variant], house("H7")]})
    sheet = houses_of(parsed)
    assert not sheet.problems, sheet.problems
    [record] = records(sheet)
    assert (record["household_id"], record["commune_code"], record["central_budget"], record["status"]) == (
        "H7", "03646", 40_000_000, "completed")


def test_english_enumeration_values(tmp_path):
    row = house(category="near_poor", support="repair", status="in_progress", done=None)
    row2 = house("H2", category="MERITORIOUS", support="new_build", status="completed")
    parsed = parse(tmp_path, {"Thông tin": cover_rows(), "Nhà ở": [HOUSE_HEADERS, row, row2],
                              "Hỗ trợ": [GRANT_HEADERS, grant(programme="students", source="social")]})
    assert only_records(houses_of(parsed), "category", "support_type", "status") == [
        ("near_poor", "repair", "in_progress"), ("meritorious", "new_build", "completed")]
    assert only_records(parsed.sheets["grants"], "programme", "funding_source") == [("students", "social")]


def test_vietnamese_enumerations_without_diacritics_and_nfd(tmp_path):
    row = house(category="ho can ngheo", support=NFD("Sửa chữa"), status="DANG THI CONG", done=None)
    parsed = parse(tmp_path, {"Thông tin": cover_rows(), "Nhà ở": [HOUSE_HEADERS, row]})
    assert only_records(houses_of(parsed), "category", "support_type", "status") == [
        ("near_poor", "repair", "in_progress")]


def test_title_rows_merged_cells_and_blank_rows_above_header(tmp_path):
    import openpyxl
    path = tmp_path / "t.xlsx"
    write_workbook(path, {"Thông tin": cover_rows(), "Nhà ở": [
        ["UBND HUYỆN"], ["DANH SÁCH HỘ ĐƯỢC HỖ TRỢ NHÀ Ở"], [None], ["(Kèm theo báo cáo tháng 3/2025)"], [],
        HOUSE_HEADERS, house("H1"), house("H2", no=2)]})
    book = openpyxl.load_workbook(path)
    book["Nhà ở"].merge_cells("A1:Q1")
    book["Nhà ở"].merge_cells("A2:Q2")
    book.save(path)
    sheet = houses_of(parse_workbook(path, TODAY))
    assert sheet.header_row == 6
    assert [r["excel_row"] for r in records(sheet)] == [7, 8]
    assert sheet.rows_read == 2 and sheet.rows_skipped == 0


def test_two_line_merged_header(tmp_path):
    import openpyxl
    top = ["STT", "Mã hộ", "Tên xã", "Họ tên chủ hộ", "Đối tượng", "Hình thức hỗ trợ",
           "Kinh phí hỗ trợ (triệu đồng)", None, None, "Tình trạng", "Ngày hoàn thành"]
    below = [None, None, None, None, None, None, "Ngân sách trung ương (triệu đồng)",
             "Ngân sách địa phương (triệu đồng)", "Xã hội hóa (triệu đồng)", None, None]
    data = [1, "H1", "Chiềng Lề", "A", "Hộ nghèo", "Xây mới", "40", "15,5", "4,5", "Hoàn thành", "20/03/2025"]
    path = write_workbook(tmp_path / "m.xlsx", {"Thông tin": cover_rows(), "Nhà ở": [["TIÊU ĐỀ"], top, below, data]})
    book = openpyxl.load_workbook(path)
    ws = book["Nhà ở"]
    ws.merge_cells("G2:I2")
    for col in "ABCDEFJK":
        ws.merge_cells(f"{col}2:{col}3")
    book.save(path)
    sheet = houses_of(parse_workbook(path, TODAY))
    assert not sheet.problems, sheet.problems
    assert only_records(sheet, "excel_row", "central_budget", "local_budget", "social_contribution") == [
        (4, 40_000_000, 15_500_000, 4_500_000)]


@pytest.mark.parametrize("numbers", [[f"({i})" for i in range(1, 18)], list(range(1, 18)),
                                     [str(i) for i in range(1, 18)]])
def test_column_number_row_is_skipped(tmp_path, numbers):
    parsed = parse(tmp_path, {"Thông tin": cover_rows(), "Nhà ở": [HOUSE_HEADERS, numbers, house("H1")]})
    sheet = houses_of(parsed)
    assert not sheet.problems
    assert [r["excel_row"] for r in records(sheet)] == [3]
    assert (sheet.rows_read, sheet.rows_skipped) == (2, 1)


def test_columns_in_any_order_and_unknown_columns_ignored(tmp_path):
    order = list(reversed(range(len(HOUSE_HEADERS))))
    headers = [HOUSE_HEADERS[i] for i in order] + ["Cột lạ", "Unknown"]
    row = house("H9", central="10.000.000")
    data = [row[i] for i in order] + ["rác", 123]
    sheet = houses_of(parse(tmp_path, {"Thông tin": cover_rows(), "Nhà ở": [headers, data]}))
    assert not sheet.problems
    [record] = records(sheet)
    assert record["household_id"] == "H9" and record["central_budget"] == 10_000_000
    assert "Cột lạ" not in str(record)


def test_blank_rows_between_data(tmp_path):
    sheet = houses_of(parse(tmp_path, {"Thông tin": cover_rows(), "Nhà ở": [
        HOUSE_HEADERS, house("H1"), [], [None, "  ", None], house("H2", no=2), [], house("H3", no=3)]}))
    assert [r["excel_row"] for r in records(sheet)] == [2, 5, 7]
    assert (sheet.rows_read, sheet.rows_skipped) == (6, 3)


def _totals_sheet(total_central):
    return [HOUSE_HEADERS, house("H1", central=40_000_000), house("H2", central=20_000_000, no=2),
            [None, "Tổng cộng", None, None, None, None, None, None, None, None, total_central, 30_000_000,
             10_000_000]]


def test_total_row_matching_is_skipped_without_warning(tmp_path):
    sheet = houses_of(parse(tmp_path, {"Thông tin": cover_rows(), "Nhà ở": _totals_sheet("60.000.000")}))
    assert len(records(sheet)) == 2 and not sheet.warnings and not sheet.problems
    assert sheet.rows_skipped == 1


@pytest.mark.parametrize("word", ["Tổng cộng", "Cộng", "TONG", "Total", "tổng số"])
def test_total_row_mismatch_is_a_warning(tmp_path, word):
    rows = _totals_sheet(61_000_000)
    rows[-1][1] = word
    sheet = houses_of(parse(tmp_path, {"Thông tin": cover_rows(), "Nhà ở": rows}))
    assert len(records(sheet)) == 2 and not sheet.problems
    [warning] = sheet.warnings
    assert (warning.excel_row, warning.column, warning.value) == (4, "Ngân sách trung ương", "61000000")
    assert "total row" in warning.reason


def test_commune_named_like_a_total_word_is_data(tmp_path):
    # 'Tông Lạnh' folds to 'tong lanh': a commune of district 119, not a total row
    headers = ["STT", "Tên xã", "Mã hộ", "Họ tên chủ hộ", "Đối tượng", "Hình thức hỗ trợ", "Tình trạng"]
    data = [1, "Tông Lạnh", "H1", "A", "Hộ nghèo", "Xây mới", "Đang thi công"]
    sheet = houses_of(parse(tmp_path, {"Thông tin": cover_rows(district="119"), "Nhà ở": [headers, data]}))
    assert [r["commune_code"] for r in records(sheet)] == ["03772"]


def test_signature_block_and_notes_below_are_ignored(tmp_path):
    sheet = houses_of(parse(tmp_path, {"Thông tin": cover_rows(), "Nhà ở": [
        HOUSE_HEADERS, house("H1"), [], ["Ghi chú: số liệu tính đến 31/3/2025"],
        [None, None, "Sơn La, ngày 5 tháng 4 năm 2025"],
        [None, "Người lập biểu", None, None, None, "Thủ trưởng đơn vị"], [], [None, "Lò Văn A", None, None, None, "Cầm B"],
        ["Trưởng phòng"]]}))
    assert [r["excel_row"] for r in records(sheet)] == [2]
    assert not sheet.problems
    assert sheet.rows_read == 8 and sheet.rows_skipped == 7


# ---- units and numbers as text -------------------------------------------------------------

@pytest.mark.parametrize("unit, written, expected", [
    ("", "60.500.000", 60_500_000), ("(đồng)", "60.500.000 đ", 60_500_000), ("(đồng)", 60500000, 60_500_000),
    ("(nghìn đồng)", "60.500,0", 60_500_000), ("(nghìn đồng)", "60.500,5", 60_500_500),
    ("(triệu đồng)", "60,5", 60_500_000), ("(triệu đồng)", 60.5, 60_500_000), ("(triệu đồng)", "60.5", 60_500_000),
    ("(Triệu Đồng)", "1.250.000", 1_250_000_000_000), ("(trieu dong)", " 60,5 ", 60_500_000),
    ("(đồng)", "1.250", 1_250), ("(đồng)", "60.500.000 VNĐ", 60_500_000), ("(đồng)", "60.500.000 đồng", 60_500_000),
])
def test_units_and_vietnamese_numbers(tmp_path, unit, written, expected):
    headers = [h if h != "Ngân sách trung ương" else f"Ngân sách trung ương {unit}" for h in HOUSE_HEADERS]
    sheet = houses_of(parse(tmp_path, {"Thông tin": cover_rows(), "Nhà ở": [
        headers, house("H1", central=written, local=0, social=0)]}))
    assert not sheet.problems, sheet.problems
    assert records(sheet)[0]["central_budget"] == expected


def test_whole_number_rule_count_vs_million_column(tmp_path):
    headers = [h if h != "Số tiền" else "Số tiền (triệu đồng)" for h in GRANT_HEADERS]
    sheet = parse(tmp_path, {"Thông tin": cover_rows(), "Hỗ trợ": [
        headers, grant(beneficiaries="1.250", amount="2,5"),
        grant(programme="Hỗ trợ học sinh", beneficiaries=3, amount="1.250", no=2)]}).sheets["grants"]
    assert only_records(sheet, "excel_row", "beneficiaries", "amount") == [(2, 1250, 2_500_000)]
    [problem] = sheet.problems
    assert (problem.excel_row, problem.column, problem.value) == (3, "Số tiền (triệu đồng)", "1.250")
    assert "two ways" in problem.reason


def test_unreadable_number_and_unknown_unit_are_row_errors(tmp_path):
    sheet = houses_of(parse(tmp_path, {"Thông tin": cover_rows(), "Nhà ở": [
        HOUSE_HEADERS, house("H1", local="mười lăm triệu")]}))
    [problem] = sheet.problems
    assert (problem.column, problem.value) == ("Ngân sách địa phương", "mười lăm triệu")
    headers = [h if h != "Xã hội hóa" else "Xã hội hóa (USD)" for h in HOUSE_HEADERS]
    sheet = houses_of(parse(tmp_path, {"Thông tin": cover_rows(), "Nhà ở": [headers, house("H1")]}, "u.xlsx"))
    [problem] = sheet.problems
    assert problem.column == "Xã hội hóa (USD)" and "unit" in problem.reason


# ---- dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("written", [dt.date(2025, 3, 20), dt.datetime(2025, 3, 20, 0, 0), "20/03/2025",
                                     "20-03-2025", "2025-03-20", "20/3/2025"])
def test_date_forms(tmp_path, written):
    sheet = houses_of(parse(tmp_path, {"Thông tin": cover_rows(), "Nhà ở": [HOUSE_HEADERS, house(done=written)]}))
    assert not sheet.problems
    assert records(sheet)[0]["completion_date"] == dt.date(2025, 3, 20)


def test_month_first_date_is_a_row_error(tmp_path):
    sheet = houses_of(parse(tmp_path, {"Thông tin": cover_rows(), "Nhà ở": [
        HOUSE_HEADERS, house(done="03/20/2025")]}))
    [problem] = sheet.problems
    assert (problem.excel_row, problem.column, problem.value) == (2, "Ngày hoàn thành", "03/20/2025")
    assert "dd/mm/yyyy" in problem.reason


# ---- formulas ------------------------------------------------------------------------------

def test_formula_cached_values_are_read(tmp_path):
    total = Formula("=SUM(F2:F3)", 7_000_000)
    sheets = {"Thông tin": [["Mã huyện", Formula('="116"', "116")], ["Kỳ báo cáo", "03/2025"]],
              "Hỗ trợ": [GRANT_HEADERS,
                         grant(amount=Formula("=2*2500000", 5_000_000), beneficiaries=Formula("=5+5", 10)),
                         grant(programme="Hỗ trợ học sinh", amount=2_000_000, no=2),
                         [None, "Tổng cộng", None, None, Formula("=E2+E3", 20), total]]}
    parsed = parse(tmp_path, sheets, writer=write_xlsxwriter)
    assert parsed.cover.district_code == "116"
    sheet = parsed.sheets["grants"]
    assert only_records(sheet, "beneficiaries", "amount") == [(10, 5_000_000), (10, 2_000_000)]
    assert not sheet.warnings and not sheet.problems


# ---- cover -----------------------------------------------------------------------------------

@pytest.mark.parametrize("period", ["03/2025", "3/2025", "2025-03", "Tháng 3/2025", "T3/2025", "tháng 03/2025",
                                    dt.datetime(2025, 3, 1), dt.datetime(2025, 3, 17)])
def test_cover_period_forms(tmp_path, period):
    parsed = parse(tmp_path, {"Thông tin": cover_rows(period=period), "Nhà ở": [HOUSE_HEADERS, house()]})
    assert parsed.cover.period == dt.date(2025, 3, 1)


def test_cover_period_as_excel_serial_number():
    assert parse_cover([["Mã huyện", "116"], ["Kỳ báo cáo", 45717.0]], TODAY).period == dt.date(2025, 3, 1)


def test_cover_labels_with_colon_any_spelling_and_gaps():
    grid = [["BÁO CÁO"], [], ["Mã huyện:", None, " 118 "], ["ky bao cao :", "01/2025"], ["LẦN GỬI:", 2],
            ["Ngày lập:", "05/02/2025"], [NFD("Người lập") + ":", "Cầm Văn X"]]
    cover = parse_cover(grid, TODAY)
    assert (cover.district_code, cover.period, cover.version, cover.prepared_on) == (
        "118", dt.date(2025, 1, 1), 2, dt.date(2025, 2, 5))
    assert cover.warnings == []


def test_cover_english_labels():
    cover = parse_cover([["district_code", 116], ["period", "2025-02"], ["version", "2"]], TODAY)
    assert (cover.district_code, cover.period, cover.version) == ("116", dt.date(2025, 2, 1), 2)


def test_district_name_mismatch_is_a_warning_and_the_code_wins():
    cover = parse_cover([["Mã huyện", "116"], ["Tên huyện", "Huyện Mai Sơn"], ["Kỳ báo cáo", "03/2025"]], TODAY)
    assert cover.district_code == "116"
    [(warning, warning_vi, rule)] = cover.warnings
    assert "does not match" in warning and "Mai Sơn" in warning_vi and rule == "cover_name_matches_code"


@pytest.mark.parametrize("name", ["Thành phố Sơn La", "TP Sơn La", "tp. son la", "SƠN LA", NFD("Thành phố Sơn La")])
def test_district_name_matching_the_code_ignoring_prefix_case_diacritics(name):
    cover = parse_cover([["Mã huyện", 116], ["Tên huyện", name], ["Kỳ báo cáo", "03/2025"]], TODAY)
    assert cover.district_code == "116" and cover.warnings == []


@pytest.mark.parametrize("name, code", [("Huyện Quỳnh Nhai", "118"), ("quynh nhai", "118"), ("Thị xã Mộc Châu", "123"),
                                        ("Huyện Mộc Châu", "123")])
def test_district_by_name_only(name, code):
    assert parse_cover([["Tên huyện", name], ["Kỳ báo cáo", "03/2025"]], TODAY).district_code == code


@pytest.mark.parametrize("grid, reason", [
    ([["Kỳ báo cáo", "03/2025"]], "no district"),
    ([["Mã huyện", "999"], ["Kỳ báo cáo", "03/2025"]], "unknown district"),
    ([["Tên huyện", "Huyện Không Có"], ["Kỳ báo cáo", "03/2025"]], "unknown district"),
    ([["Mã huyện", "116"]], "no reporting period"),
    ([["Mã huyện", "116"], ["Kỳ báo cáo", "13/2024"]], "not a month"),
    ([["Mã huyện", "116"], ["Kỳ báo cáo", "05/2025"]], "future"),
    ([["Mã huyện", "116"], ["Kỳ báo cáo", "12/2019"]], "before 01/2020"),
    ([["Mã huyện", "116"], ["Kỳ báo cáo", "03/2025"], ["Lần gửi", "lần hai"]], "Lần gửi"),
])
def test_cover_file_errors(grid, reason):
    with pytest.raises(CoverError, match=reason):
        parse_cover(grid, TODAY)


def test_workbook_without_cover_or_data_sheet_is_rejected(tmp_path):
    assert "cover" in parse(tmp_path, {"Nhà ở": [HOUSE_HEADERS, house()]}).reason
    assert "no data sheet" in parse(tmp_path, {"Thông tin": cover_rows(), "Khác": [[1]]}, "b.xlsx").reason
