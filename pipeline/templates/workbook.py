"""One reporting unit's template for one month, written with XlsxWriter.

The workbook is the submission format itself (canonical sheet names and headers), so the
clerk's filled copy goes through the same load as any other file: the checks here help the
clerk, the load decides. Every text is written as a string (never a formula), every check is
plain data validation (list, whole number, decimal, date, text length, one COUNTIF), which
Excel 2007+ and LibreOffice both show.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from pipeline.enumerations import label_vi
from pipeline.templates import layout
from pipeline.templates.cases import OpenCase
from pipeline.templates.units import DISTRICT, ReportingUnit

HEADER_ROW = 2                 # 0-based: title, note, header
FIRST_ROW = HEADER_ROW + 1     # first data row
BLANK_ROWS = {"houses": 300, "grants": 200, "poverty": 50}
EARLIEST_DATE = dt.datetime(2015, 1, 1)
LIST_SHEET = "Danh mục xã"
DISTRICT_ERA_LAST_REVIEW = 2024   # later reviews are reported by the communes (2025 reform)


def month_end(period: dt.date) -> dt.date:
    return (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def write_template(path: Path, unit: ReportingUnit, period: dt.date, cases: list[OpenCase],
                   due: dt.date) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                            "strings_to_urls": False})
    try:
        styles = _styles(book)
        _cover(book.add_worksheet("Thông tin"), styles, unit, period, due)
        context = {"unit": unit, "period": period, "styles": styles}
        _houses(book.add_worksheet("Nhà ở"), context, cases)
        _table(book.add_worksheet("Hỗ trợ"), context, "grants", _fields(unit, layout.GRANTS), [],
               f"KINH PHÍ HỖ TRỢ ĐÃ CHI TRONG THÁNG {period:%m/%Y}")
        if period.month == 1:   # the review of the year just ended is reported with January
            _poverty(book.add_worksheet("Hộ nghèo"), context)
        _commune_list(book, styles, unit)
    finally:
        book.close()
    return path


def _styles(book) -> dict:
    base = {"font_name": "Arial", "font_size": 10, "valign": "vcenter"}
    fill = {**base, "locked": False, "bg_color": "#FFF8D6", "border": 1, "border_color": "#BFBFBF"}
    return {
        "title": book.add_format({**base, "bold": True, "font_size": 12}),
        "note": book.add_format({**base, "italic": True, "font_color": "#595959"}),
        "wrapped_note": book.add_format({**base, "italic": True, "font_color": "#595959", "text_wrap": True,
                                         "valign": "top"}),
        "page": book.add_format(base),
        "header": book.add_format({**base, "bold": True, "text_wrap": True, "align": "center", "border": 1,
                                   "bg_color": "#D9E1F2"}),
        "label": book.add_format({**base, "bold": True}),
        "fixed": book.add_format({**base, "border": 1, "bg_color": "#EDEDED", "num_format": "@"}),
        "text": book.add_format({**fill, "num_format": "@"}),
        "plain": book.add_format(fill),
        "amount": book.add_format({**fill, "num_format": "#,##0"}),
        "count": book.add_format({**fill, "num_format": "0"}),
        "percent": book.add_format({**fill, "num_format": "0.00"}),
        "date": book.add_format({**fill, "num_format": "dd/mm/yyyy"}),
    }


def _fields(unit: ReportingUnit, fields: tuple) -> list:
    """A commune's own report has no commune column: its rows are its own (reporting-units-2025.md)."""
    return [f for f in fields if unit.unit_type == DISTRICT or not f.is_commune]


def _protect(sheet) -> None:
    # No password: protection keeps fixed cells from slips; the load, not the sheet, decides.
    sheet.protect("", {"format_columns": True, "format_rows": True, "insert_rows": True, "delete_rows": True})


