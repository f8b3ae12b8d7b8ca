"""Building district workbooks in tests (real .xlsx files written with openpyxl).

`submission(...)` writes a canonical workbook; every part can be overridden so a test
states exactly the variation it exercises.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

HOUSE_HEADERS = ["STT", "Mã hộ", "Mã xã", "Tên xã", "Bản", "Họ tên chủ hộ", "Số CCCD", "Dân tộc", "Đối tượng",
                 "Hình thức hỗ trợ", "Ngân sách trung ương", "Ngân sách địa phương", "Xã hội hóa",
                 "Ngày khởi công", "Ngày hoàn thành", "Tình trạng", "Ghi chú"]
GRANT_HEADERS = ["STT", "Mã xã", "Tên xã", "Chương trình", "Số đối tượng", "Số tiền", "Nguồn kinh phí", "Ghi chú"]
POVERTY_HEADERS = ["STT", "Mã xã", "Tên xã", "Năm rà soát", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo",
                   "Hộ nghèo DTTS", "Tỷ lệ hộ nghèo (%)"]


def house(household_id="H001", commune="03646", name="Phường Chiềng Lề", head="Lò Văn Test",
          national_id="014099000001", category="Hộ nghèo", support="Xây mới", central=40_000_000,
          local=15_000_000, social=5_000_000, start=dt.date(2025, 1, 6), done=dt.date(2025, 3, 20),
          status="Hoàn thành", village="Bản A", ethnicity="Thái", notes=None, no=1) -> list:
    return [no, household_id, commune, name, village, head, national_id, ethnicity, category, support,
            central, local, social, start, done, status, notes]


def grant(commune="03646", name="Phường Chiềng Lề", programme="Khám chữa bệnh", beneficiaries=10,
          amount=5_000_000, source="Ngân sách trung ương", notes=None, no=1) -> list:
    return [no, commune, name, programme, beneficiaries, amount, source, notes]


def poverty(commune="03646", name="Phường Chiềng Lề", year=2024, total=1000, poor=100, near_poor=50,
            ethnic=80, rate=10.0, no=1) -> list:
    return [no, commune, name, year, total, poor, near_poor, ethnic, rate]


def cover_rows(district="116", period="03/2025", version=1, district_name=None, prepared_on=None) -> list[list]:
    rows = [["Mã huyện", district], ["Kỳ báo cáo", period], ["Lần gửi", version]]
    if district_name:
        rows.append(["Tên huyện", district_name])
    if prepared_on:
        rows.append(["Ngày lập", prepared_on])
    return rows


def write_workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    """sheets: name -> rows (lists of cell values, row 1 first). Order is kept."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def submission(path: Path, district="116", period="03/2025", version=1, houses=None, grants=None,
               poverty_rows=None, cover=None, prepared_on=None) -> Path:
    """A canonical workbook; pass houses/grants/poverty_rows as lists of data rows (None = no sheet)."""
    sheets = {"Thông tin": cover if cover is not None else cover_rows(district, period, version,
                                                                      prepared_on=prepared_on)}
    if houses is not None:
        sheets["Nhà ở"] = [HOUSE_HEADERS, *houses]
    if grants is not None:
        sheets["Hỗ trợ"] = [GRANT_HEADERS, *grants]
    if poverty_rows is not None:
        sheets["Hộ nghèo"] = [POVERTY_HEADERS, *poverty_rows]
    return write_workbook(path, sheets)
