"""'Nothing silently zeroed, dropped or guessed' (submission format, issue 16): one test per row of
the spec's table, each on a workbook written here and loaded by the real ingest, asserting the
stored figures, the outcome, and what the clerk reads in the feedback workbook."""
import datetime as dt

import pytest

from books import BETWEEN_FILES, D, amounts, by_file, case, feedback, flat_header, houses_book, rows_of, skipped, write_book
from loading import Formula, load, write_xlsxwriter
from workbooks import GRANT_HEADERS, HOUSE_HEADERS, POVERTY_HEADERS, cover_rows, grant, house, poverty

M = 1_000_000
MONEY = dict(central=40 * M, local=15 * M, social=5 * M)


def _formulas(sources):
    # openpyxl writes formulas without a saved value: calamine would read them as empty (0).
    houses_book(sources / "no_saved_value.xlsx", [
        flat_header(), case("F1", **{**MONEY, "local": "=10000000+5000000"}),
        ["=ROW()-1", *case("F2", **MONEY)[1:]]])
    write_book(sources / "no_saved_value_cover.xlsx", {
        "Thông tin": [["Mã huyện", "116"], ["Kỳ báo cáo", "=TEXT(TODAY(),\"mm/yyyy\")"]],
        "Nhà ở": [flat_header(), case(**MONEY)]})
    write_xlsxwriter(sources / "error_values.xlsx", {
        "Thông tin": cover_rows(),
        "Nhà ở": [HOUSE_HEADERS, house("E1", local=Formula("=1/0", "#DIV/0!")),
                  house("E2", category=Formula("=VLOOKUP(A3,X:Y,2,0)", "#N/A"), no=2),
                  house("E3", no=3, notes=Formula("=1+1", 2))]})


def _sheets(sources):
    houses = [flat_header(), case(**MONEY)]
    write_book(sources / "two_visible.xlsx", {"Thông tin": cover_rows(), "Nhà ở": houses, "Nha_o": houses})
    stale = [flat_header(), case("OLD", central=1 * M, local=1 * M, social=1 * M)]
    write_book(sources / "hidden_stale.xlsx", {"Thông tin": cover_rows(), "Nhà ở": stale, "Nha o": houses},
               hidden=("Nhà ở",))
    write_book(sources / "hidden_cover.xlsx", {"Thông tin": cover_rows(), "Nhà ở": houses}, hidden=("Thông tin",))
    write_book(sources / "copy_named.xlsx", {"Thông tin": cover_rows(), "Nhà ở": houses, "Nhà ở (2)": stale})
    write_book(sources / "only_copy.xlsx", {"Thông tin": cover_rows(), "Nhà ở (2)": houses})
    write_book(sources / "cover_twice.xlsx", {"Thông tin": [*cover_rows(), [], ["Kỳ báo cáo:", "04/2025"]],
                                              "Nhà ở": houses})


def _rows(sources):
    money = dict(MONEY)
    numbers = [f"({i})" for i in range(1, 14)]
    houses_book(sources / "page_breaks.xlsx", [
        flat_header(), numbers, case("P1", **money), case("P2", **money, no=2), flat_header(), numbers,
        case("P3", **money, no=3), [None] * 13, flat_header(), case("P4", **money, no=4)])
    # the official forms' numbering: the text columns lettered, the figures numbered; again after a page break
    lettered = [*"ABCDEFG", *range(1, 7)]
    houses_book(sources / "lettered_column_numbers.xlsx", [
        flat_header(), lettered, case("L1", **money), flat_header(), [f"({c})" for c in lettered],
        case("L2", **money, no=2)])
    template = [None, None, "03646", "Phường Chiềng Lề"] + [None] * 9
    stt_only = [7] + [None] * 12
    houses_book(sources / "template_rows.xlsx", [
        flat_header(), case("T1", **money), template, template, stt_only])
    # ids and commune codes typed as numbers, no STT: the first text of the row is the household head
    head_rows = [case(101, head="Tống Văn An", no=None, commune=3646, name=None, **money),
                 case(102, head="Cộng Thị Bình", no=None, commune=3646, name=None, **money)]
    subtotal = ["Cộng xã Chiềng Lề", None, None, None, None, None, None, 80, 30, 10]
    total = [None, None, None, "Toàn huyện", None, None, None, 80, 30, 10]
    houses_book(sources / "total_labels.xlsx", [flat_header(("Ngân sách trung ương (triệu đồng)",
                                                             "Ngân sách địa phương (triệu đồng)",
                                                             "Xã hội hóa (triệu đồng)")),
                                                *[r[:7] + [40, 15, 5] + r[10:] for r in head_rows], subtotal, total])
    # a grand total typed in triệu that is off by half a million đồng
    trieu = flat_header(("Ngân sách trung ương (triệu đồng)", "Ngân sách địa phương (triệu đồng)", "Xã hội hóa"))
    houses_book(sources / "total_in_trieu.xlsx", [
        trieu, case("M1", central=40, local=15, social=5 * M), case("M2", central=5.5, local=24, social=6 * M, no=2),
        ["Tổng cộng", None, None, None, None, None, None, 46, 39, 12 * M]])
    houses_book(sources / "note_mid_table.xlsx", [
        flat_header(), case("N1", **money), case("N2", **money, no=2),
        ["Ghi chú: các hộ dưới đây bổ sung đợt 2"], case("N3", **money, no=3), case("N4", **money, no=4), [],
        [None, "Người lập biểu", None, None, None, "Thủ trưởng đơn vị"]])


