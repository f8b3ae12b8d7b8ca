"""Sheets under a name we do not know ('Nhà ở T8', 'Biểu 1 - Nhà ở', 'Nha o thang 8'): their header row says
their kind, never a guess from the name.

A visible sheet whose header row holds every required header of exactly one data sheet kind is
read as that kind, with a warning naming it; a second sheet of a kind makes the file's two
sheets of one kind (rejected, both named). Any other visible sheet that is not empty is listed
as not read (audit.submission_sheets), with a warning when it holds numbers: data may be there.
A hidden sheet whose header row is a data sheet's ('Nhà ở T7' kept from last month) is not read,
and is reported like a hidden 'Nhà ở'.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline import form
from pipeline.ingest.header import locate_header
from pipeline.ingest.read import SheetGrid, WorkbookSheets
from pipeline.ingest.values import parse_number
from pipeline.rulebook import reading


@dataclass(frozen=True)
class Unread:
    name: str
    holds_numbers: bool


def kind_by_header(sheet: SheetGrid) -> str | None:
    """The one data sheet kind whose required headers the sheet's header row holds, else None."""
    kinds = []
    for kind in form.DATA_SHEETS:
        header = locate_header(sheet.rows, kind, sheet.merges)
        required = {c.key for c in form.COLUMNS[kind] if c.required}
        if header is not None and required <= set(header.columns):
            kinds.append(kind)
    return kinds[0] if len(kinds) == 1 else None


def _holds_numbers(sheet: SheetGrid) -> bool:
    """Numbers, or numbers typed as text the way the form reads them ('160.000.000', '60.000.000 đ')."""
    return any(_is_number(cell) for row in sheet.rows for cell in row)


# An amount typed as text shows itself by its thousands groups or its money unit: plain digits typed as text
# are codes far more often ('03646' in a template's list of communes) and are not taken for data.
_TYPED_AMOUNT = re.compile(r"\d[.,]\d{3}(\D|$)|\d\s*(đ|đồng|vnđ|vnd)\s*$", re.IGNORECASE)


def _is_number(cell: object) -> bool:
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return True
    if not isinstance(cell, str) or not _TYPED_AMOUNT.search(cell):
        return False
    try:
        return parse_number(cell) is not None
    except ValueError:
        return False


def _empty(sheet: SheetGrid) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for row in sheet.rows for cell in row)


def recognise(workbook: WorkbookSheets) -> tuple[list[tuple[str, str, str, str, str]], list[Unread]]:
    """Sort the workbook's other sheets in place: (workbook warnings, sheets not read)."""
    warnings, unread = [], []
    for sheet in workbook.hidden_others:     # a hidden 'Nhà ở T7': not read, but the clerk is told (parse.py)
        kind = kind_by_header(sheet)
        if kind is not None:
            workbook.hidden.append((sheet.name, kind))
    for sheet in workbook.others:
        kind = kind_by_header(sheet)
        if kind is None:
            if not _empty(sheet):
                unread.append(Unread(sheet.name, _holds_numbers(sheet)))
            continue
        canonical = form.sheet_name(kind)
        if kind in workbook.sheets or kind in workbook.duplicates:
            names = workbook.duplicates.get(kind) or [workbook.sheets.pop(kind).name]
            workbook.duplicates[kind] = [*names, sheet.name]
            continue
        workbook.sheets[kind] = sheet
        warnings.append((sheet.name, kind, reading.SHEET_KNOWN_BY_NAME,
                         f"sheet '{sheet.name}' was read as '{canonical}': its header row is that sheet's; "
                         f"name it '{canonical}'",
                         f"trang tính '{sheet.name}' được đọc là trang '{canonical}' (theo dòng tiêu đề); hãy đặt tên "
                         f"trang là '{canonical}'"))
    for sheet in unread:
        if sheet.holds_numbers:
            warnings.append((sheet.name, "other", reading.SHEET_READ,
                             f"sheet '{sheet.name}' was not read: it is none of 'Thông tin', 'Nhà ở', 'Hỗ trợ', "
                             "'Hộ nghèo' (by name or header row), yet it holds numbers; if they are this report's "
                             "data, move them into the sheet they belong to",
                             f"trang tính '{sheet.name}' không được đọc: không phải trang 'Thông tin', 'Nhà ở', "
                             "'Hỗ trợ', 'Hộ nghèo' (theo tên hay dòng tiêu đề), nhưng có số liệu; nếu là số liệu của "
                             "báo cáo, hãy chuyển vào đúng trang"))
    return warnings, unread
