"""A file against what the unit sent before (submission format, "A file against what the unit sent before"), as a
clerk sends it: a demo commune workbook, then a later file for the same month edited the way the clerk edits it,
each through the real ingest into one warehouse (two loads), read back from the ledger and the feedback workbook."""
import datetime as dt

from books import by_file, feedback, rows_of
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


def _lần_gửi(version: int, report_type: str | None = None, keep_houses: tuple[int, ...] = ()):
    """03754's cover with this Lần gửi (and Loại báo cáo); only these house rows (Excel rows) left."""
    def edit(book):
        rows = [["Mã xã", "03754"], ["Kỳ báo cáo", "08/2025"], ["Lần gửi", version]]
        cover(*rows, *([["Loại báo cáo", report_type]] if report_type else []))(book)
        houses = book["Nhà ở"]
        for row in range(houses.max_row, 1, -1):
            if row not in keep_houses:
                houses.delete_rows(row)
    return edit


def test_a_replacement_that_drops_cases_says_which_lần_gửi_a_supplement_needs_to_count(tmp_path):
    # 03754's six cases of 08/2025, then Lần gửi 2 with two of them: four no longer count
    from_demo(tmp_path / "1" / "bao_cao_xa_03754_2025_08.xlsx", "03754", 2025, 8)
    load(tmp_path / "1", tmp_path / "warehouse", today=TODAY)
    from_demo(tmp_path / "2" / "lan_2.xlsx", "03754", 2025, 8, _lần_gửi(2, keep_houses=(2, 3)))
    loaded = load(tmp_path / "2", tmp_path / "warehouse", today=TODAY)
    dropped = [p for p in feedback(loaded, "lan_2.xlsx", between_files=True) if "no longer counts" in p["reason"]]
    assert sorted(p["value"] for p in dropped) == ["119-2025-0375", "119-2025-0391", "119-2025-0404", "119-2025-0418"]
    assert all("send it alone as a supplement (Loại báo cáo: Bổ sung) with Lần gửi 3" in p["reason"] and
               "gửi riêng dưới dạng báo cáo bổ sung (Loại báo cáo: Bổ sung) với Lần gửi 3" in p["reason_vi"]
               for p in dropped), dropped[0]
    # the clerk does as told: one case sent back alone, as a supplement with Lần gửi 3; it counts again
    from_demo(tmp_path / "3" / "bo_sung.xlsx", "03754", 2025, 8, _lần_gửi(3, "Bổ sung", keep_houses=(4,)),
              lambda book: book.remove(book["Hỗ trợ"]))
    loaded = load(tmp_path / "3", tmp_path / "warehouse", today=TODAY)
    ledger = by_file(loaded)
    assert (ledger["bo_sung.xlsx"]["status"], ledger["bo_sung.xlsx"]["kinds_counting"]) == ("accepted", "houses")
    assert ledger["lan_2.xlsx"]["kinds_counting"] == "grants,houses"


def _houses_column(column: str, value, rows: tuple[int, ...] | None = None):
    """Every house row's (or only these Excel rows') cell in this column retyped as `value`."""
    def edit(book):
        houses = book["Nhà ở"]
        for row in rows or range(2, houses.max_row + 1):
            houses[f"{column}{row}"] = value
    return edit


def _loads_nothing(loaded, file_name: str) -> list[dict]:
    return [p for p in feedback(loaded, file_name, between_files=True) if "replaces nothing" in (p["reason"] or "")]


def test_a_later_file_whose_house_rows_are_all_errors_is_told_the_earlier_houses_still_count(tmp_path):
    # 03754's six cases of 08/2025, then Lần gửi 2 with every Mã hộ left blank: no house row loads, so it
    # carries no houses and the earlier file's cases still count; the clerk is told so, naming that file
    from_demo(tmp_path / "1" / "bao_cao_xa_03754_2025_08.xlsx", "03754", 2025, 8)
    load(tmp_path / "1", tmp_path / "warehouse", today=TODAY)
    from_demo(tmp_path / "2" / "lan_2.xlsx", "03754", 2025, 8, _lần_gửi(2, keep_houses=range(2, 8)),
              _houses_column("B", None))
    loaded = load(tmp_path / "2", tmp_path / "warehouse", today=TODAY)

    ledger = by_file(loaded)
    assert ledger["lan_2.xlsx"]["kinds_counting"] == "grants"
    assert ledger["bao_cao_xa_03754_2025_08.xlsx"]["kinds_counting"] == "houses"   # its cases still count
    [told] = _loads_nothing(loaded, "lan_2.xlsx")
    assert told["sheet"] == "Nhà ở"
    assert ("none of the rows of sheet 'Nhà ở' could be loaded, so this file replaces nothing in it: the figures "
            "of the earlier file ('bao_cao_xa_03754_2025_08.xlsx', Lần gửi 1) for 08/2025 still count until a "
            "corrected file is sent") in told["reason"]
    assert ("không dòng nào của trang 'Nhà ở' được nhận, nên tệp này không thay thế gì trong trang đó: số liệu "
            "của tệp trước ('bao_cao_xa_03754_2025_08.xlsx', Lần gửi 1) kỳ 08/2025 vẫn được tính cho đến khi gửi "
            "tệp đã sửa") in told["reason_vi"]
    assert told["severity"] is not None
    # ... the audit hears it too
    audit = loaded.rows("select rule from raw.warnings where submission_id = ? and message like '%replaces nothing%'",
                        [ledger["lan_2.xlsx"]["submission_id"]])
    assert [r["rule"] for r in audit] == ["replacement_loads_nothing"]