def _values(sources):
    houses_book(sources / "dashes.xlsx", [flat_header(), case("D1", central=40 * M, local="-", social="—"),
                                          case("D2", central=60 * M, local=" – ", social=None, no=2)])
    houses_book(sources / "invisible.xlsx", [flat_header(), case(
        "\ufeffH1 ", commune="03646\u200b", name="Phường Chiềng Lề\u00a0", central="40.000.000\u00a0",
        local="\u200b15000000", social=5 * M, category="Hộ nghèo\u200b")])
    # a poverty rate typed with its '%' and pasted with an invisible character after it
    write_book(sources / "invisible_rate.xlsx", {"Thông tin": cover_rows(), "Hộ nghèo": [POVERTY_HEADERS, *[
        poverty(code, name, total=1000, poor=105, rate=rate, no=no) for no, (code, name, rate) in enumerate([
            ("03646", "Phường Chiềng Lề", "10,5%\u200b"), ("03649", "Phường Tô Hiệu", "10,5%\u00a0"),
            ("03652", "Phường Quyết Thắng", "\ufeff10,5 %"), ("03655", "Phường Quyết Tâm", "10,5%")], start=1)]]})
    # a row emptied by hand in a pasted table: only invisible characters left in its cells
    invisible_row = [None, "\u200b", None, None, "\ufeff", "\u200b\u00a0"] + [None] * 7
    # dates typed as text with the invisible characters a paste brings; a completion date cell holding only one
    houses_book(sources / "invisible_dates.xlsx", [flat_header(), case(
        "D1", start="\u200b06/01/2025", done="20/03/2025\ufeff", **MONEY),
        case("D2", status="Đang thi công", done="\u200b", no=2, **MONEY)])
    houses_book(sources / "invisible_row.xlsx", [flat_header(), case("H1", **MONEY), invisible_row,
                                                 case("H2", no=2, **MONEY)])
    houses_book(sources / "implausible_dates.xlsx", [
        flat_header(), case("OK", **MONEY),
        case("START2204", **MONEY, status="Đang thi công", start="06/01/2204", done=None, no=2),
        case("START2014", **MONEY, start=D(2014, 12, 31), no=3),
        case("DONE2004", **MONEY, start=D(2003, 1, 6), done=D(2004, 3, 1), no=4),
        case("NOTSTARTED", **MONEY, status="Chưa khởi công", start=None, done=D(2025, 3, 1), no=5)])
    # headers marked as required the way forms mark them: '(*)' is not a unit
    starred = [f"{h} (*)" if h in ("Mã hộ", "Họ tên chủ hộ", "Tình trạng") else h for h in flat_header(
        ("Ngân sách trung ương (*)", "Ngân sách địa phương (triệu đồng) (*)", "Xã hội hóa(*)"))]
    houses_book(sources / "required_marks.xlsx", [starred, case("R1", central=40 * M, local=15, social=5 * M)],
                **{"Hỗ trợ": [[f"{h} (*)" if h == "Số tiền" else h for h in GRANT_HEADERS], grant()]})
    houses_book(sources / "money_elsewhere.xlsx", [
        flat_header(("Ngân sách trung ương", "Ngân sách địa phương", "Vốn khác")), case(**MONEY)])


