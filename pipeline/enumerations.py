"""Every enumeration the warehouse stores, written once: English code, Vietnamese label, English label.

The parser accepts the Vietnamese labels (and the aliases in pipeline/form/sheets.py);
dbt reads the same values from the seed `enumerations.csv`, which `python -m tools.export_seeds`
writes from this module (a test keeps the two equal); BI tools join that seed's published copy
(`marts.dim_enumeration`) to show Vietnamese labels.
"""
from __future__ import annotations

# domain -> [(code, Vietnamese label, English label)], in the order a form lists them
ENUMERATIONS: dict[str, list[tuple[str, str, str]]] = {
    "category": [
        ("poor", "Hộ nghèo", "Poor household"),
        ("near_poor", "Hộ cận nghèo", "Near-poor household"),
        ("meritorious", "Hộ có công", "Household of a person with merit"),
        ("other", "Hộ khó khăn khác", "Other household in hardship"),
    ],
    "support_type": [
        ("new_build", "Xây mới", "New build"),
        ("repair", "Sửa chữa", "Repair"),
    ],
    "house_status": [
        ("not_started", "Chưa khởi công", "Not started"),
        ("in_progress", "Đang thi công", "In progress"),
        ("completed", "Hoàn thành", "Completed"),
    ],
    "programme": [
        ("production", "Phát triển sản xuất", "Production development"),
        ("medical", "Khám chữa bệnh", "Medical care"),
        ("students", "Hỗ trợ học sinh", "Support for students"),
        ("hardship_other", "Hoàn cảnh khó khăn khác", "Other hardship"),
    ],
    "funding_source": [
        ("central", "Ngân sách trung ương", "Central budget"),
        ("local", "Ngân sách địa phương", "Local budget"),
        ("social", "Xã hội hóa", "Social contribution"),
    ],
    "submission_status": [
        ("accepted", "Đã nhận", "Accepted"),
        ("accepted_with_errors", "Đã nhận, có dòng bị loại", "Accepted, some rows rejected"),
        ("rejected", "Bị từ chối", "Rejected"),
        ("duplicate", "Trùng tệp đã gửi", "Duplicate of a file already received"),
        ("superseded", "Đã được thay thế", "Superseded by a later submission"),
    ],
    "sheet_kind": [
        ("cover", "Thông tin", "Cover"),
        ("houses", "Nhà ở", "Houses"),
        ("grants", "Hỗ trợ", "Grants"),
        ("poverty", "Hộ nghèo", "Poverty review"),
        ("other", "Trang khác (không đọc)", "Another sheet (not read)"),
    ],
    "skipped_row": [
        ("blank", "Dòng trống", "Blank (or a template row with only its commune, village or STT)"),
        ("total", "Dòng tổng", "Total row"),
        ("subtotal", "Dòng cộng", "Subtotal row (Cộng xã …)"),
        ("column_numbers", "Dòng đánh số cột", "Column-number row"),
        ("repeated_header", "Dòng tiêu đề lặp lại", "Header repeated (page break)"),
        ("note", "Dòng ghi chú", "Note inside the table"),
        ("footer", "Phần cuối bảng", "Below the table (notes, signature block)"),
    ],
    "completeness_state": [
        ("on_time", "Đúng hạn", "On time"),
        ("late", "Muộn", "Late"),
        ("missing", "Chưa gửi", "Missing"),
        ("rejected_only", "Chỉ có tệp bị từ chối", "Only rejected files"),
        ("not_due", "Chưa đến hạn", "Not due yet"),
    ],
}


def codes(domain: str) -> list[str]:
    return [code for code, _, _ in ENUMERATIONS[domain]]


def label_vi(domain: str, code: str) -> str:
    return next((vi for c, vi, _ in ENUMERATIONS[domain] if c == code), code)


def label_en(domain: str, code: str) -> str:
    return next((en for c, _, en in ENUMERATIONS[domain] if c == code), code)


def seed_rows() -> list[tuple[str, str, str, str, int]]:
    """(domain, code, label_vi, label_en, sort_order): the rows of dbt's seed enumerations.csv."""
    return [(domain, code, vi, en, order)
            for domain, values in ENUMERATIONS.items()
            for order, (code, vi, en) in enumerate(values, start=1)]