def test_a_later_file_with_some_house_rows_loaded_is_not_told_it_replaces_nothing(tmp_path):
    from_demo(tmp_path / "1" / "bao_cao_xa_03754_2025_08.xlsx", "03754", 2025, 8)
    load(tmp_path / "1", tmp_path / "warehouse", today=TODAY)
    from_demo(tmp_path / "2" / "lan_2.xlsx", "03754", 2025, 8, _lần_gửi(2, keep_houses=range(2, 8)),
              _houses_column("P", "Đang làm dở", rows=(2, 3)))   # two statuses unreadable, four rows load
    loaded = load(tmp_path / "2", tmp_path / "warehouse", today=TODAY)
    assert by_file(loaded)["lan_2.xlsx"]["kinds_counting"] == "grants,houses"
    assert _loads_nothing(loaded, "lan_2.xlsx") == []


def test_a_dropped_grant_row_is_named_by_its_english_labels_in_english(tmp_path):
    # Lần gửi 2 sends the grant row under another programme: the earlier row no longer counts, and the English
    # names its programme and source as the form labels them, not by their codes
    from_demo(tmp_path / "1" / "bao_cao_xa_03754_2025_08.xlsx", "03754", 2025, 8)
    load(tmp_path / "1", tmp_path / "warehouse", today=TODAY)
    from_demo(tmp_path / "2" / "lan_2.xlsx", "03754", 2025, 8, _lần_gửi(2, keep_houses=range(2, 8)),
              lambda book: book["Hỗ trợ"].__setitem__("D2", "Khám chữa bệnh"))
    loaded = load(tmp_path / "2", tmp_path / "warehouse", today=TODAY)
    [dropped] = [p for p in feedback(loaded, "lan_2.xlsx", between_files=True)
                 if "no longer counts" in (p["reason"] or "")]
    assert "the grant row of commune 03754, Other hardship, Social contribution (" in dropped["reason"]
    assert "hardship_other" not in dropped["reason"] and "social," not in dropped["reason"]
    assert "dòng hỗ trợ xã 03754, Hoàn cảnh khó khăn khác, Xã hội hóa (" in dropped["reason_vi"]


def _blank_mã_hộ(*rows: int):
    def edit(book):
        for row in rows:
            book["Nhà ở"][f"B{row}"] = None
    return edit


def test_a_file_with_some_mã_hộ_left_blank_loads_its_other_rows(tmp_path):
    # two of six Mã hộ left blank: those two rows are errors, the other four load (the id lookups once failed on
    # the blank ids: '<' not supported between 'float' and 'str', and the whole batch stopped)
    from_demo(tmp_path / "1" / "bao_cao_xa_03754_2025_08.xlsx", "03754", 2025, 8, _blank_mã_hộ(2, 3))
    loaded = load(tmp_path / "1", tmp_path / "warehouse", today=TODAY)
    entry = by_file(loaded)["bao_cao_xa_03754_2025_08.xlsx"]
    assert (entry["status"], entry["kinds_counting"]) == ("accepted_with_errors", "grants,houses")
    assert len(rows_of(loaded, "houses", "bao_cao_xa_03754_2025_08.xlsx")) == 4
    assert sorted({r[1] for r in loaded.rejected()}) == [2, 3]
    # each blank id is told it is missing, once; two blanks are not "the same Mã hộ twice"
    reasons = sorted((r[1], r[4]) for r in loaded.rejected())
    assert len(reasons) == 2 and not any("duplicate" in reason for _, reason in reasons), reasons


def test_a_later_review_whose_village_rows_are_all_errors_is_told_the_earlier_review_still_counts(tmp_path):
    # 03694's 2025 review of two villages sent in 01/2026, then Lần gửi 2 whose every Tổng số hộ is unreadable
    from history_books import commune_book

    commune_book(tmp_path / "1" / "ra_soat.xlsx", "03694", "01/2026", villages=[
        ("Bản Nà Tấu", 2025, 120, 20, 10), ("Bản Huổi Tòng", 2025, 90, 15, 5)])
    load(tmp_path / "1", tmp_path / "warehouse", today=TODAY)
    commune_book(tmp_path / "2" / "ra_soat_lan_2.xlsx", "03694", "01/2026", version=2,
                 grants=[("Phát triển sản xuất", 4, 12_000_000, "Ngân sách trung ương")], villages=[
        ("Bản Nà Tấu", 2025, "một trăm", 20, 10), ("Bản Huổi Tòng", 2025, "chín mươi", 15, 5)])
    loaded = load(tmp_path / "2", tmp_path / "warehouse", today=TODAY)

    ledger = by_file(loaded)
    assert ledger["ra_soat.xlsx"]["kinds_counting"] == "poverty"
    [told] = _loads_nothing(loaded, "ra_soat_lan_2.xlsx")
    assert "the figures of the earlier file ('ra_soat.xlsx', Lần gửi 1) for commune 03694, review 2025" \
        in told["reason"]
    assert "số liệu của tệp trước ('ra_soat.xlsx', Lần gửi 1) cho xã 03694, rà soát năm 2025" in told["reason_vi"]
