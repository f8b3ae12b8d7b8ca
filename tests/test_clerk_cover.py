"""Which unit sent it (submission format, "Mistakes clerks make": the cover), issue 23.

Commune workbooks of the demo whose cover a clerk retyped, one mistake each, in one real ingest:
the right commune credited, or the file rejected naming every candidate and, for a former commune,
where it went; never a district's words in a commune-era message or feedback workbook.
"""
import datetime as dt

import openpyxl
import pytest

from books import by_file, feedback
from clerk_books import cover, from_demo, rename, sheet_rows
from loading import load

TODAY = dt.date(2026, 11, 20)
PERIOD = ["Kỳ báo cáo", "08/2025"]


def _write(sources):
    def book(name, commune, *rows, month=8, edits=()):
        from_demo(sources / name, commune, 2025, month, cover(*rows, PERIOD if month == 8 else
                                                                   ["Kỳ báo cáo", f"{month:02d}/2025"]), *edits)

    book("office_in_one_cell.xlsx", "03688", ["Đơn vị báo cáo: UBND xã Mường Chiên"])
    book("office_next_cell.xlsx", "03664", ["Đơn vị báo cáo:", "UBND phường Chiềng An"], month=9)
    book("name_in_force.xlsx", "03712", ["Tên xã", "Xã Mường Sại"])
    book("name_of_a_former_commune.xlsx", "04222", ["Tên xã", "Xã Mường Sai"])
    book("name_without_diacritics.xlsx", "03688", ["Tên xã", "XA MUONG CHIEN"])
    book("former_name_without_diacritics.xlsx", "03664", ["Tên xã", "xa chieng den"], month=10)
    for name, commune in COLLISIONS.items():
        book(f"collision_{commune}.xlsx", commune, ["Tên xã", name])
    # the neighbour's template: Chiềng Cơi's figures under Chiềng An's code
    book("neighbours_template.xlsx", "03670", ["Mã xã", "03664"], ["Tên xã", "Phường Chiềng Cơi"])
    from_demo(sources / "chieng_an_own_report.xlsx", "03664", 2025, 8)
    # the neighbour's template again: the code kept, the office line naming the neighbour
    book("office_of_a_neighbour.xlsx", "03694", ["Mã xã", "03688"], ["Đơn vị báo cáo:", "UBND xã Mường Giôn"])
    book("office_in_one_cell_of_a_neighbour.xlsx", "03694", ["Mã xã", "03688"], ["Đơn vị: UBND xã Mường Giôn"])
    book("district_office_beside_a_code.xlsx", "03688", ["Mã xã", "03688"], ["Đơn vị báo cáo: UBND huyện Quỳnh Nhai"])
    book("office_and_code.xlsx", "03727", ["Mã xã", "03727"], ["Đơn vị báo cáo:", "UBND xã Mường É"])
    book("name_of_no_unit.xlsx", "03694", ["Mã xã", "03694"], ["Tên xã", "Xã Mường Giông"])
    book("former_name_with_its_new_code.xlsx", "04222", ["Mã xã", "04222"], ["Tên xã", "Xã Mường Sai"], month=9)
    book("no_unit_at_all.xlsx", "03703", ["Người lập", "Lò Thị Hoa"])
    book("district_office.xlsx", "03703", ["Đơn vị báo cáo: UBND huyện Quỳnh Nhai"])
    from_demo(sources / "no_cover_sheet.xlsx", "03721", 2025, 8, rename("Thông tin", "Sheet1"))


# the four pairs of names that differ only by their diacritics: cover name -> the demo commune written
COLLISIONS = {"Muong Sai": "03712", "Chieng An": "03664", "Chieng Hac": "04078", "Muong Bang": "03943"}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("clerk_cover")
    _write(root / "sources")
    return load(root / "sources", root / "warehouse", today=TODAY)


def _entry(loaded, name):
    return by_file(loaded)[name]


def _houses_in_demo(commune, month):
    rows = sheet_rows(commune, 2025, month, "Nhà ở")
    return sum(1 for row in rows[1:] if row[0] is not None and str(row[0]).strip().isdigit())


def _credited(loaded, name, commune, month=8):
    entry = _entry(loaded, name)
    assert (entry["unit_type"], entry["unit_code"], entry["period"]) == ("commune", commune, dt.date(2025, month, 1))
    assert entry["outcome"] == "accepted", entry["reason"]
    houses = loaded.rows("select count(*) as n from raw.houses where submission_id = ?", [entry["submission_id"]])
    assert houses[0]["n"] == _houses_in_demo(commune, month) > 0
    return entry


