"""A file against what the unit sent before (submission format, "A file against what the unit sent before"), as a
clerk sends it: a demo commune workbook, then a later file for the same month edited the way the clerk edits it,
each through the real ingest into one warehouse (two loads), read back from the ledger and the feedback workbook."""
import datetime as dt

from books import by_file, feedback
from clerk_books import cover, from_demo
from loading import load

TODAY = dt.date(2026, 11, 20)


def _supplement_keeping_lần_gửi_1(book):
    """Loại báo cáo: Bổ sung added to the cover, Lần gửi left at 1; one case sent again, its Xã hội hóa corrected."""
    cover(["Mã xã", "03703"], ["Kỳ báo cáo", "08/2025"], ["Lần gửi", 1], ["Loại báo cáo", "Bổ sung"])(book)
    del book["Hỗ trợ"]
    houses = book["Nhà ở"]
    houses.delete_rows(3, houses.max_row)
    houses["M2"] = houses["M2"].value + 500_000


def test_a_supplement_with_the_same_lần_gửi_is_said_to_be_merged_not_to_replace(tmp_path):
    first = from_demo(tmp_path / "first" / "bao_cao_xa_03703_2025_08.xlsx", "03703", 2025, 8)
    load(first.parent, tmp_path / "warehouse", today=TODAY)
    from_demo(tmp_path / "second" / "bo_sung.xlsx", "03703", 2025, 8, _supplement_keeping_lần_gửi_1)
    loaded = load(tmp_path / "second", tmp_path / "warehouse", today=TODAY)

    ledger = by_file(loaded)
    assert ledger["bo_sung.xlsx"]["report_type"] == "supplement"
    assert ledger["bao_cao_xa_03703_2025_08.xlsx"]["kinds_counting"] == "grants,houses"   # merged into, not replaced
    [claim] = [p for p in feedback(loaded, "bo_sung.xlsx", between_files=True) if p["column"] == "Lần gửi"]
    assert "also claims Lần gửi 1 for 08/2025" in claim["reason"]
    assert "replaces" not in claim["reason"] and "thay thế" not in claim["reason_vi"]
    assert "this one is merged into it for 'Nhà ở' (Loại báo cáo: Bổ sung)" in claim["reason"]
    assert "tệp này được bổ sung vào tệp đó cho 'Nhà ở' (Loại báo cáo: Bổ sung)" in claim["reason_vi"]
