"""Which sheets are read (submission format, "Mistakes clerks make": sheets), issue 23.

Demo commune workbooks whose houses sheet a clerk renamed, or to which they added a sheet of their
own, in one real ingest: a data sheet under another name is read by its header row with a warning
naming it; two of one kind reject the file naming both; any other sheet with content is listed as
not read, with a warning when it holds numbers. Never a sheet, or its cases, lost without a word.
"""
import datetime as dt

import pytest

from books import by_file, feedback, rows_of
from clerk_books import add_sheet, from_demo, rename, sheet_rows
from loading import load

TODAY = dt.date(2026, 11, 20)
RENAMED = ["Nhà ở T8", "Biểu 1 - Nhà ở", "Nha o thang 8", "Nhà ở 08-2025"]
COMMUNES = ["03688", "03694", "03703", "03712"]     # one demo commune per renamed sheet (2025-08)


def _write(sources):
    for name, commune in zip(RENAMED, COMMUNES):
        from_demo(sources / f"renamed_{commune}.xlsx", commune, 2025, 8, rename("Nhà ở", name))
    houses = sheet_rows("03721", 2025, 8, "Nhà ở")
    from_demo(sources / "two_houses_sheets.xlsx", "03721", 2025, 8, add_sheet("Nhà ở T8", houses))
    from_demo(sources / "own_sheets.xlsx", "03724", 2025, 8,
              add_sheet("Tổng hợp", [["Nội dung", "Số hộ", "Kinh phí"], ["Xây mới", 4, 160_000_000],
                                     ["Sửa chữa", 2, 60_000_000]]),
              add_sheet("Hướng dẫn", [["Ghi đủ các cột, không sửa tên trang."]]),
              add_sheet("Sheet1", []))
    # a sheet of the clerk's own whose numbers are typed as text, the Vietnamese way
    from_demo(sources / "own_sheet_text_numbers.xlsx", "03757", 2025, 8,
              add_sheet("Kinh phí", [["Nội dung", "Số tiền"], ["Xây mới", "160.000.000"], ["Sửa chữa", "60.000.000 đ"]]))
    # last month's houses sheet kept, hidden, under its month's name, and a hidden copy Excel named
    from_demo(sources / "hidden_last_month.xlsx", "03727", 2025, 8,
              add_sheet("Nhà ở T7", sheet_rows("03727", 2025, 7, "Nhà ở")), hide("Nhà ở T7"),
              add_sheet("Nhà ở (2)", houses), hide("Nhà ở (2)"))
    # the only houses sheet is hidden, under another name
    from_demo(sources / "only_hidden_renamed.xlsx", "03754", 2025, 8, rename("Nhà ở", "Nhà ở T8"), hide("Nhà ở T8"),
              drop("Hỗ trợ"))


def hide(name):
    def edit(book):
        book[name].sheet_state = "hidden"
    return edit


def drop(name):
    def edit(book):
        del book[name]
    return edit


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("clerk_sheets")
    _write(root / "sources")
    return load(root / "sources", root / "warehouse", today=TODAY)


def _cases(commune):
    return [row[1] for row in sheet_rows(commune, 2025, 8, "Nhà ở")[1:] if isinstance(row[0], (int, float))]


@pytest.mark.parametrize("sheet, commune", list(zip(RENAMED, COMMUNES)))
def test_a_renamed_houses_sheet_is_read_by_its_header_with_a_warning_naming_it(loaded, sheet, commune):
    name = f"renamed_{commune}.xlsx"
    entry = by_file(loaded)[name]
    assert entry["outcome"] == "accepted" and entry["unit_code"] == commune
    loaded_ids = [r["household_id"] for r in rows_of(loaded, "houses", name)]
    assert loaded_ids == _cases(commune) and loaded_ids        # every case, none lost
    warnings = [w for w in feedback(loaded, name) if w["sheet"] == sheet]
    assert len(warnings) == 1 and warnings[0]["severity"].startswith("Cảnh báo")
    assert f"sheet '{sheet}' was read as 'Nhà ở': its header row is that sheet's" in warnings[0]["reason"]
    assert f"trang tính '{sheet}' được đọc là trang 'Nhà ở'" in warnings[0]["reason_vi"]
    [read] = [s for s in loaded.table("submission_sheets", "sheet")
              if s["submission_id"] == entry["submission_id"] and s["sheet"] == "houses"]
    assert (read["sheet_name"], read["is_read"], read["rows_loaded"]) == (sheet, True, len(loaded_ids))


