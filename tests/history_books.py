"""Workbooks as a commune's or a district's clerk fills them in, for the tests of a file against what the unit sent
before (tests/test_history.py): a title over a merged row, label/value pairs with colons on the cover, a unit
line, dates typed as text the Vietnamese way, the commune's own rows without a commune column."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from books import write_book
from workbooks import national_id_of

D = dt.date
COMMUNES = {"03646": "Phường Tô Hiệu", "03664": "Phường Chiềng An", "03670": "Phường Chiềng Cơi",
            "03679": "Phường Chiềng Sinh", "03688": "Xã Mường Chiên", "03694": "Xã Mường Giôn",
            "03703": "Xã Quỳnh Nhai", "03712": "Xã Mường Sại", "03721": "Xã Thuận Châu", "03724": "Xã Bình Thuận",
            "03727": "Xã Mường É", "03754": "Xã Chiềng La", "03757": "Xã Mường Khiêng", "03760": "Xã Mường Bám",
            "03763": "Xã Long Hẹ", "03781": "Xã Co Mạ", "03820": "Xã Ngọc Chiến"}
DISTRICTS = {"118": "Huyện Quỳnh Nhai", "119": "Huyện Thuận Châu", "120": "Huyện Mường La"}
HOUSE_HEADERS = ["STT", "Mã hộ", "Bản", "Họ tên chủ hộ", "Số CCCD", "Dân tộc", "Đối tượng", "Hình thức hỗ trợ",
                 "Ngân sách trung ương", "Ngân sách địa phương", "Xã hội hóa", "Ngày khởi công", "Ngày hoàn thành",
                 "Tình trạng", "Ghi chú"]
GRANT_HEADERS = ["STT", "Chương trình", "Số đối tượng", "Số tiền", "Nguồn kinh phí", "Ghi chú"]
VILLAGE_HEADERS = ["STT", "Bản", "Năm rà soát", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo"]
DISTRICT_COMMUNE = ["Mã xã", "Tên xã"]
DONE, BUILDING = "Hoàn thành", "Đang thi công"


def case(household_id, start, done=None, status=None, national_id=None, support="Xây mới", head="Lò Văn Hùng",
         village="Bản Nà Sy", central=40_000_000, local=15_000_000, social=5_000_000, note=None) -> dict:
    """A house case as the clerk types it: dates as dd/mm/yyyy text, the status spelt out."""
    return {"id": household_id, "start": start, "done": done, "status": status or (DONE if done else BUILDING),
            "cccd": national_id or national_id_of(household_id), "support": support, "head": head,
            "village": village, "money": (central, local, social), "note": note}


def _date(day) -> str | None:
    return f"{day:%d/%m/%Y}" if day else None


def _house_row(no: int, c: dict, commune: tuple | None) -> list:
    place = list(commune) if commune else []
    return [no, c["id"], *place, c["village"], c["head"], c["cccd"], "Thái", "Hộ nghèo", c["support"], *c["money"],
            _date(c["start"]), _date(c["done"]), c["status"], c["note"]]


def _title(text: str, width: int) -> tuple[list[list], list[str]]:
    """A title merged across the table and the unit line under it, as offices lay them out."""
    last = chr(ord("A") + width - 1)
    return [[text], ["ĐVT: đồng"]], [f"A1:{last}1"]


def _table(title: str, headers: list[str], rows: list[list]) -> tuple[list[list], list[str]]:
    top, merges = _title(title, len(headers))
    return [*top, headers, *rows, [], [None, "Người lập biểu", None, None, "Chủ tịch UBND"]], merges


def _cover(labels: list[tuple], period: str, version: int, supplement: bool, prepared: str) -> list[list]:
    rows = [["BÁO CÁO KẾT QUẢ THỰC HIỆN PHONG TRÀO \"VÌ NGƯỜI NGHÈO - KHÔNG ĐỂ AI BỊ BỎ LẠI PHÍA SAU\""], [],
            *[[f"{label}:", value] for label, value in labels],
            ["Kỳ báo cáo:", f"Tháng {period}"], ["Lần gửi:", version], ["Ngày lập:", prepared],
            ["Người lập:", "Cầm Thị Hoa"]]
    if supplement:
        rows.append(["Loại báo cáo:", "Bổ sung"])
    return rows


def commune_book(path: Path, code: str, period: str, version: int = 1, supplement: bool = False, houses=(),
                 grants=(), villages=(), prepared: str = "05/01/2026") -> Path:
    """A commune's report (from 07/2025): its own rows, so no commune column."""
    month = period.split("/")[0].lstrip("0")
    sheets, merges = {"Thông tin": _cover([("Mã xã", code), ("Tên xã", COMMUNES[code])], period, version,
                                          supplement, prepared)}, {}
    if houses:
        sheets["Nhà ở"], merges["Nhà ở"] = _table(f"DANH SÁCH HỘ ĐƯỢC HỖ TRỢ NHÀ Ở THÁNG {month}",
                                                 HOUSE_HEADERS, [_house_row(i, c, None) for i, c in enumerate(houses, 1)])
    if grants:
        sheets["Hỗ trợ"], merges["Hỗ trợ"] = _table(f"KINH PHÍ HỖ TRỢ THÁNG {month}", GRANT_HEADERS,
                                                   [[i, *g] for i, g in enumerate(grants, 1)])
    if villages:
        sheets["Hộ nghèo"], merges["Hộ nghèo"] = _table("KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO", VILLAGE_HEADERS,
                                                       [[i, *v] for i, v in enumerate(villages, 1)])
    return write_book(path, sheets, merges)


def district_book(path: Path, district: str, period: str, houses=(), grants=(), poverty=(), version: int = 1,
                  prepared: str = "05/07/2025") -> Path:
    """A district's report (to 06/2025): every row names its commune. houses: (commune code, case);
    grants: (commune code, programme, beneficiaries, amount, source); poverty: (commune code, year, total, poor,
    near-poor)."""
    sheets, merges = {"Thông tin": _cover([("Mã huyện", district), ("Tên huyện", DISTRICTS[district])], period,
                                          version, False, prepared)}, {}
    if houses:
        headers = HOUSE_HEADERS[:2] + DISTRICT_COMMUNE + HOUSE_HEADERS[2:]
        rows = [_house_row(i, c, (code, None)) for i, (code, c) in enumerate(houses, 1)]
        sheets["Nhà ở"], merges["Nhà ở"] = _table("DANH SÁCH HỘ ĐƯỢC HỖ TRỢ NHÀ Ở", headers, rows)
    if grants:
        headers = ["STT", *DISTRICT_COMMUNE, *GRANT_HEADERS[1:]]
        rows = [[i, code, None, *rest, None] for i, (code, *rest) in enumerate(grants, 1)]
        sheets["Hỗ trợ"], merges["Hỗ trợ"] = _table("KINH PHÍ HỖ TRỢ", headers, rows)
    if poverty:
        headers = ["STT", *DISTRICT_COMMUNE, "Năm rà soát", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo"]
        rows = [[i, code, None, *rest] for i, (code, *rest) in enumerate(poverty, 1)]
        sheets["Hộ nghèo"], merges["Hộ nghèo"] = _table("KẾT QUẢ RÀ SOÁT HỘ NGHÈO", headers, rows)
    return write_book(path, sheets, merges)
