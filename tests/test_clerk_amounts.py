"""Units and amounts that cannot be true (submission format, "Mistakes clerks make"), issue 23.

Demo commune workbooks in which a clerk typed the money in another unit, stated it in a title line,
pasted a row in đồng under a header in triệu, or split the local budget by level; plus a subtitle
in parentheses above the header. One real ingest; each test names the situation and reads back the
amounts stored (đồng) or the row error, which names the likely unit.
"""
import datetime as dt

import pytest

from books import amounts, by_file, feedback, rows_of, write_book
from clerk_books import cover, from_demo, insert_above_header, set_cells, sheet_rows
from loading import load
from pipeline.ingest.header import match_header

TODAY = dt.date(2026, 11, 20)
M = 1_000_000


def scaled(sheet: str, kind: str, divisor: int):
    """Every amount of the sheet typed in a bigger unit (divided), the header left as it was."""
    def edit(book):
        ws = book[sheet]
        columns = [cell.column for cell in ws[1] if (m := match_header(cell.value, kind)) and
                   m[0].value_type == "amount"]
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if cell.column in columns and isinstance(cell.value, (int, float)):
                    cell.value = cell.value / divisor
    return edit


def _demo_amounts(commune, month=8):
    """(excel row, central, local, social) of the demo's houses sheet, in đồng."""
    rows = sheet_rows(commune, 2025, month, "Nhà ở")
    first = next(i for i, header in enumerate(rows[0]) if match_header(header, "houses")[0].value_type == "amount")
    found = [(i + 1, *[int(v or 0) for v in row[first:first + 3]]) for i, row in enumerate(rows)
             if i and isinstance(row[0], (int, float))]
    assert found, f"the demo's {commune} has no house case in {month:02d}/2025"
    return found


def _write(sources):
    title = "BÁO CÁO KẾT QUẢ HỖ TRỢ NHÀ Ở THÁNG 8/2025"
    from_demo(sources / "title_dvt.xlsx", "03688", 2025, 8, scaled("Nhà ở", "houses", 1000),
              insert_above_header("Nhà ở", f"{title} - ĐVT: nghìn đồng", None, merge_to="O"))
    from_demo(sources / "tinh_bang.xlsx", "03694", 2025, 8, scaled("Hỗ trợ", "grants", 1000),
              insert_above_header("Hỗ trợ", "KẾT QUẢ HỖ TRỢ THÁNG 8/2025", "(Số tiền tính bằng nghìn đồng)"))
    from_demo(sources / "nghin_vnd.xlsx", "03712", 2025, 8, scaled("Nhà ở", "houses", 1000),
              insert_above_header("Nhà ở", title, [None] * 10 + ["Đơn vị tính: nghìn VNĐ"]))
    from_demo(sources / "unit_line_unknown.xlsx", "03727", 2025, 8,
              insert_above_header("Nhà ở", title, [None] * 10 + ["ĐVT: đồng/hộ"]))
    from_demo(sources / "unit_lines_disagree.xlsx", "03754", 2025, 8,
              insert_above_header("Nhà ở", f"{title} - ĐVT: đồng", "(Số tiền tính bằng nghìn đồng)"))
    from_demo(sources / "office_line.xlsx", "03757", 2025, 8,
              insert_above_header("Nhà ở", "Đơn vị: UBND xã Mường Khiêng", title))
    from_demo(sources / "subtitle.xlsx", "03781", 2025, 8,
              insert_above_header("Nhà ở", title, "(Kèm theo báo cáo tháng 12/2024)"),
              lambda book: book["Nhà ở"].merge_cells("A2:M2"))
    _grants(sources)
    _houses(sources)
    _local_budget_split(sources)


def _grants(sources):
    # 03703's two grants: Hoàn cảnh khó khăn khác 3 people 5,700,000; Hỗ trợ học sinh 13 students 4,680,000
    from_demo(sources / "grant_extra_zeros.xlsx", "03703", 2025, 8, set_cells("Hỗ trợ", {"E2": 2, "F2": 6_400_000_000}))
    from_demo(sources / "grant_dong_under_trieu.xlsx", "03694", 2025, 8,
              set_cells("Hỗ trợ", {"D1": "Số tiền (triệu đồng)", "D2": 45, "D3": 4_100_000, "C3": 10}))
    from_demo(sources / "grant_in_nghin.xlsx", "03688", 2025, 8, set_cells("Hỗ trợ", {"D2": 15_840}))
    from_demo(sources / "grant_no_beneficiaries.xlsx", "03703", 2025, 9, set_cells("Hỗ trợ", {"E2": 0}))