def test_two_sheets_of_one_kind_by_header_reject_the_file_naming_both(loaded):
    entry = by_file(loaded)["two_houses_sheets.xlsx"]
    assert entry["outcome"] == "rejected"
    assert "the workbook has 2 visible sheets for 'Nhà ở': 'Nhà ở', 'Nhà ở T8'" in entry["reason"]
    assert rows_of(loaded, "houses", "two_houses_sheets.xlsx") == []


def test_other_sheets_are_listed_as_not_read_and_numbers_in_them_are_a_warning(loaded):
    entry = by_file(loaded)["own_sheets.xlsx"]
    assert entry["outcome"] == "accepted"
    sheets = {s["sheet_name"]: s for s in loaded.table("submission_sheets", "sheet_name")
              if s["submission_id"] == entry["submission_id"]}
    assert {name: (s["sheet"], s["is_read"]) for name, s in sheets.items()} == {
        "Nhà ở": ("houses", True), "Hỗ trợ": ("grants", True),
        "Tổng hợp": ("other", False), "Hướng dẫn": ("other", False)}   # the empty Sheet1 is not listed
    assert (sheets["Tổng hợp"]["warnings"], sheets["Hướng dẫn"]["warnings"]) == (1, 0)
    [warning] = [w for w in feedback(loaded, "own_sheets.xlsx") if w["sheet"] == "Tổng hợp"]
    assert "sheet 'Tổng hợp' was not read" in warning["reason"] and "yet it holds numbers" in warning["reason"]
    assert "trang tính 'Tổng hợp' không được đọc" in warning["reason_vi"]
    assert all(s["rows_read"] == 0 for s in sheets.values() if not s["is_read"])


def test_a_hidden_sheet_under_another_name_whose_header_is_ours_is_not_read_and_the_clerk_is_told(loaded):
    entry = by_file(loaded)["hidden_last_month.xlsx"]
    assert entry["outcome"] == "accepted" and entry["unit_code"] == "03727"
    assert [r["household_id"] for r in rows_of(loaded, "houses", "hidden_last_month.xlsx")] == _cases("03727")
    warnings = {w["sheet"]: w for w in feedback(loaded, "hidden_last_month.xlsx")}
    assert set(warnings) == {"Nhà ở T7", "Nhà ở (2)"}
    for name, warning in warnings.items():
        assert warning["severity"].startswith("Cảnh báo")
        assert f"sheet '{name}' is hidden and was not read" in warning["reason"]
        assert f"trang tính '{name}' đang ẩn" in warning["reason_vi"]


def test_a_workbook_whose_only_data_sheet_is_hidden_under_another_name_is_rejected_naming_it(loaded):
    entry = by_file(loaded)["only_hidden_renamed.xlsx"]
    assert entry["outcome"] == "rejected"
    assert "no data sheet" in entry["reason"] and "(hidden, not read: 'Nhà ở T8')" in entry["reason"]


def test_numbers_typed_as_text_on_a_sheet_not_read_are_a_warning_too(loaded):
    entry = by_file(loaded)["own_sheet_text_numbers.xlsx"]
    assert entry["outcome"] == "accepted"
    [warning] = [w for w in feedback(loaded, "own_sheet_text_numbers.xlsx") if w["sheet"] == "Kinh phí"]
    assert "sheet 'Kinh phí' was not read" in warning["reason"] and "yet it holds numbers" in warning["reason"]
