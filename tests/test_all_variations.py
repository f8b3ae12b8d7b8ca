"""One workbook with every tolerated variation at once loads exactly the expected rows and figures."""
import datetime as dt
import unicodedata

import pytest

from loading import Formula, load, write_xlsxwriter

NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
D = dt.date

HOUSE_HEADERS = ["TT", "Ho ten chu ho", NFD("Mã hộ"), "commune_name", "  MÃ  XÃ ", "Tình\ntrạng", "Đối tượng",
                 "support_type", "Ngân sách\ntrung ương (đồng)", "Ngân sách địa phương (triệu đồng)",
                 "Xã hội hoá (nghìn đồng)", "ngay khoi cong", "NGÀY HOÀN THÀNH", "Cột lạ", "Số CCCD"]
HOUSES = [
    [None] * 15,
    ["UBND THÀNH PHỐ SƠN LA"] + [None] * 14,               # merged A2:O2
    [None, "DANH SÁCH HỘ ĐƯỢC HỖ TRỢ NHÀ Ở"] + [None] * 13,
    [],
    HOUSE_HEADERS,
    [f"({i})" for i in range(1, 16)],
    [1, "Lò Văn A", "H1", "P. Chiềng Lề", None, "Hoàn thành", "Hộ nghèo", "Xây mới", "40.000.000 đ", "15,5", 4500,
     "06/01/2025", D(2025, 3, 20), "rác", "014099000001"],
    [],
    [2, "Cà Thị B", "H2", None, 3649, "dang thi cong", "ho can ngheo", "repair", 20000000, Formula("=2+3", 5), "0",
     "2025-02-01", None, None, None],
    [3, "Quàng Văn C", "H3", NFD("xã chiềng cọ"), "03658", "completed", "meritorious", "new_build", "30.000.000",
     "10", "5.000,5", "01-02-2025", "15-03-2025", None, "014 099 000 003"],
    [None, "Tổng cộng", None, None, None, None, None, None, Formula("=SUM(I7:I10)", 90_000_000), "30,5",
     Formula("=SUM(K7:K10)", 9500.5)],
    [],
    [None, "Người lập biểu", None, None, None, None, None, None, "Thủ trưởng đơn vị"],
    [None, "(Ký, ghi rõ họ tên)", None, None, None, None, None, None, "(Ký tên, đóng dấu)"],
    [None, "Lò Thị Lập"],
]
GRANTS = [
    ["BÁO CÁO HỖ TRỢ THÁNG 3/2025"],
    ["STT", "Tên xã", "Chương trình", "Số đối tượng", "Kinh phí hỗ trợ", None, "Ghi chú"],
    [None, None, None, None, "Số tiền (triệu đồng)", "Nguồn kinh phí", None],
    ["1", "2", "3", "4", "5", "6", "7"],
    ["1", "Xã Chiềng Xôm", "Khám chữa bệnh", "1.250", "60,5", "NSTW", None],
    ["2", "x. chieng den", "students", 12, 3, "Xã hội hóa", "ghi chú"],
    [None, None, None, None, None, None, None],
    ["3", "Chiềng Đen", "Phát triển sản xuất", "7", Formula("=1.5*2", 3), "ngan sach dia phuong", None],
    ["Cộng", None, None, 1269, "66,5"],
    ["Ghi chú: số liệu đến 31/3/2025"],
]
POVERTY = [
    ["commune_code", "commune_name", "review_year", "total_households", "poor_households", "near_poor_households",
     "Ho ngheo DTTS", "Tỷ lệ hộ nghèo (%)", "Unknown"],
    ["03646", "Phường Chiềng Lề", "2024", "1.000", "105", 50, 80, "10,5", "x"],
    [3649, None, 2024, 2000, 240, 100, None, 0.12, None],
    [None, "To Hieu", 2023, 2000, 300, 100, 250, None, None],
    ["Total", None, None, 5000, 645, 250],
]
COVER = [["BÁO CÁO THÁNG"], [], ["Mã huyện:", None, "116"], ["Tên huyện :", "TP. Sơn La"],
         [NFD("Kỳ báo cáo") + ":", "Tháng 3/2025"], ["lan gui", "1"], ["Người lập:", "Lò Thị Lập"]]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("all")
    write_xlsxwriter(root / "sources" / "deep" / "any name.xlsx",
                     {"Hướng dẫn": [["đọc kỹ"]], "thong_tin": COVER, "NHA O": HOUSES, "Grants": GRANTS,
                      NFD("Hộ_nghèo"): POVERTY},
                     merges={"NHA O": [("A2:O2", "UBND THÀNH PHỐ SƠN LA")]})
    return load(root / "sources", root / "warehouse")


def test_ledger_accepts_everything_without_problems(loaded):
    [entry] = loaded.ledger()
    assert loaded.rejected() == [] and loaded.warnings() == []
    assert (entry["status"], entry["district_code"], entry["period"], entry["version"]) == (
        "accepted", "116", D(2025, 3, 1), 1)
    assert entry["rows_loaded"] == 3 + 3 + 3
    assert entry["rows_read"] == entry["rows_loaded"] + entry["rows_skipped"]
    sheets = loaded.sheets()
    assert sheets["houses"]["header_row"] == 5
    assert (sheets["houses"]["rows_read"], sheets["houses"]["rows_skipped"]) == (10, 7)
    assert (sheets["grants"]["rows_read"], sheets["grants"]["rows_skipped"]) == (7, 4)
    assert (sheets["poverty"]["rows_read"], sheets["poverty"]["rows_skipped"]) == (4, 1)
    assert loaded.feedback == []


def test_houses_figures(loaded):
    rows = [(r["excel_row"], r["household_id"], r["commune_code"], r["household_head"], r["national_id"],
             r["category"], r["support_type"], r["central_budget_vnd"], r["local_budget_vnd"],
             r["social_contribution_vnd"], r["start_date"], r["completion_date"], r["status"])
            for r in loaded.table("houses")]
    assert rows == [
        (7, "H1", "03646", "Lò Văn A", "014099000001", "poor", "new_build", 40_000_000, 15_500_000, 4_500_000,
         D(2025, 1, 6), D(2025, 3, 20), "completed"),
        (9, "H2", "03649", "Cà Thị B", None, "near_poor", "repair", 20_000_000, 5_000_000, 0,
         D(2025, 2, 1), None, "in_progress"),
        (10, "H3", "03658", "Quàng Văn C", "014099000003", "meritorious", "new_build", 30_000_000, 10_000_000,
         5_000_500, D(2025, 2, 1), D(2025, 3, 15), "completed"),
    ]


def test_grants_figures(loaded):
    rows = [(r["excel_row"], r["commune_code"], r["programme"], r["funding_source"], r["beneficiaries"],
             r["amount_vnd"], r["notes"]) for r in loaded.table("grants")]
    assert rows == [
        (5, "03664", "medical", "central", 1250, 60_500_000, None),
        (6, "03661", "students", "social", 12, 3_000_000, "ghi chú"),
        (8, "03661", "production", "local", 7, 3_000_000, None),
    ]


def test_poverty_figures(loaded):
    rows = [(r["excel_row"], r["commune_code"], r["review_year"], r["total_households"], r["poor_households"],
             r["near_poor_households"], r["poor_ethnic_minority_households"], r["poverty_rate_pct_written"])
            for r in loaded.table("poverty")]
    assert rows == [
        (2, "03646", 2024, 1000, 105, 50, 80, 10.5),
        (3, "03649", 2024, 2000, 240, 100, None, 0.12),
        (4, "03649", 2023, 2000, 300, 100, 250, None),
    ]