def _houses(sources):
    # 03688-2025-002 is a new build in progress: 40,000,000 + 14,000,000 + 6,000,000 typed in nghìn without a unit
    from_demo(sources / "in_progress_in_nghin.xlsx", "03688", 2025, 9,
              set_cells("Nhà ở", {"I3": 40_000, "J3": 14_000, "K3": 6_000}))
    # 03664 types its amounts in triệu (header '(trieu dong)'); one case pasted in đồng
    from_demo(sources / "dong_row_under_trieu.xlsx", "03664", 2025, 8,
              set_cells("Nhà ở", {"K3": 30_000_000, "L3": 12_500_000, "M3": 10_000_000}))


def _local_budget_split(sources):
    """Ngân sách địa phương merged over Tỉnh · Xã, the other headers merged down both header rows."""
    top = ["STT", "Mã hộ", "Bản", "Họ tên chủ hộ", "Đối tượng", "Hình thức hỗ trợ", "Ngân sách trung ương",
           "Ngân sách địa phương", None, "Xã hội hóa", "Ngày khởi công", "Ngày hoàn thành", "Tình trạng"]
    sub = [None] * 7 + ["Tỉnh", "Xã"] + [None] * 4
    rows = [top, sub,
            [1, "03763-2025-011", "Bản Hua Ít", "Lò Văn Pọm", "Hộ nghèo", "Xây mới", 40 * M, 10 * M, 4_500_000, 0,
             D(2025, 6, 2), D(2025, 8, 20), "Hoàn thành"],
            [2, "03763-2025-012", "Bản Ten Hon", "Cà Thị Ún", "Hộ cận nghèo", "Sửa chữa", 20 * M, None, 3 * M, M,
             D(2025, 7, 1), None, "Đang thi công"]]
    merges = [f"{c}1:{c}2" for c in "ABCDEFGJKLM"] + ["H1:I1"]
    write_book(sources / "local_budget_split.xlsx",
               {"Thông tin": [["Mã xã", "03763"], ["Tên xã", "Xã Long Hẹ"], ["Kỳ báo cáo", "08/2025"]],
                "Nhà ở": rows}, {"Nhà ở": merges})


D = dt.date


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("clerk_amounts")
    _write(root / "sources")
    return load(root / "sources", root / "warehouse", today=TODAY)


def _shifted(rows, by):
    return [(row + by, *values) for row, *values in rows]


# ---- a unit stated in the lines above the table -------------------------------------------------

def test_a_unit_at_the_end_of_a_title_line_converts_every_amount(loaded):
    assert amounts(loaded, "title_dvt.xlsx") == _shifted(_demo_amounts("03688"), 2)
    assert by_file(loaded)["title_dvt.xlsx"]["outcome"] == "accepted"


def test_so_tien_tinh_bang_nghin_dong_converts_the_grants(loaded):
    rows = rows_of(loaded, "grants", "tinh_bang.xlsx")
    assert [(r["excel_row"], r["amount_vnd"]) for r in rows] == [(4, 45 * M), (5, 44_800_000)]


def test_don_vi_tinh_nghin_vnd_converts_every_amount(loaded):
    assert amounts(loaded, "nghin_vnd.xlsx") == _shifted(_demo_amounts("03712"), 2)


def test_a_unit_line_not_understood_rejects_the_amounts_it_governs(loaded):
    entry = by_file(loaded)["unit_line_unknown.xlsx"]
    assert rows_of(loaded, "houses", "unit_line_unknown.xlsx") == []       # never read as đồng
    assert entry["outcome"] == "accepted_with_errors" and rows_of(loaded, "grants", "unit_line_unknown.xlsx")
    problems = [p for p in feedback(loaded, "unit_line_unknown.xlsx") if p["sheet"] == "Nhà ở"]
    assert problems and all("the line 'ĐVT: đồng/hộ' above the table states no unit we know" in p["reason"]
                            and "dòng 'ĐVT: đồng/hộ' phía trên bảng không ghi đơn vị hợp lệ" in p["reason_vi"]
                            for p in problems)


def test_two_unit_lines_that_disagree_reject_the_amounts(loaded):
    assert rows_of(loaded, "houses", "unit_lines_disagree.xlsx") == []
    problems = feedback(loaded, "unit_lines_disagree.xlsx")
    assert problems and all("state different units" in p["reason"] for p in problems)
    assert "(Số tiền tính bằng nghìn đồng)" in problems[0]["reason"]