def _periods(sources):
    for name, period in [("period_text.xlsx", "10.2024"), ("period_number.xlsx", 10.2024),
                         ("period_date_text.xlsx", "01/10/2024"), ("period_bad.xlsx", "tháng mười")]:
        write_book(sources / name, {"Thông tin": cover_rows(period=period),
                                    "Hỗ trợ": [GRANT_HEADERS, grant()]})


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("silent")
    for write in (_formulas, _sheets, _rows, _values, _periods):
        write(root / "sources")
    return load(root / "sources", root / "warehouse")


def _ids(loaded, file_name):
    return [r["household_id"] for r in rows_of(loaded, "houses", file_name)]


# ---- cells that cannot be read -----------------------------------------------------------------

def test_formula_without_saved_value_is_a_row_error(loaded):
    assert _ids(loaded, "no_saved_value.xlsx") == ["F2"]      # a formula in STT is not read at all
    [problem] = feedback(loaded, "no_saved_value.xlsx")
    assert (problem["cell"], problem["row"], problem["column"]) == ("'Nhà ở'!I2", 2, "Ngân sách địa phương")
    assert "formula has no saved value — open and save the file in Excel" in problem["reason"]
    assert "công thức chưa có giá trị — hãy mở tệp bằng Excel và lưu lại" in problem["reason_vi"]
    assert problem["value"] == "=10000000+5000000"


def test_formula_without_saved_value_on_the_cover_rejects_the_file(loaded):
    entry = by_file(loaded)["no_saved_value_cover.xlsx"]
    assert entry["outcome"] == "rejected" and entry["district_code"] == "116"
    assert "Kỳ báo cáo" in entry["reason"] and "formula has no saved value" in entry["reason"]


def test_excel_error_values_are_row_errors_naming_cell_and_error(loaded):
    assert _ids(loaded, "error_values.xlsx") == ["E3"]
    problems = {p["cell"]: p for p in feedback(loaded, "error_values.xlsx")}
    assert set(problems) == {"'Nhà ở'!L2", "'Nhà ở'!I3"}
    assert "cell L2 holds the Excel error #DIV/0!" in problems["'Nhà ở'!L2"]["reason"]
    assert "ô L2 có lỗi Excel #DIV/0!" in problems["'Nhà ở'!L2"]["reason_vi"]
    assert problems["'Nhà ở'!I3"]["value"] == "#N/A" and "#N/A" in problems["'Nhà ở'!I3"]["reason"]


# ---- sheets ----------------------------------------------------------------------------------

def test_two_visible_sheets_of_one_kind_reject_the_file_naming_both(loaded):
    entry = by_file(loaded)["two_visible.xlsx"]
    assert entry["outcome"] == "rejected" and "'Nhà ở', 'Nha_o'" in entry["reason"]
    assert (entry["district_code"], entry["period"]) == ("116", D(2025, 3, 1))
    [problem] = feedback(loaded, "two_visible.xlsx")
    assert "'Nhà ở', 'Nha_o'" in problem["reason_vi"]


def test_hidden_sheet_is_ignored_with_a_warning_naming_it(loaded):
    assert _ids(loaded, "hidden_stale.xlsx") == ["H1"]
    assert by_file(loaded)["hidden_stale.xlsx"]["outcome"] == "accepted"
    [warning] = feedback(loaded, "hidden_stale.xlsx")
    assert warning["severity"].startswith("Cảnh báo") and warning["sheet"] == "Nhà ở"
    assert "sheet 'Nhà ở' is hidden and was not read" in warning["reason"]
    assert "trang tính 'Nhà ở' đang ẩn" in warning["reason_vi"]


def test_a_sheet_named_like_a_copy_is_not_read_and_the_clerk_is_told(loaded):
    assert _ids(loaded, "copy_named.xlsx") == ["H1"]
    [warning] = feedback(loaded, "copy_named.xlsx")
    assert warning["sheet"] == "Nhà ở (2)" and "only a sheet named 'Nhà ở' is" in warning["reason"]
    entry = by_file(loaded)["only_copy.xlsx"]
    assert entry["outcome"] == "rejected" and "'Nhà ở (2)'; rename it" in entry["reason"]


