"""What each sheet of a template holds: columns, widths and the check each column carries.

Data about the form only; pipeline/templates/workbook.py writes it. Headers are the canonical
ones of the submission format (pipeline/ingest/sheets.py), amounts carry their unit: đồng.
Vietnamese messages are what the clerk sees when the cell is selected (input) and when a
typed value breaks the check (error). Excel limits: titles 32 characters, messages 255.
"""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.enumerations import ENUMERATIONS

MAX_AMOUNT_VND = 100_000_000_000   # 100 tỷ: far above any case or grant, below Excel's integer troubles


def labels(domain: str) -> list[str]:
    return [vi for _, vi, _ in ENUMERATIONS[domain]]


@dataclass(frozen=True)
class Field:
    header: str
    width: float
    check: str = "text"          # text | list | commune_code | commune_name | amount | count | date | year
    domain: str | None = None    # enumeration domain of a list
    hint: str = ""               # the input message
    text_format: bool = False    # stored as text (codes keep their leading zeros)
    personal: bool = False       # never pre-filled

    @property
    def is_commune(self) -> bool:
        return self.check in ("commune_code", "commune_name")


STT = Field("STT", 5, "ignore")
COMMUNE_CODE = Field("Mã xã", 9, "commune_code", hint="Chọn mã xã trong danh sách (xã của đơn vị). "
                     "Có thể chỉ ghi Tên xã.", text_format=True)
COMMUNE_NAME = Field("Tên xã", 22, "commune_name", hint="Chọn tên xã trong danh sách (xã của đơn vị).")
AMOUNT_HINT = "Ghi số tiền bằng ĐỒNG, số nguyên, không ghi chữ 'đ' (ví dụ 40000000 là 40 triệu đồng). Để trống là 0."

HOUSES = (
    STT,
    Field("Mã hộ", 12, "household_id", hint="Mã hộ không được trùng. Hộ đã báo cáo: mã đã điền sẵn, không sửa. "
          "Hộ mới: ghi mã mới.", text_format=True),
    COMMUNE_CODE, COMMUNE_NAME,
    Field("Bản", 14, hint="Tên bản / tiểu khu."),
    Field("Họ tên chủ hộ", 22, hint="Bắt buộc với hộ mới. Hộ đã báo cáo có thể để trống (giữ tên đã báo cáo).",
          personal=True),
    Field("Số CCCD", 15, "national_id", hint="Số căn cước công dân: đúng 12 chữ số (không bắt buộc).",
          text_format=True, personal=True),
    Field("Dân tộc", 10),
    Field("Đối tượng", 17, "list", "category", hint="Chọn trong danh sách."),
    Field("Hình thức hỗ trợ", 12, "list", "support_type", hint="Chọn Xây mới hoặc Sửa chữa."),
    Field("Ngân sách trung ương (đồng)", 16, "amount", hint=AMOUNT_HINT),
    Field("Ngân sách địa phương (đồng)", 16, "amount", hint=AMOUNT_HINT),
    Field("Xã hội hóa (đồng)", 16, "amount", hint=AMOUNT_HINT),
    Field("Ngày khởi công", 12, "date", hint="Ngày/tháng/năm, ví dụ 06/01/2025."),
    Field("Ngày hoàn thành", 12, "date", hint="Bắt buộc khi Hoàn thành; không trước Ngày khởi công, "
          "không sau tháng báo cáo."),
    Field("Tình trạng", 15, "list", "house_status", hint="Chọn trong danh sách. Hoàn thành thì ghi Ngày hoàn thành."),
    Field("Ghi chú", 20),
)

GRANTS = (
    STT, COMMUNE_CODE, COMMUNE_NAME,
    Field("Chương trình", 22, "list", "programme", hint="Chọn trong danh sách."),
    Field("Số đối tượng", 11, "count", hint="Số nguyên ≥ 0: số hộ (sản xuất, khó khăn khác), số người (khám chữa "
          "bệnh), số học sinh (hỗ trợ học sinh)."),
    Field("Số tiền (đồng)", 16, "amount", hint=AMOUNT_HINT),
    Field("Nguồn kinh phí", 20, "list", "funding_source", hint="Chọn trong danh sách. Mỗi xã, chương trình và "
          "nguồn kinh phí một dòng."),
    Field("Ghi chú", 20),
)

POVERTY = (
    STT, COMMUNE_CODE, COMMUNE_NAME,
    Field("Năm rà soát", 10, "year", hint="Năm của kỳ rà soát hộ nghèo (năm vừa kết thúc)."),
    Field("Tổng số hộ", 11, "count", hint="Số nguyên > 0."),
    Field("Số hộ nghèo", 11, "count", hint="Số nguyên, không lớn hơn Tổng số hộ."),
    Field("Số hộ cận nghèo", 11, "count", hint="Số nguyên; hộ nghèo + cận nghèo không lớn hơn Tổng số hộ."),
    Field("Hộ nghèo DTTS", 11, "count", hint="Số hộ nghèo dân tộc thiểu số (không bắt buộc), không lớn hơn "
          "Số hộ nghèo."),
    Field("Tỷ lệ hộ nghèo (%)", 11, "percent", hint="Không bắt buộc. Số hộ nghèo / Tổng số hộ × 100, ví dụ 10,5."),
)
VILLAGE = Field("Bản", 14, hint="Một dòng cho cả xã, hoặc một dòng cho mỗi bản.")

ERRORS = {
    "list": ("Giá trị không hợp lệ", "Hãy chọn một giá trị trong danh sách."),
    "commune_code": ("Mã xã không hợp lệ", "Hãy chọn mã xã trong danh sách: chỉ các xã của đơn vị trong kỳ này."),
    "commune_name": ("Tên xã không hợp lệ", "Hãy chọn tên xã trong danh sách: chỉ các xã của đơn vị trong kỳ này."),
    "amount": ("Số tiền không hợp lệ", "Số tiền ghi bằng đồng, là số nguyên không âm (ví dụ 40000000). "
               "Không ghi theo nghìn hoặc triệu đồng, không ghi chữ."),
    "count": ("Số không hợp lệ", "Hãy ghi số nguyên không âm."),
    "date": ("Ngày không hợp lệ", "Hãy ghi ngày dạng ngày/tháng/năm, không trước 01/01/2015 và không sau tháng "
             "báo cáo."),
    "year": ("Năm không hợp lệ", "Năm rà soát không hợp lệ cho báo cáo này."),
    "percent": ("Tỷ lệ không hợp lệ", "Tỷ lệ là số từ 0 đến 100."),
    "national_id": ("Số CCCD không hợp lệ", "Số CCCD gồm đúng 12 chữ số."),
    "household_id": ("Mã hộ bị trùng", "Mã hộ này đã có ở dòng khác. Mỗi hộ một dòng, mã hộ không trùng."),
    "prepared_on": ("Ngày không hợp lệ", "Hãy ghi ngày lập báo cáo dạng ngày/tháng/năm."),
}
