"""One reporting unit's template for one month, written with XlsxWriter.

The workbook is the submission form itself (pipeline/form/: canonical sheet names, cover
labels and headers), so the clerk's filled copy goes through the same load as any other file:
the checks here help the clerk, the load decides. Every text is written as a string (never a
formula), every check is plain data validation (list, whole number, decimal, date, text
length, one COUNTIF: pipeline/templates/checks.py), which Excel 2007+ and LibreOffice both show.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from pipeline import form, standards
from pipeline.enumerations import label_vi
from pipeline.files import atomic_output
from pipeline.templates import checks
from pipeline.templates.units import DISTRICT, ReportingUnit

HEADER_ROW = 2                 # 0-based: title, note, header
FIRST_ROW = HEADER_ROW + 1     # first data row
BLANK_ROWS = {"houses": 300, "grants": 200, "poverty": 50}
LIST_SHEET = "Danh mục xã"


def write_template(path: Path, unit: ReportingUnit, period: dt.date, cases: list[dict], due: dt.date) -> Path:
    """cases: the unit's open house cases, each {raw column: current value} (pipeline/templates/cases.py)."""
    # written under a temporary name and renamed: a clerk never downloads half a template
    with atomic_output(path) as temp:
        book = xlsxwriter.Workbook(str(temp), {"strings_to_numbers": False, "strings_to_formulas": False,
                                                "strings_to_urls": False})
        try:
            styles = _styles(book)
            _cover(book.add_worksheet(form.COVER.name), styles, unit, period, due)
            context = {"unit": unit, "period": period, "styles": styles}
            _houses(book.add_worksheet(form.HOUSES.name), context, cases)
            _table(book.add_worksheet(form.GRANTS.name), context, "grants", [],
                   f"KINH PHÍ HỖ TRỢ ĐÃ CHI TRONG THÁNG {period:%m/%Y}")
            if period.month in (12, 1):   # the yearly review (1/9 - 14/12): reported with December and January
                _poverty(book.add_worksheet(form.POVERTY.name), context)
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


def _columns(unit: ReportingUnit, sheet_kind: str) -> list[form.Column]:
    """The sheet's columns this unit's template shows (a commune's own report has no commune column: its
    rows are its own, reporting-units-2025.md)."""
    return [c for c in form.SHEETS[sheet_kind].columns if c.template and unit.unit_type in c.template.units]


def _protect(sheet) -> None:
    # No password: protection keeps fixed cells from slips; the load, not the sheet, decides.
    sheet.protect("", {"format_columns": True, "format_rows": True, "insert_rows": True, "delete_rows": True})


def _cover(sheet, styles, unit: ReportingUnit, period: dt.date, due: dt.date) -> None:
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 34)
    sheet.write_string(0, 0, "BÁO CÁO CHƯƠNG TRÌNH \"VÌ NGƯỜI NGHÈO - KHÔNG ĐỂ AI BỊ BỎ LẠI\"", styles["title"])
    label = {key: cover_label.label for key, cover_label in form.COVER_LABEL.items()}
    pairs = [(label[f"{unit.unit_type}_code"], unit.code), (label[f"{unit.unit_type}_name"], unit.name),
             (label["period"], f"{period:%m/%Y}")]
    for row, (name, value) in enumerate(pairs, start=2):
        sheet.write_string(row, 0, name, styles["label"])
        sheet.write_string(row, 1, value, styles["fixed"])
    sheet.write_string(5, 0, label["version"], styles["label"])
    sheet.write_number(5, 1, 1, styles["fixed"])
    sheet.write_string(6, 0, label["prepared_on"], styles["label"])
    sheet.write_blank(6, 1, None, styles["date"])
    sheet.data_validation(6, 1, 6, 1, checks.cell_check(
        "date", label["prepared_on"], "Ngày lập báo cáo, ví dụ 05/12/2024.", minimum=dt.datetime(period.year,
                                                                                            period.month, 1),
        maximum=dt.datetime(2099, 12, 31), error="prepared_on"))
    sheet.write_string(7, 0, label["prepared_by"], styles["label"])
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


def _houses(sheet, context, cases: list[dict]) -> None:
    unit = context["unit"]
    communes = {c.code: c.name for c in unit.communes}
    rows = []
    for case in cases:
        # A commune merged away since the case was reported is not offered: the clerk picks its successor.
        in_list = unit.unit_type != DISTRICT or case["commune_code"] in communes
        row = {"no": len(rows) + 1, **_case_values(case), "commune_name": communes.get(case["commune_code"])}
        if not in_list:
            row.update(commune_code=None,
                       notes=f"Xã cũ mã {case['commune_code']} không còn trong danh mục kỳ này: hãy chọn xã hiện nay")
        rows.append(row)
    period = context["period"]
    _table(sheet, context, "houses", rows, f"DANH SÁCH HỘ ĐƯỢC HỖ TRỢ NHÀ Ở - THÁNG {period:%m/%Y}",
           fixed=("household_id",))


def _case_values(case: dict) -> dict:
    """{column key: value as the clerk writes it} of a case's pre-filled columns (choices as their labels)."""
    values = {}
    for column in form.HOUSES.columns:
        if column.raw_column in case and column.template and column.template.prefill and not column.personal:
            value = case[column.raw_column]
            values[column.key] = label_vi(column.choices, value) if column.choices else value
    return values