def test_a_cover_label_given_twice_with_two_values_rejects_the_file(loaded):
    entry = by_file(loaded)["cover_twice.xlsx"]
    assert entry["outcome"] == "rejected" and entry["district_code"] == "116"
    assert "gives Kỳ báo cáo twice: '03/2025' and '04/2025'" in entry["reason"]


def test_hidden_cover_is_not_read(loaded):
    entry = by_file(loaded)["hidden_cover.xlsx"]
    assert entry["outcome"] == "rejected" and "cover sheet 'Thông tin' is hidden" in entry["reason"]


# ---- rows ------------------------------------------------------------------------------------

def test_page_break_header_copies_and_column_numbers_are_layout_rows(loaded):
    assert _ids(loaded, "page_breaks.xlsx") == ["P1", "P2", "P3", "P4"]
    assert skipped(loaded, "page_breaks.xlsx") == {
        2: "column_numbers", 5: "repeated_header", 6: "column_numbers", 8: "blank", 9: "repeated_header"}
    assert by_file(loaded)["page_breaks.xlsx"]["outcome"] == "accepted"


def test_column_numbers_lettered_then_numbered_are_layout_rows(loaded):
    assert _ids(loaded, "lettered_column_numbers.xlsx") == ["L1", "L2"]
    assert skipped(loaded, "lettered_column_numbers.xlsx") == {2: "column_numbers", 4: "repeated_header",
                                                                5: "column_numbers"}
    entry = by_file(loaded)["lettered_column_numbers.xlsx"]
    assert (entry["outcome"], entry["rows_rejected"]) == ("accepted", 0)


def test_template_rows_with_only_commune_or_stt_are_blank(loaded):
    assert _ids(loaded, "template_rows.xlsx") == ["T1"]
    assert skipped(loaded, "template_rows.xlsx") == {3: "blank", 4: "blank", 5: "blank"}
    assert by_file(loaded)["template_rows.xlsx"]["outcome"] == "accepted"


def test_total_rows_only_by_label_and_without_the_key(loaded):
    rows = rows_of(loaded, "houses", "total_labels.xlsx")
    assert [(r["household_id"], r["household_head"]) for r in rows] == [
        ("101", "Tống Văn An"), ("102", "Cộng Thị Bình")]
    assert skipped(loaded, "total_labels.xlsx") == {4: "subtotal", 5: "total"}
    sid = by_file(loaded)["total_labels.xlsx"]["submission_id"]   # both totals match the rows above:
    assert loaded.rows("select rule from raw.warnings where submission_id = ? and rule not in "
                       f"{BETWEEN_FILES}", [sid]) == []           # no warning but what the other files cause


def test_a_total_in_trieu_that_does_not_match_is_quoted_in_dong_beside_the_sum_in_dong(loaded):
    assert skipped(loaded, "total_in_trieu.xlsx") == {4: "total"}
    problems = [p for p in feedback(loaded, "total_in_trieu.xlsx") if p["row"] == 4]
    assert [(p["cell"], p["value"]) for p in problems] == [("'Nhà ở'!H4", "46"), ("'Nhà ở'!J4", "12000000")]
    assert problems[0]["reason"] == ("total row: '46' triệu đồng (46,000,000 đồng) does not match the sum of the "
                                     "rows above (45,500,000 đồng)")
    assert problems[0]["reason_vi"] == ("dòng tổng: '46' triệu đồng (tức 46,000,000 đồng) không khớp tổng các "
                                        "dòng phía trên (45,500,000 đồng)")
    assert problems[1]["reason"] == ("total row: '12000000' đồng does not match the sum of the rows above "
                                     "(11,000,000 đồng)")


def test_note_mid_table_is_skipped_and_the_rows_after_it_are_read(loaded):
    assert _ids(loaded, "note_mid_table.xlsx") == ["N1", "N2", "N3", "N4"]
    assert skipped(loaded, "note_mid_table.xlsx") == {4: "note", 7: "blank", 8: "footer"}


# ---- values ----------------------------------------------------------------------------------

def test_dashes_are_zero(loaded):
    rows = rows_of(loaded, "houses", "dashes.xlsx")
    assert [(r["central_budget_vnd"], r["local_budget_vnd"], r["social_contribution_vnd"]) for r in rows] == [
        (40 * M, 0, 0), (60 * M, 0, 0)]