def _cover(sheet, styles, unit: ReportingUnit, period: dt.date, due: dt.date) -> None:
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 34)
    sheet.write_string(0, 0, "BÁO CÁO CHƯƠNG TRÌNH \"VÌ NGƯỜI NGHÈO - KHÔNG ĐỂ AI BỊ BỎ LẠI\"", styles["title"])
    label = unit.label
    pairs = [(f"Mã {label}", unit.code), (f"Tên {label}", unit.name), ("Kỳ báo cáo", f"{period:%m/%Y}")]
    for row, (name, value) in enumerate(pairs, start=2):
        sheet.write_string(row, 0, name, styles["label"])
        sheet.write_string(row, 1, value, styles["fixed"])
    sheet.write_string(5, 0, "Lần gửi", styles["label"])
    sheet.write_number(5, 1, 1, styles["fixed"])
    sheet.write_string(6, 0, "Ngày lập", styles["label"])
    sheet.write_blank(6, 1, None, styles["date"])
    sheet.data_validation(6, 1, 6, 1, _check("date", "Ngày lập", "Ngày lập báo cáo, ví dụ 05/12/2024.",
                                             minimum=dt.datetime(period.year, period.month, 1),
                                             maximum=dt.datetime(2099, 12, 31), error="prepared_on"))
    sheet.write_string(7, 0, "Người lập", styles["label"])
    sheet.write_blank(7, 1, None, styles["text"])
    notes = [f"Hạn gửi: ngày {due:%d/%m/%Y}. Gửi lại tệp này sau khi điền (giữ nguyên tên các trang và tiêu đề cột).",
             "Chỉ điền vào các ô màu vàng. Các ô xám đã điền sẵn và được khóa.",
             "Trang Nhà ở: các hộ đang thực hiện (chưa hoàn thành) đã điền sẵn theo báo cáo gần nhất; cập nhật "
             "tình trạng, kinh phí, ngày; thêm hộ mới ở các dòng trống bên dưới.",
             "Số tiền ghi bằng đồng. Tháng không có số liệu: gửi lại mẫu không điền (vẫn được tính là đã báo cáo)."]
    for row, text in enumerate(notes, start=9):
        sheet.merge_range(row, 0, row, 1, text, styles["wrapped_note"])
        sheet.set_row(row, 40)
    sheet.set_paper(9)   # A4
    sheet.activate()
    _protect(sheet)


def _houses(sheet, context, cases: list[OpenCase]) -> None:
    fields = _fields(context["unit"], layout.HOUSES)
    communes = {c.code: c.name for c in context["unit"].communes}
    rows = []
    for case in cases:
        # A commune merged away since the case was reported is not offered: the clerk picks its successor.
        in_list = context["unit"].unit_type != DISTRICT or case.commune_code in communes
        moved = None if in_list else (f"Xã cũ mã {case.commune_code} không còn trong danh mục kỳ này: "
                                      "hãy chọn xã hiện nay")
        rows.append({"STT": len(rows) + 1, "Mã hộ": case.household_id, "Mã xã": case.commune_code if in_list else None,
                     "Tên xã": communes.get(case.commune_code), "Bản": case.village, "Dân tộc": case.ethnicity,
                     "Ghi chú": moved,
                     "Đối tượng": label_vi("category", case.category),
                     "Hình thức hỗ trợ": label_vi("support_type", case.support_type),
                     "Ngân sách trung ương (đồng)": case.central_budget_vnd,
                     "Ngân sách địa phương (đồng)": case.local_budget_vnd,
                     "Xã hội hóa (đồng)": case.social_contribution_vnd,
                     "Ngày khởi công": case.start_date, "Ngày hoàn thành": case.completion_date,
                     "Tình trạng": label_vi("house_status", case.status)})
    period = context["period"]
    _table(sheet, context, "houses", fields, rows, f"DANH SÁCH HỘ ĐƯỢC HỖ TRỢ NHÀ Ở - THÁNG {period:%m/%Y}",
           fixed=("Mã hộ",))


def _poverty(sheet, context) -> None:
    unit, period = context["unit"], context["period"]
    fields = _fields(unit, layout.POVERTY)
    if unit.unit_type == DISTRICT:
        rows = [{"STT": i, "Mã xã": c.code, "Tên xã": c.name} for i, c in enumerate(unit.communes, start=1)]
    else:   # one row for the commune, or one per village: the clerk knows the villages
        fields.insert(1, layout.VILLAGE)
        rows = []
    _table(sheet, context, "poverty", fields, rows, f"KẾT QUẢ RÀ SOÁT HỘ NGHÈO NĂM {period.year - 1}",
           fixed=("Mã xã", "Tên xã"))


_FORMAT = {"amount": "amount", "count": "count", "year": "count", "date": "date", "percent": "percent"}


def _format(field) -> str:
    return "text" if field.text_format else _FORMAT.get(field.check, "plain")


def _table(sheet, context, kind: str, fields: list, rows: list[dict], title: str, fixed=()) -> None:
    """Title, note, header; the pre-filled rows; then every column formatted and checked for
    the pre-filled rows plus BLANK_ROWS empty ones."""
    unit, styles = context["unit"], context["styles"]
    for col, field in enumerate(fields):
        sheet.set_column(col, col, field.width, styles[_format(field)])
    for row in range(HEADER_ROW):   # title rows plain, not coloured like the columns below
        sheet.set_row(row, None, styles["page"])
    sheet.write_string(0, 0, f"{title} - {unit.name.upper()} ({unit.code})", styles["title"])
    sheet.write_string(1, 0, "Ô màu vàng: điền hoặc sửa; ô màu xám: đã điền sẵn, không sửa. "
                             "Số tiền ghi bằng đồng.", styles["note"])
    sheet.set_row(HEADER_ROW, 45)
    for col, field in enumerate(fields):
        sheet.write_string(HEADER_ROW, col, field.header, styles["header"])
    for offset, row in enumerate(rows):
        for col, field in enumerate(fields):
            value = row.get(field.header)
            if value is not None:
                _write(sheet, FIRST_ROW + offset, col, value, styles["fixed" if field.header in fixed
                                                                     else _format(field)])
    last = FIRST_ROW + len(rows) + BLANK_ROWS[kind] - 1
    for col, field in enumerate(fields):
        check = _field_check(field, context, col, last)
        if check:
            sheet.data_validation(FIRST_ROW, col, last, col, check)
    sheet.freeze_panes(FIRST_ROW, 2)
    sheet.set_paper(9)   # A4, landscape, one page wide, the header on every page
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_ROW)
    _protect(sheet)


