"""Communes by code, by name or both, against the list in force (2024 list up to 2025-01)."""
import datetime as dt
import unicodedata

import pytest

from loading import TODAY
from pipeline.ingest.parse import parse_workbook
from pipeline.ingest.reference import CommuneError, match_commune
from workbooks import POVERTY_HEADERS, cover_rows, house, poverty, records, submission


@pytest.mark.parametrize("code, name", [
    ("03646", None), (3646, None), (3646.0, None), (" 03646 ", None),
    (None, "Phường Chiềng Lề"), (None, "Chiềng Lề"), (None, "P. Chiềng Lề"), (None, "p.chiềng lề"),
    (None, "PHUONG CHIENG LE"), (None, unicodedata.normalize("NFD", "Phường Chiềng Lề")), (None, "  chieng   le "),
    ("03646", "Phường Chiềng Lề"), ("03646", "Chieng Le"),
])
def test_commune_by_code_name_or_both(code, name):
    assert match_commune(code, name, "116", 2025) == "03646"


@pytest.mark.parametrize("name", ["Xã Chiềng Cọ", "X. Chiềng Cọ", "x.Chiềng Cọ", "Chiềng Cọ"])
def test_commune_prefix_xa(name):
    assert match_commune(None, name, "116", 2025) == "03658"


@pytest.mark.parametrize("name", ["Thị trấn Mường Giàng", "TT Mường Giàng", "TT. Mường Giàng", "tt.muong giang"])
def test_commune_prefix_thi_tran(name):
    assert match_commune(None, name, "118", 2025) == "03703"


@pytest.mark.parametrize("code, name, column, reason", [
    ("99999", None, "commune_code", "unknown commune code"),
    (None, "Xã Không Tồn Tại", "commune_name", "not a commune of district"),
    ("03682", None, "commune_code", "belongs to district 118"),           # Mường Chiên, district 118
    (None, "Mường Chiên", "commune_name", "not a commune of district"),   # another district's commune by name
    ("03646", "Tô Hiệu", "commune_name", "disagree"),
    ("3646a", None, "commune_code", "5-digit"),
    (None, None, "commune_code", "missing"),
])
def test_commune_errors(code, name, column, reason):
    with pytest.raises(CommuneError, match=reason) as error:
        match_commune(code, name, "116", 2025)
    assert error.value.column == column


def test_merged_away_commune_valid_in_2024_error_in_2025():
    # Xã Tân Hợp (03988, Mộc Châu) exists in the 2024 list only
    assert match_commune("03988", None, "123", 2024) == "03988"
    assert match_commune(None, "Tân Hợp", "123", 2024) == "03988"
    with pytest.raises(CommuneError, match="not in force"):
        match_commune("03988", None, "123", 2025)
    with pytest.raises(CommuneError, match="2024 list"):
        match_commune(None, "Xã Tân Hợp", "123", 2025)


def test_new_commune_valid_in_2025_error_in_2024():
    # Phường Mộc Lỵ (03980) exists in the 2025 list only
    assert match_commune("03980", "Phường Mộc Lỵ", "123", 2025) == "03980"
    with pytest.raises(CommuneError, match="not in force"):
        match_commune("03980", None, "123", 2024)


def test_rows_checked_against_list_of_the_reporting_month(tmp_path):
    row = house(commune="03988", name="Xã Tân Hợp", done=dt.date(2024, 12, 10), start=dt.date(2024, 11, 1))
    old = parse_workbook(submission(tmp_path / "a.xlsx", district="123", period="12/2024", houses=[row]), TODAY)
    assert [r["commune_code"] for r in records(old.sheets["houses"])] == ["03988"]
    # The 204 -> 200 change took effect on 2025-02-01 (correction): a 2025-01 report still uses
    # the 2024 list, a 2025-02 report the 2025 one.
    january = parse_workbook(submission(tmp_path / "j.xlsx", district="123", period="01/2025",
                                        houses=[house(commune="03988", name="Xã Tân Hợp", done=dt.date(2025, 1, 10))]),
                             TODAY)
    assert [r["commune_code"] for r in records(january.sheets["houses"])] == ["03988"]
    new = parse_workbook(submission(tmp_path / "b.xlsx", district="123", period="02/2025",
                                    houses=[house(commune="03988", name="Xã Tân Hợp", done=dt.date(2025, 2, 10))]), TODAY)
    [problem] = new.sheets["houses"].problems
    assert (problem.excel_row, problem.column, problem.value) == (2, "Mã xã", "03988")
    assert records(new.sheets["houses"]) == []


def test_poverty_rows_checked_against_the_list_of_their_review_year(tmp_path):
    rows = [poverty("03988", "Xã Tân Hợp", year=2024), poverty("03988", "Xã Tân Hợp", year=2025, no=2),
            poverty("03980", "Phường Mộc Lỵ", year=2025, no=3), poverty("03980", "Phường Mộc Lỵ", year=2024, no=4)]
    parsed = parse_workbook(submission(tmp_path / "p.xlsx", district="123", period="03/2025", poverty_rows=rows), TODAY)
    sheet = parsed.sheets["poverty"]
    # The 2025 review is reported by the communes (reporting-units-2025.md): in a district's report a
    # 2025 review row is a row error, whatever its commune.
    assert [(r["excel_row"], r["commune_code"]) for r in records(sheet)] == [(2, "03988")]
    assert sorted((p.excel_row, p.column) for p in sheet.problems) == [(3, "Năm rà soát"), (4, "Năm rà soát"),
                                                                       (5, "Mã xã")]


def test_commune_by_name_only_column(tmp_path):
    headers = [h for h in POVERTY_HEADERS if h != "Mã xã"]
    row = [1, "X. Chiềng Cọ", 2024, 100, 10, 5, 3, 10.0]
    path = tmp_path / "n.xlsx"
    from workbooks import write_workbook
    write_workbook(path, {"Thông tin": cover_rows(), "Hộ nghèo": [headers, row]})
    sheet = parse_workbook(path, TODAY).sheets["poverty"]
    assert [r["commune_code"] for r in records(sheet)] == ["03658"]