def test_don_vi_naming_the_office_is_not_a_unit_line(loaded):
    assert amounts(loaded, "office_line.xlsx") == _shifted(_demo_amounts("03757"), 2)
    assert by_file(loaded)["office_line.xlsx"]["outcome"] == "accepted"


def test_a_subtitle_in_parentheses_above_the_header_loads_every_row(loaded):
    entry = by_file(loaded)["subtitle.xlsx"]
    assert entry["outcome"] == "accepted" and entry["rows_rejected"] == 0
    assert amounts(loaded, "subtitle.xlsx") == _shifted(_demo_amounts("03781"), 2)


# ---- amounts that cannot be true: a row error naming the likely unit -----------------------------

def _only_problem(loaded, name):
    [problem] = [p for p in feedback(loaded, name) if p["severity"].startswith("Lỗi")]
    return problem


def test_a_grant_with_extra_zeros_is_a_row_error(loaded):
    problem = _only_problem(loaded, "grant_extra_zeros.xlsx")
    assert (problem["cell"], problem["value"]) == ("'Hỗ trợ'!F2", "6400000000")
    assert "above 100,000,000 đồng" in problem["reason"] and "extra zeros" in problem["reason"]
    assert "thừa chữ số 0" in problem["reason_vi"]
    assert [r["excel_row"] for r in rows_of(loaded, "grants", "grant_extra_zeros.xlsx")] == [3]


def test_a_grant_typed_in_dong_under_a_trieu_header_is_a_row_error(loaded):
    problem = _only_problem(loaded, "grant_dong_under_trieu.xlsx")
    assert problem["cell"] == "'Hỗ trợ'!D3" and "typed in đồng under a header in nghìn or triệu" in problem["reason"]
    assert [(r["excel_row"], r["amount_vnd"]) for r in rows_of(loaded, "grants", "grant_dong_under_trieu.xlsx")] \
        == [(2, 45 * M)]


def test_a_grant_typed_in_nghin_without_a_unit_is_a_row_error_naming_nghin(loaded):
    problem = _only_problem(loaded, "grant_in_nghin.xlsx")
    assert problem["value"] == "15840" and "below 10,000 đồng" in problem["reason"]
    assert "probably written in nghìn đồng" in problem["reason"] and "theo nghìn đồng" in problem["reason_vi"]


def test_money_paid_to_no_beneficiary_is_a_row_error(loaded):
    problem = _only_problem(loaded, "grant_no_beneficiaries.xlsx")
    assert problem["row"] == 2 and "paid to 0 beneficiaries" in problem["reason"]


def test_an_in_progress_case_typed_in_nghin_is_a_row_error(loaded):
    problem = _only_problem(loaded, "in_progress_in_nghin.xlsx")
    assert problem["row"] == 3 and "not yet completed" in problem["reason"]
    assert "below 1% of the programme norm" in problem["reason"] and "nghìn or triệu" in problem["reason"]
    assert "03688-2025-002" not in [r["household_id"] for r in rows_of(loaded, "houses", "in_progress_in_nghin.xlsx")]


def test_a_row_in_dong_under_trieu_headers_is_a_row_error_not_a_warning(loaded):
    problems = [p for p in feedback(loaded, "dong_row_under_trieu.xlsx") if p["row"] == 3]
    assert [p["severity"][:3] for p in problems] == ["Lỗi"]    # not also the 3x-norm warning
    assert "above 10x the programme norm" in problems[0]["reason"]
    assert "typed in đồng under a header in nghìn or triệu" in problems[0]["reason"]
    ids = [r["household_id"] for r in rows_of(loaded, "houses", "dong_row_under_trieu.xlsx")]
    assert "116-2025-0076" not in ids and len(ids) == 2


def test_the_local_budget_split_by_level_is_summed_and_xa_is_not_the_commune(loaded):
    entry = by_file(loaded)["local_budget_split.xlsx"]
    assert entry["outcome"] == "accepted", entry["reason"]
    assert amounts(loaded, "local_budget_split.xlsx") == [(3, 40 * M, 14_500_000, 0), (4, 20 * M, 3 * M, M)]
    assert {r["commune_code"] for r in rows_of(loaded, "houses", "local_budget_split.xlsx")} == {"03763"}