def test_invisible_characters_around_codes_and_numbers_are_stripped(loaded):
    [row] = rows_of(loaded, "houses", "invisible.xlsx")
    assert (row["household_id"], row["commune_code"], row["category"], row["central_budget_vnd"],
            row["local_budget_vnd"]) == ("H1", "03646", "poor", 40 * M, 15 * M)


def test_invisible_characters_around_dates_are_stripped_and_alone_are_blank(loaded):
    entry = by_file(loaded)["invisible_dates.xlsx"]
    assert (entry["outcome"], entry["rows_rejected"]) == ("accepted", 0)
    assert [(r["household_id"], r["start_date"], r["completion_date"], r["status"])
            for r in rows_of(loaded, "houses", "invisible_dates.xlsx")] == [
        ("D1", D(2025, 1, 6), D(2025, 3, 20), "completed"), ("D2", D(2025, 1, 6), None, "in_progress")]


def test_invisible_characters_around_a_poverty_rate_with_its_percent_sign_are_stripped(loaded):
    entry = by_file(loaded)["invisible_rate.xlsx"]
    assert (entry["outcome"], entry["rows_rejected"], entry["warnings"]) == ("accepted", 0, 0)
    assert [r["poverty_rate_pct_written"] for r in rows_of(loaded, "poverty", "invisible_rate.xlsx")] == [10.5] * 4


def test_a_row_of_only_invisible_characters_is_blank(loaded):
    entry = by_file(loaded)["invisible_row.xlsx"]
    assert (entry["outcome"], entry["rows_rejected"], entry["rows_skipped"]) == ("accepted", 0, 1)
    assert _ids(loaded, "invisible_row.xlsx") == ["H1", "H2"]
    assert skipped(loaded, "invisible_row.xlsx") == {3: "blank"}


def test_implausible_dates_are_row_errors(loaded):
    assert _ids(loaded, "implausible_dates.xlsx") == ["OK"]
    problems = feedback(loaded, "implausible_dates.xlsx")
    by_row: dict[int, list[str]] = {}
    for p in problems:
        by_row.setdefault(p["row"], []).append(p["reason"])
        assert p["reason_vi"] and p["reason_vi"] != p["reason"]
    assert any("start date (Ngày khởi công) is after the reporting month" in r for r in by_row[3])
    assert any("before 01/01/2015" in r for r in by_row[4])
    assert any("completion_date) is before 01/01/2015" in r for r in by_row[5])
    assert by_row[6] == ["a case not started (Chưa khởi công) cannot have a completion date (Ngày hoàn thành)"]


def test_a_required_mark_in_a_header_is_not_a_unit(loaded):
    entry = by_file(loaded)["required_marks.xlsx"]
    assert (entry["outcome"], entry["rows_rejected"]) == ("accepted", 0) and feedback(loaded, "required_marks.xlsx") == []
    assert amounts(loaded, "required_marks.xlsx") == [(2, 40 * M, 15 * M, 5 * M)]
    assert [r["amount_vnd"] for r in rows_of(loaded, "grants", "required_marks.xlsx")] == [grant()[5]]


def test_missing_amount_column_with_numbers_elsewhere_is_a_warning(loaded):
    [row] = rows_of(loaded, "houses", "money_elsewhere.xlsx")
    assert row["social_contribution_vnd"] == 0
    [warning] = feedback(loaded, "money_elsewhere.xlsx")
    assert warning["column"] == "Vốn khác" and warning["cell"] == "'Nhà ở'!J1"
    assert "no column Xã hội hóa, but column 'Vốn khác' holds numbers" in warning["reason"]


# ---- the cover's period ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["period_text.xlsx", "period_number.xlsx", "period_date_text.xlsx"])
def test_period_forms_read_as_that_month(loaded, name):
    entry = by_file(loaded)[name]
    assert (entry["outcome"], entry["period"]) == ("accepted", dt.date(2024, 10, 1))


def test_unreadable_period_names_ky_bao_cao_and_keeps_the_district(loaded):
    entry = by_file(loaded)["period_bad.xlsx"]
    assert entry["outcome"] == "rejected" and entry["district_code"] == "116" and entry["period"] is None
    assert "Kỳ báo cáo" in entry["reason"]
    [problem] = feedback(loaded, "period_bad.xlsx")
    assert "Kỳ báo cáo 'tháng mười' không phải là tháng" in problem["reason_vi"]