def rows_of_file(loaded, name) -> int:
    sid = _entry(loaded, name)["submission_id"]
    return loaded.rows("select count(*) as n from raw.houses where submission_id = ?", [sid])[0]["n"]


def _workbook_text(loaded, name) -> str:
    [written] = [f for f in loaded.feedback if f["file_name"] == name]
    book = openpyxl.load_workbook(written["path"], read_only=True)
    return "\n".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c)


def _rejected_in_commune_words(loaded, name) -> dict:
    """The file is rejected and its feedback speaks to a commune: never of a district (none exists)."""
    entry = _entry(loaded, name)
    assert entry["outcome"] == "rejected" and entry["unit_code"] is None
    assert (entry["unit_type"], entry["period"]) == ("commune", dt.date(2025, 8, 1))
    text = _workbook_text(loaded, name)
    assert "Phản hồi về báo cáo của xã / Feedback on the commune submission" in text
    assert "district" not in text.lower() and "huyện" not in text.lower(), text
    [problem] = feedback(loaded, name)
    assert problem["reason"] == entry["reason"] and problem["reason_vi"]
    return problem


def test_office_named_in_one_cell_credits_that_commune(loaded):
    _credited(loaded, "office_in_one_cell.xlsx", "03688")


def test_office_label_with_its_value_in_the_next_cell(loaded):
    _credited(loaded, "office_next_cell.xlsx", "03664", month=9)


def test_a_name_of_a_commune_in_force_credits_it_even_where_a_former_commune_had_that_name_without_accents(loaded):
    entry = _credited(loaded, "name_in_force.xlsx", "03712")
    assert entry["unit_name_written"] == "Xã Mường Sại"


def test_a_name_of_a_former_commune_is_rejected_saying_where_it_went(loaded):
    problem = _rejected_in_commune_words(loaded, "name_of_a_former_commune.xlsx")
    assert ("Xã Mường Sai no longer exists since 01/07/2025: it is part of Xã Chiềng Khương, Mã xã 04222"
            in problem["reason"])
    assert "Xã Mường Sai không còn từ 01/07/2025: nay thuộc Xã Chiềng Khương, Mã xã 04222" in problem["reason_vi"]
    assert _entry(loaded, "name_of_a_former_commune.xlsx")["unit_name_written"] == "Xã Mường Sai"


def test_a_name_without_diacritics_that_fits_one_commune_credits_it(loaded):
    _credited(loaded, "name_without_diacritics.xlsx", "03688")


def test_a_name_without_diacritics_of_a_former_commune_only_is_rejected_saying_where_it_went(loaded):
    entry = _entry(loaded, "former_name_without_diacritics.xlsx")
    assert entry["outcome"] == "rejected" and entry["unit_code"] is None
    assert "Xã Chiềng Đen no longer exists since 01/07/2025: it is part of Phường Chiềng An, Mã xã 03664" in (
        entry["reason"])


@pytest.mark.parametrize("name, commune", list(COLLISIONS.items()))
def test_a_name_without_diacritics_fitting_two_communes_is_rejected_naming_both(loaded, name, commune):
    problem = _rejected_in_commune_words(loaded, f"collision_{commune}.xlsx")
    assert f"the commune name '{name}' on the cover fits 2 communes" in problem["reason"]
    assert f"(Mã xã {commune})" in problem["reason"]            # the commune in force
    assert "former commune" in problem["reason"] and "no longer exists since 01/07/2025" in problem["reason"]
    assert "ứng với 2 xã" in problem["reason_vi"] and "ghi tên xã có đủ dấu" in problem["reason_vi"]


def test_the_mường_sai_collision_names_both_codes_and_where_the_former_went(loaded):
    reason = _entry(loaded, "collision_03712.xlsx")["reason"]
    assert "Xã Mường Sại (Mã xã 03712)" in reason
    assert "Xã Mường Sai (former commune 04213, no longer exists since 01/07/2025: it is part of Xã Chiềng " \
           "Khương, Mã xã 04222)" in reason


