"""Every row of a messy workbook is accounted for: loaded, rejected with a reason, or skipped with a
kind that says why; rows read = loaded + rejected + skipped. A future change that drops a row
quietly fails here."""
import openpyxl
import pytest

from books import TOP, case, write_book
from loading import load
from workbooks import cover_rows

GROUP_ROW = [*TOP[:7], "Kinh phí hỗ trợ", None, None, *TOP[10:]]
SUB_ROW = [None] * 7 + ["Ngân sách trung ương", "Ngân sách địa phương", "Xã hội hóa"] + [None] * 3
NUMBERS = [f"({i})" for i in range(1, 14)]


def header_merges(row: int) -> list[str]:
    return [f"{c}{row}:{c}{row + 1}" for c in "ABCDEFGKLM"] + [f"H{row}:J{row}"]


MESSY = [
    ["UBND THÀNH PHỐ SƠN LA"],                                                   # 1 title, merged
    ["DANH SÁCH HỘ ĐƯỢC HỖ TRỢ NHÀ Ở THÁNG 3/2025"],                             # 2 title, merged
    [],                                                                          # 3
    [None] * 10 + ["ĐVT: triệu đồng"],                                           # 4 unit line
    GROUP_ROW, SUB_ROW,                                                          # 5-6 two-row header
    NUMBERS,                                                                     # 7 column numbers
    case("H1", 40, 15, 5),                                                       # 8
    [],                                                                          # 9
    case("H2", 40, 15, 5, no=2),                                                 # 10
    ["Cộng xã Chiềng Lề", None, None, None, None, None, None, 80, 30, 10],       # 11 subtotal
    ["Ghi chú: các hộ dưới đây bổ sung đợt 2"],                                  # 12 note, merged
    GROUP_ROW, SUB_ROW, NUMBERS,                                                 # 13-15 page-break copies
    case("H3", 40, 15, 5, no=3, commune="03649", name="Phường Tô Hiệu"),         # 16
    case("H4", 40, 15, 5, no=4, category="xong"),                                # 17 rejected
    [None, None, "03652", "Phường Quyết Thắng"],                                 # 18 template row
    ["Tổng cộng", None, None, None, None, None, None, 160, 60, 20],              # 19 total
    [],                                                                          # 20
    [None, None, None, None, "Sơn La, ngày 5 tháng 4 năm 2025"],                 # 21 signature block
    [None, "Người lập biểu"] + [None] * 7 + ["Thủ trưởng đơn vị"],               # 22
    [None, "(Ký, ghi rõ họ tên)"],                                               # 23
    [],                                                                          # 24
    [None, "Lò Thị Lập"] + [None] * 7 + ["Cầm Văn B"],                           # 25
]
MERGES = ["A1:M1", "A2:M2", *header_merges(5), "A12:M12", *header_merges(13)]
EXPECTED_SKIPPED = {7: "column_numbers", 9: "blank", 11: "subtotal", 12: "note", 13: "repeated_header",
                    14: "repeated_header", 15: "column_numbers", 18: "blank", 19: "total", 20: "blank",
                    21: "footer", 22: "footer", 23: "footer", 24: "blank", 25: "footer"}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("messy")
    path = write_book(root / "sources" / "messy.xlsx", {"Thông tin": cover_rows(), "Nhà ở": MESSY},
                      {"Nhà ở": MERGES})
    return path, load(root / "sources", root / "warehouse")


def _non_empty_rows(path, below: int) -> set[int]:
    sheet = openpyxl.load_workbook(path)["Nhà ở"]
    return {cell.row for row in sheet.iter_rows(min_row=below + 1) for cell in row
            if cell.value not in (None, "")}


def test_every_row_is_loaded_rejected_or_skipped_with_a_kind(loaded):
    path, run = loaded
    [sheet] = run.table("submission_sheets", "sheet")
    assert sheet["header_row"] == 5
    loaded_rows = {r["excel_row"] for r in run.table("houses")}
    rejected = {r["excel_row"]: r["reason"] for r in run.table("rejected_rows")}
    skipped = {r["excel_row"]: r["kind"] for r in run.table("skipped_rows")}
    assert loaded_rows == {8, 10, 16}
    assert set(rejected) == {17} and "category) must be one of" in rejected[17]
    assert skipped == EXPECTED_SKIPPED
    # disjoint, and together every row under the header (rows 7-25), empty or not
    assert not (loaded_rows & set(rejected)) and not (loaded_rows & set(skipped)) and not (set(rejected) & set(skipped))
    assert loaded_rows | set(rejected) | set(skipped) == set(range(7, 26))
    assert _non_empty_rows(path, below=6) <= loaded_rows | set(rejected) | set(skipped)
    assert all(kind in ("blank", "total", "subtotal", "column_numbers", "repeated_header", "note", "footer")
               for kind in skipped.values())
    assert (sheet["rows_read"], sheet["rows_loaded"], sheet["rows_rejected"], sheet["rows_skipped"]) == (
        19, 3, 1, 15)
    assert sheet["rows_read"] == sheet["rows_loaded"] + sheet["rows_rejected"] + sheet["rows_skipped"]


def test_the_unit_line_and_the_totals_read_right(loaded):
    _, run = loaded
    assert [(r["household_id"], r["central_budget_vnd"], r["local_budget_vnd"], r["social_contribution_vnd"])
            for r in run.table("houses")] == [("H1", 40_000_000, 15_000_000, 5_000_000),
                                              ("H2", 40_000_000, 15_000_000, 5_000_000),
                                              ("H3", 40_000_000, 15_000_000, 5_000_000)]
    assert run.warnings() == []      # subtotal and total match the rows above them
    [entry] = run.ledger()
    assert (entry["status"], entry["rows_skipped"]) == ("accepted_with_errors", 15)
