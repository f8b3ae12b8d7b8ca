"""The cell check (Excel data validation) each template column carries, from its column in the form.

A value type has its check (a dropdown for a choice, a whole number for an amount, a date
range, …); the form's Template.check names the few others. Vietnamese messages are what the
clerk sees when the cell is selected (input: the form's hint) and when a typed value breaks
the check (error, below). Excel limits: titles 32 characters, messages 255.
"""
from __future__ import annotations

import datetime as dt

from xlsxwriter.utility import xl_rowcol_to_cell

from pipeline import enumerations, form
from pipeline.form import Column
from pipeline.ingest import reference

ERRORS = {
    "list": ("Giá trị không hợp lệ", "Hãy chọn một giá trị trong danh sách."),
    "commune_code": ("Mã xã không hợp lệ", "Hãy chọn mã xã trong danh sách: chỉ các xã của đơn vị trong kỳ này."),
    "commune_name": ("Tên xã không hợp lệ", "Hãy chọn tên xã trong danh sách: chỉ các xã của đơn vị trong kỳ này."),
    "amount": ("Số tiền không hợp lệ", "Số tiền ghi bằng đồng, là số nguyên không âm (ví dụ 40000000). "
               "Không ghi theo nghìn hoặc triệu đồng, không ghi chữ."),
    "count": ("Số không hợp lệ", "Hãy ghi số nguyên không âm."),
    "date": ("Ngày không hợp lệ", f"Hãy ghi ngày dạng ngày/tháng/năm, không trước {form.EARLIEST_DATE:%d/%m/%Y} và "
             "không sau tháng báo cáo."),
    "year": ("Năm không hợp lệ", "Năm rà soát không hợp lệ cho báo cáo này."),
    "percent": ("Tỷ lệ không hợp lệ", "Tỷ lệ là số từ 0 đến 100."),
    "number": ("Số không hợp lệ", "Hãy ghi một số trong khoảng cho phép (phần thập phân sau dấu phẩy)."),
    "national_id": ("Số CCCD không hợp lệ", f"Số CCCD gồm đúng {form.NATIONAL_ID_DIGITS} chữ số."),
    "unique": ("Mã hộ bị trùng", "Mã hộ này đã có ở dòng khác. Mỗi hộ một dòng, mã hộ không trùng."),
    "prepared_on": ("Ngày không hợp lệ", "Hãy ghi ngày lập báo cáo dạng ngày/tháng/năm."),
}
LIST_NAMES = {"commune_code": "ds_ma_xa", "commune_name": "ds_ten_xa"}   # the unit's communes (defined names)
# The cell style of each value type (text_format columns are text whatever their type).
STYLES = {"amount": "amount", "count": "count", "year": "count", "date": "date", "decimal": "percent"}


def header(column: Column) -> str:
    """The column's header on the template: the canonical one; amounts carry their unit, đồng."""
    return f"{column.header} (đồng)" if column.value_type == "amount" else column.header


def style(column: Column) -> str:
    return "text" if column.template.text_format else STYLES.get(column.value_type, "plain")


def _datetime(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


def year_range(unit_type: str, period: dt.date) -> tuple[int, int]:
    """Review years a report may carry: the districts' up to the 2024 review, the communes' from 2025."""
    last_district_review = reference.FIRST_COMMUNE_REVIEW - 1
    if unit_type == reference.DISTRICT:
        return form.FIRST_REVIEW_YEAR, min(period.year, last_district_review)
    return last_district_review + 1, period.year


def column_check(column: Column, unit_type: str, period: dt.date, col: int, first: int, last: int) -> dict | None:
    """The data validation of one column over rows first..last (None: no check, e.g. STT)."""
    title, hint = column.header.split(" (")[0], column.template.hint
    check = column.template.check or column.value_type
    if check == "ignore":
        return None
    if check == "choice":
        return cell_check("list", title, hint, source=[vi for _, vi, _ in enumerations.ENUMERATIONS[column.choices]])
    if check in ("code", "commune_name"):
        communes = "commune_code" if check == "code" else check
        return cell_check("list", title, hint, source=f"={LIST_NAMES[communes]}", error=communes)
    if check == "amount":
        return cell_check("integer", title, hint, minimum=0, maximum=form.MAX_AMOUNT_VND, error="amount")
    if check == "count":
        return cell_check("integer", title, hint, minimum=0, maximum=form.MAX_COUNT)
    if check == "year":
        low, high = year_range(unit_type, period)
        return cell_check("integer", title, f"{hint} Từ {low} đến {high}.", minimum=low, maximum=high, error="year")
    if check == "date":
        return cell_check("date", title, hint, minimum=_datetime(form.EARLIEST_DATE),
                          maximum=_datetime(reference.month_end(period)))
    if check == "percent":
        return cell_check("decimal", title, hint, minimum=0, maximum=100)
    if check == "decimal":   # a number within the column's limits in the form
        low = column.minimum if column.minimum is not None else 0
        if column.maximum is None:
            return {**cell_check("decimal", title, hint, error="number"), "criteria": ">=", "value": low}
        return cell_check("decimal", title, hint, minimum=low, maximum=column.maximum, error="number")
    if check == "national_id":
        return {**cell_check("length", title, hint, error=check), "criteria": "==", "value": form.NATIONAL_ID_DIGITS}
    if check == "unique":
        span = (xl_rowcol_to_cell(first, col, row_abs=True, col_abs=True)
                + ":" + xl_rowcol_to_cell(last, col, row_abs=True, col_abs=True))
        return {**cell_check("custom", title, hint, error=check),
                "value": f"=COUNTIF({span},{xl_rowcol_to_cell(first, col)})<=1"}
    return cell_check("any", title, hint) if hint else None


def cell_check(validate: str, title: str, hint: str, error: str | None = None, **criteria) -> dict:
    check = {"validate": validate, "input_title": title[:32], "input_message": hint[:255]}
    if validate == "any":
        return check
    if "minimum" in criteria:
        check["criteria"] = "between"
    error_title, error_message = ERRORS[error or {"integer": "count", "decimal": "percent"}.get(validate, validate)]
    check.update(criteria, error_type="stop", error_title=error_title[:32], error_message=error_message[:255])
    return check