def test_a_neighbours_template_is_rejected_and_never_replaces_the_neighbours_report(loaded):
    problem = _rejected_in_commune_words(loaded, "neighbours_template.xlsx")
    assert ("the cover names two communes: Mã xã 03664 is Phường Chiềng An, but Tên xã 'Phường Chiềng Cơi' is "
            "Phường Chiềng Cơi (Mã xã 03670)") in problem["reason"]
    own = _entry(loaded, "chieng_an_own_report.xlsx")
    assert (own["unit_code"], own["status"]) == ("03664", "accepted")   # still the report that counts


def test_an_office_naming_another_commune_than_the_code_is_rejected(loaded):
    problem = _rejected_in_commune_words(loaded, "office_of_a_neighbour.xlsx")
    assert "the cover names two communes: Mã xã 03688 is Xã Mường Chiên" in problem["reason"]
    assert "Xã Mường Giôn (Mã xã 03694)" in problem["reason"]
    assert rows_of_file(loaded, "office_of_a_neighbour.xlsx") == 0


def test_an_office_naming_another_commune_is_quoted_under_the_label_the_clerk_used(loaded):
    for name, label in [("office_of_a_neighbour.xlsx", "Đơn vị báo cáo"),
                        ("office_in_one_cell_of_a_neighbour.xlsx", "Đơn vị")]:
        problem = _rejected_in_commune_words(loaded, name)
        assert (f"but {label} 'UBND xã Mường Giôn' is Xã Mường Giôn (Mã xã 03694)" in problem["reason"]
                and problem["reason"].endswith(f"correct Mã xã or {label}")), problem["reason"]
        assert f"nhưng {label} 'UBND xã Mường Giôn' là Xã Mường Giôn (Mã xã 03694)" in problem["reason_vi"]
        assert "Tên xã" not in problem["reason"] + problem["reason_vi"]


def test_an_office_naming_the_commune_of_the_code_credits_it_without_a_warning(loaded):
    entry = _credited(loaded, "office_and_code.xlsx", "03727")
    assert entry["warnings"] == 0


def test_a_district_office_beside_a_commune_code_is_ignored_with_a_warning_quoting_it(loaded):
    _credited(loaded, "district_office_beside_a_code.xlsx", "03688")
    [warning] = feedback(loaded, "district_office_beside_a_code.xlsx")
    assert warning["reason"] == ("the cover names both a district and a commune: for 08/2025 the communes report, so "
                                 "Đơn vị báo cáo 'UBND huyện Quỳnh Nhai' was ignored")
    assert "nên Đơn vị báo cáo 'UBND huyện Quỳnh Nhai' không được dùng" in warning["reason_vi"]


def test_a_name_of_no_unit_with_a_code_is_a_warning_and_the_code_wins(loaded):
    entry = _credited(loaded, "name_of_no_unit.xlsx", "03694")
    [warning] = feedback(loaded, "name_of_no_unit.xlsx")
    assert "commune name 'Xã Mường Giông' does not match code 03694 (Xã Mường Giôn); the code is used" in (
        warning["reason"])
    assert warning["severity"].startswith("Cảnh báo") and entry["warnings"] == 1


def test_a_former_communes_name_with_the_code_it_went_into_is_that_commune_with_a_warning(loaded):
    _credited(loaded, "former_name_with_its_new_code.xlsx", "04222", month=9)
    [warning] = feedback(loaded, "former_name_with_its_new_code.xlsx")
    assert "is a former commune, Xã Mường Sai" in warning["reason"] and "Mã xã 04222 is used" in warning["reason"]


def test_no_unit_label_is_rejected_in_commune_words(loaded):
    problem = _rejected_in_commune_words(loaded, "no_unit_at_all.xlsx")
    assert problem["reason"].startswith("the cover sheet names no commune: give Mã xã (or Tên xã)")
    assert "hãy ghi Mã xã (hoặc Tên xã)" in problem["reason_vi"]


def test_a_district_office_after_the_reform_is_told_the_district_level_ended(loaded):
    entry = _entry(loaded, "district_office.xlsx")
    assert (entry["outcome"], entry["unit_type"], entry["unit_code"]) == ("rejected", "district", "118")
    assert "the district level was abolished on 01/07/2025" in entry["reason"]


def test_a_file_without_a_cover_gets_feedback_in_no_units_words(loaded):
    entry = _entry(loaded, "no_cover_sheet.xlsx")
    assert entry["outcome"] == "rejected" and "no cover sheet" in entry["reason"]
    text = _workbook_text(loaded, "no_cover_sheet.xlsx")
    assert "Phản hồi về báo cáo / Feedback on the submission" in text and "district" not in text.lower()