def review_year(period: dt.date) -> int:
    """The review a month's report carries: December the year's own (its review ended on 14 December),
    January the year just ended."""
    return period.year if period.month == 12 else period.year - 1


def standard_line(year: int) -> tuple[str, list[str]]:
    """The line above the poverty table that names the review's poverty standard, as the load reads it
    (Chuẩn nghèo, pipeline/ingest/stated.py): the seed's default for the review year, and the lines a
    clerk may choose instead where the seed allows more than one (2021, 2026)."""
    label = form.COVER_LABEL["poverty_standard"].label
    choices = [f"{label}: {s.label}" for s in standards.allowed_for(year)]
    return choices[0], choices


def _poverty(sheet, context) -> None:
    """District templates list the unit's communes (locked); a commune gives one row, or one per village.
    Above the table, the poverty standard of the review (a choice where the seed allows two)."""
    unit, period = context["unit"], context["period"]
    year = review_year(period)
    rows = ([{"no": i, "commune_code": c.code, "commune_name": c.name} for i, c in enumerate(unit.communes, start=1)]
            if unit.unit_type == DISTRICT else [])
    _table(sheet, context, "poverty", rows, f"KẾT QUẢ RÀ SOÁT HỘ NGHÈO NĂM {year}",
           fixed=("commune_code", "commune_name"), line=standard_line(year))


def _table(sheet, context, sheet_kind: str, rows: list[dict], title: str, fixed=(),
           line: tuple[str, list[str]] | None = None) -> None:
    """Title, note (and a line: its text and the texts a clerk may choose instead), header; the pre-filled
    rows ({column key: value}); then every column formatted and checked for the pre-filled rows plus
    BLANK_ROWS empty ones."""
    unit, period, styles = context["unit"], context["period"], context["styles"]
    columns = _columns(unit, sheet_kind)
    header_row = HEADER_ROW + (1 if line else 0)
    first_row = header_row + 1
    for col, column in enumerate(columns):
        sheet.set_column(col, col, column.template.width, styles[checks.style(column)])
    for row in range(header_row):   # title rows plain, not coloured like the columns below
        sheet.set_row(row, None, styles["page"])
    sheet.write_string(0, 0, f"{title} - {unit.name.upper()} ({unit.code})", styles["title"])
    sheet.write_string(1, 0, "Ô màu vàng: điền hoặc sửa; ô màu xám: đã điền sẵn, không sửa. "
                             "Số tiền ghi bằng đồng.", styles["note"])
    if line:
        _line(sheet, HEADER_ROW, len(columns) - 1, line, styles)
    sheet.set_row(header_row, 45)
    for col, column in enumerate(columns):
        sheet.write_string(header_row, col, checks.header(column), styles["header"])
    for offset, row in enumerate(rows):
        for col, column in enumerate(columns):
            value = row.get(column.key)
            if value is not None:
                _write(sheet, first_row + offset, col, value,
                       styles["fixed" if column.key in fixed else checks.style(column)])
    last = first_row + len(rows) + BLANK_ROWS[sheet_kind] - 1
    for col, column in enumerate(columns):
        check = checks.column_check(column, unit.unit_type, period, col, first_row, last)
        if check:
            sheet.data_validation(first_row, col, last, col, check)
    sheet.freeze_panes(first_row, 2)
    sheet.set_paper(9)   # A4, landscape, one page wide, the header on every page
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(header_row)
    _protect(sheet)


def _line(sheet, row: int, last_col: int, line: tuple[str, list[str]], styles) -> None:
    """A line above the table merged across all of it (so it is no group header): fixed (grey) when it has one
    choice, else a dropdown of them."""
    text, choices = line
    style = styles["fixed" if len(choices) < 2 else "text"]
    sheet.merge_range(row, 0, row, last_col, text, style)
    if len(choices) > 1:
        sheet.data_validation(row, 0, row, 0, {
            **checks.cell_check("list", "Chuẩn nghèo", "Chuẩn nghèo mà kỳ rà soát đã áp dụng. Năm chuyển tiếp: "
                                "chọn chuẩn đã dùng khi rà soát.", error="list"), "source": choices})


def _write(sheet, row: int, col: int, value, style) -> None:
    if isinstance(value, str):
        sheet.write_string(row, col, value, style)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), style)
    else:
        sheet.write_number(row, col, value, style)


def _commune_list(book, styles, unit: ReportingUnit) -> None:
    """The unit's communes on their own (protected) sheet; the dropdowns read it through names,
    the form Excel 2007 needs for a list on another sheet."""
    sheet = book.add_worksheet(LIST_SHEET)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 30)
    sheet.write_string(0, 0, form.COMMUNE_CODE.header, styles["header"])
    sheet.write_string(0, 1, form.COMMUNE_NAME.header, styles["header"])
    for row, commune in enumerate(unit.communes, start=1):
        sheet.write_string(row, 0, commune.code, styles["fixed"])
        sheet.write_string(row, 1, commune.name, styles["fixed"])
    last = len(unit.communes) + 1
    book.define_name(checks.LIST_NAMES["commune_code"], f"='{LIST_SHEET}'!$A$2:$A${last}")
    book.define_name(checks.LIST_NAMES["commune_name"], f"='{LIST_SHEET}'!$B$2:$B${last}")
    _protect(sheet)
