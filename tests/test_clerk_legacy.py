"""Legacy-encoded text (submission format, "Mistakes clerks make": legacy text), issue 23.

Demo commune workbooks retyped by a clerk whose office still uses the old font encodings (TCVN3 with
.VnTime, VNI with VNI-Times): the cover, the sheet names, the enumerations and the names. One real
ingest: each is converted to Unicode before matching, loads as the Unicode demo file does, and the
clerk gets one warning; text that cannot be decided is left as written.
"""
import datetime as dt

import pytest
from openpyxl.styles import Font

from books import by_file, feedback, rows_of
from clerk_books import from_demo, in_legacy_font, rename, sheet_rows, to_legacy
from loading import load

TODAY = dt.date(2026, 11, 20)
WARNING = "was converted to Unicode before reading"


def _status_in_old_font(address: str, font: str | None):
    def edit(book):
        cell = book["Nhà ở"][address]
        cell.value = to_legacy(cell.value)
        if font:
            cell.font = Font(name=font)
    return edit


def _write(sources):
    from_demo(sources / "tcvn3_vntime.xlsx", "04222", 2026, 1, in_legacy_font())
    from_demo(sources / "tcvn3_no_font.xlsx", "03688", 2025, 8, in_legacy_font(font=None))
    from_demo(sources / "vni_times.xlsx", "03712", 2025, 8, in_legacy_font(encoding="vni", font="VNI-Times"))
    from_demo(sources / "sheet_name_only.xlsx", "03694", 2025, 8, rename("Nhà ở", to_legacy("Nhà ở")))
    # one status typed in the old font in an otherwise Unicode file ('Hoàn thành' in row 3)
    from_demo(sources / "one_status_vntime.xlsx", "03757", 2025, 8, _status_in_old_font("N3", ".VnTime"))
    from_demo(sources / "one_status_no_font.xlsx", "03781", 2025, 8, _status_in_old_font("N3", None))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("clerk_legacy")
    _write(root / "sources")
    return load(root / "sources", root / "warehouse", today=TODAY)


def _demo_cases(commune, year, month):
    """(Mã hộ, Bản, Tình trạng as a code) of the demo's Unicode houses sheet."""
    status = {"Hoàn thành": "completed", "Đang thi công": "in_progress", "Chưa khởi công": "not_started"}
    rows = sheet_rows(commune, year, month, "Nhà ở")
    header = rows[0]
    at = {name: header.index(name) for name in header if name}
    ids = at.get("Mã hộ", at.get("Ma ho"))
    village, state = at.get("Bản", at.get("Ban")), at.get("Tình trạng", at.get("Tinh trang"))
    found = [(row[ids], row[village], status[row[state]]) for row in rows[1:] if isinstance(row[0], (int, float))]
    assert found
    return found


def _loaded_cases(loaded, name):
    return [(r["household_id"], r["village"], r["status"]) for r in rows_of(loaded, "houses", name)]


def _one_warning(loaded, name):
    warnings = [w for w in feedback(loaded, name) if "font encoding" in w["reason"]]
    assert len(warnings) == 1, warnings
    return warnings[0]


@pytest.mark.parametrize("name, commune, year, month, font", [
    ("tcvn3_vntime.xlsx", "04222", 2026, 1, "TCVN3 (ABC, .VnTime)"),
    ("tcvn3_no_font.xlsx", "03688", 2025, 8, "TCVN3 (ABC, .VnTime)"),
    ("vni_times.xlsx", "03712", 2025, 8, "VNI (VNI-Times)"),
])
def test_a_workbook_typed_in_an_old_font_loads_as_the_unicode_one_with_one_warning(loaded, name, commune, year,
                                                                                    month, font):
    entry = by_file(loaded)[name]
    assert (entry["outcome"], entry["unit_code"], entry["period"]) == ("accepted", commune, dt.date(year, month, 1))
    assert _loaded_cases(loaded, name) == _demo_cases(commune, year, month)     # enumerations and names converted
    warning = _one_warning(loaded, name)
    assert f"text typed in the legacy font encoding {font} {WARNING}" in warning["reason"]
    assert "the sheet name" in warning["reason"] and "read as 'Thông tin'" in warning["reason"]   # cover found
    assert "đã được chuyển sang Unicode" in warning["reason_vi"] and entry["warnings"] == 1


def test_household_heads_are_stored_in_unicode(loaded):
    heads = [r["household_head"] for r in rows_of(loaded, "houses", "tcvn3_vntime.xlsx")]
    demo = [row[5] for row in sheet_rows("04222", 2026, 1, "Nhà ở")[1:] if isinstance(row[0], (int, float))]
    assert heads == demo and all("Ò" not in head and "µ" not in head for head in heads)


def test_the_cover_in_an_old_font_names_the_commune(loaded):
    entry = by_file(loaded)["tcvn3_vntime.xlsx"]
    assert entry["unit_name_written"] == "Xã Chiềng Khương"
    [poverty] = rows_of(loaded, "poverty", "tcvn3_vntime.xlsx")
    assert (poverty["review_year"], poverty["total_households"]) == (2025, 1817)


def test_a_sheet_name_in_an_old_font_is_read_as_that_sheet(loaded):
    name = "sheet_name_only.xlsx"
    assert _loaded_cases(loaded, name) == _demo_cases("03694", 2025, 8)
    warning = _one_warning(loaded, name)
    assert f"the sheet name '{to_legacy('Nhà ở')}', read as 'Nhà ở'" in warning["reason"]


def test_one_status_in_the_vntime_font_is_converted_by_its_font(loaded):
    name = "one_status_vntime.xlsx"
    assert _loaded_cases(loaded, name) == _demo_cases("03757", 2025, 8)
    assert by_file(loaded)[name]["outcome"] == "accepted"
    assert "1 cells on the sheets 'Nhà ở' (1)" in _one_warning(loaded, name)["reason"]


def test_a_short_text_without_its_font_that_cannot_be_decided_is_left_as_written(loaded):
    name = "one_status_no_font.xlsx"
    problems = [p for p in feedback(loaded, name) if p["severity"].startswith("Lỗi")]
    assert [(p["cell"], p["value"]) for p in problems] == [("'Nhà ở'!N3", to_legacy("Hoàn thành"))]
    assert "1 cells look typed in a legacy font encoding" in _one_warning(loaded, name)["reason"]