def _write(sheet, row: int, col: int, value, style) -> None:
    if isinstance(value, str):
        sheet.write_string(row, col, value, style)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), style)
    else:
        sheet.write_number(row, col, value, style)


def _year_range(unit: ReportingUnit, period: dt.date) -> tuple[int, int]:
    """Review years a report may carry: the districts' up to the 2024 review, the communes' from 2025."""
    if unit.unit_type == DISTRICT:
        return 2020, min(period.year, DISTRICT_ERA_LAST_REVIEW)
    return DISTRICT_ERA_LAST_REVIEW + 1, period.year


def _field_check(field, context, col: int, last: int) -> dict | None:
    """The data validation of one column (None for STT)."""
    unit, period = context["unit"], context["period"]
    title = field.header.split(" (")[0]
    kind = field.check
    if kind == "ignore":
        return None
    if kind == "list":
        return _check("list", title, field.hint, source=layout.labels(field.domain))
    if kind in ("commune_code", "commune_name"):
        return _check("list", title, field.hint, source=f"={_list_name(kind)}", error=kind)
    if kind == "amount":
        return _check("integer", title, field.hint, minimum=0, maximum=layout.MAX_AMOUNT_VND, error="amount")
    if kind == "count":
        return _check("integer", title, field.hint, minimum=0, maximum=10_000_000)
    if kind == "year":
        low, high = _year_range(unit, period)
        hint = f"{field.hint} Từ {low} đến {high}."
        return _check("integer", title, hint, minimum=low, maximum=high, error="year")
    if kind == "date":
        end = month_end(period)
        return _check("date", title, field.hint, minimum=EARLIEST_DATE,
                      maximum=dt.datetime(end.year, end.month, end.day))
    if kind == "percent":
        return _check("decimal", title, field.hint, minimum=0, maximum=100)
    if kind == "national_id":
        return {**_check("length", title, field.hint, error=kind), "criteria": "==", "value": 12}
    if kind == "household_id":
        first = xl_rowcol_to_cell(FIRST_ROW, col, row_abs=True, col_abs=True)
        end = xl_rowcol_to_cell(last, col, row_abs=True, col_abs=True)
        own = xl_rowcol_to_cell(FIRST_ROW, col)
        return {**_check("custom", title, field.hint, error=kind), "value": f"=COUNTIF({first}:{end},{own})<=1"}
    return _check("any", title, field.hint) if field.hint else None


def _check(validate: str, title: str, hint: str, error: str | None = None, **criteria) -> dict:
    check = {"validate": validate, "input_title": title[:32], "input_message": hint[:255]}
    if validate == "any":
        return check
    if "minimum" in criteria:
        check["criteria"] = "between"
    error_title, error_message = layout.ERRORS[error or validate_error(validate)]
    check.update(criteria, error_type="stop", error_title=error_title[:32], error_message=error_message[:255])
    return check


def validate_error(validate: str) -> str:
    return {"integer": "count", "decimal": "percent"}.get(validate, validate)


def _list_name(kind: str) -> str:
    return {"commune_code": "ds_ma_xa", "commune_name": "ds_ten_xa"}[kind]


def _commune_list(book, styles, unit: ReportingUnit) -> None:
    """The unit's communes on their own (protected) sheet; the dropdowns read it through names,
    the form Excel 2007 needs for a list on another sheet."""
    sheet = book.add_worksheet(LIST_SHEET)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 30)
    sheet.write_string(0, 0, "Mã xã", styles["header"])
    sheet.write_string(0, 1, "Tên xã", styles["header"])
    for row, commune in enumerate(unit.communes, start=1):
        sheet.write_string(row, 0, commune.code, styles["fixed"])
        sheet.write_string(row, 1, commune.name, styles["fixed"])
    last = len(unit.communes) + 1
    book.define_name("ds_ma_xa", f"='{LIST_SHEET}'!$A$2:$A${last}")
    book.define_name("ds_ten_xa", f"='{LIST_SHEET}'!$B$2:$B${last}")
    _protect(sheet)
