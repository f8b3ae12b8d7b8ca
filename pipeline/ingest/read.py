"""Opening a workbook and returning its sheets as cell grids (row 0 = Excel row 1).

python-calamine reads .xlsx/.xlsm/.xls/.ods about 15x faster than openpyxl and returns
formulas' cached values; macros are never run. Only visible sheets count: a hidden sheet
of one of our sheet kinds (by its name, a copy's name, or its header row) is reported, never
read as data, and two visible sheets of one kind are reported for the caller to reject (which
one counts is not ours to guess).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import python_calamine

from pipeline.ingest import legacy, xmlcells
from pipeline.ingest.safety import Inspection
from pipeline.form import copy_of, sheet_kind

# Merged range as (first row, first column, last row, last column), 0-based and inclusive.
Merge = tuple[int, int, int, int]


class UnreadableWorkbook(Exception):
    def __init__(self, reason: str, reason_vi: str):
        super().__init__(reason)
        self.reason, self.reason_vi = reason, reason_vi


@dataclass
class SheetGrid:
    name: str                         # as written
    rows: list[list]
    merges: list[Merge] | None        # None: the format gives no merge information (.ods)


@dataclass
class WorkbookSheets:
    sheets: dict[str, SheetGrid]                                        # sheet kind -> its visible sheet
    ignored: list[str] = field(default_factory=list)                    # sheets that are none of ours
    duplicates: dict[str, list[str]] = field(default_factory=dict)      # sheet kind -> 2+ visible sheet names
    hidden: list[tuple[str, str]] = field(default_factory=list)         # (name, sheet kind): hidden, not read
    copies: list[tuple[str, str]] = field(default_factory=list)         # (name, sheet kind): 'Nhà ở (2)', not read
    others: list[SheetGrid] = field(default_factory=list)               # visible sheets of no name we know, read:
                                                                        # their header row may say their kind
    hidden_others: list[SheetGrid] = field(default_factory=list)        # hidden sheets of no name we know, read
                                                                        # only to tell whether they are ours
    legacy: legacy.Conversion | None = None                             # legacy-encoded text converted (names, cells)


def _open(path: Path) -> python_calamine.CalamineWorkbook:
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError:
        raise UnreadableWorkbook(
            "the workbook is password-protected; send it without a password",
            "tệp được đặt mật khẩu; hãy gửi tệp không có mật khẩu",
        ) from None
    except Exception as error:  # calamine raises several types for broken files
        raise UnreadableWorkbook(
            f"not a readable Excel workbook ({type(error).__name__})",
            "không phải tệp Excel đọc được",
        ) from None


def _sort_sheets(workbook) -> WorkbookSheets:
    """Which sheet is which sheet kind; nothing is read yet."""
    found = WorkbookSheets({})
    visible: dict[str, list[str]] = {}
    for meta in workbook.sheets_metadata:
        name = _name_to_match(found, meta.name)
        kind = sheet_kind(name)   # cover | houses | grants | poverty
        if kind is None or meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
            found.ignored.append(meta.name)
            copied = copy_of(name)
            shown = meta.visible == python_calamine.SheetVisibleEnum.Visible
            worksheet = meta.typ == python_calamine.SheetTypeEnum.WorkSheet
            if copied and shown:
                found.copies.append((meta.name, copied))
            elif copied and worksheet:
                found.hidden.append((meta.name, copied))
            elif shown and worksheet:
                found.others.append(SheetGrid(meta.name, [], None))
            elif worksheet:
                found.hidden_others.append(SheetGrid(meta.name, [], None))
        elif meta.visible != python_calamine.SheetVisibleEnum.Visible:
            found.hidden.append((meta.name, kind))
        else:
            visible.setdefault(kind, []).append(meta.name)
    found.duplicates = {kind: names for kind, names in visible.items() if len(names) > 1}
    found.sheets = {kind: SheetGrid(names[0], [], None) for kind, names in visible.items() if len(names) == 1}
    return found


def _name_to_match(found: WorkbookSheets, name: str) -> str:
    """A sheet name as matched: converted from a legacy encoding when that makes it one of ours ('Nhµ ë')."""
    if sheet_kind(name) or copy_of(name):
        return name
    converted = legacy.convert_name(name)
    if converted is None:
        return name
    found.legacy = found.legacy or legacy.Conversion(converted[1])
    found.legacy.sheet_names.append((name, converted[0]))
    return converted[0]


def _read_grid(workbook, sheet: SheetGrid) -> None:
    try:
        handle = workbook.get_sheet_by_name(sheet.name)
        sheet.rows = handle.to_python(skip_empty_area=False)
        merges = handle.merged_cell_ranges
    except Exception as error:
        raise UnreadableWorkbook(
            f"sheet '{sheet.name}' cannot be read ({type(error).__name__})",
            f"không đọc được trang tính '{sheet.name}'",
        ) from None
    sheet.merges = None if merges is None else [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in merges]


def read_workbook(path: Path, inspection: Inspection | None = None) -> WorkbookSheets:
    workbook = _open(path)
    try:
        found = _sort_sheets(workbook)
        for sheet in [*found.sheets.values(), *found.others, *found.hidden_others]:
            _read_grid(workbook, sheet)
    finally:
        workbook.close()
    if inspection is not None and inspection.flagged:
        _mark_unreadable_cells(path, found, inspection.flagged)
    _convert_legacy_text(path, found)
    return found


def _convert_legacy_text(path: Path, found: WorkbookSheets) -> None:
    converted = legacy.convert_grids(path, {sheet.name: sheet.rows for sheet in [*found.sheets.values(),
                                                                                   *found.others]})
    if converted is None:
        return
    if found.legacy is not None:   # sheet names converted too
        converted.sheet_names = found.legacy.sheet_names
        converted.encoding = converted.encoding or found.legacy.encoding
    found.legacy = converted


def _mark_unreadable_cells(path: Path, found: WorkbookSheets, flagged: frozenset[str]) -> None:
    """Formulas without a saved value and Excel error values, put into the grids (xlsx/xlsm)."""
    by_name = {sheet.name: sheet for sheet in [*found.sheets.values(), *found.others]}
    try:
        issues = xmlcells.sheet_issues(path, list(by_name), flagged)
    except Exception as error:   # damaged workbook.xml or sheet XML that calamine tolerated
        raise UnreadableWorkbook(
            f"the workbook's formulas cannot be checked ({type(error).__name__}); open and save it in Excel",
            "không kiểm tra được công thức trong tệp; hãy mở tệp bằng Excel và lưu lại",
        ) from None
    for name, cells in issues.items():
        xmlcells.patch(by_name[name].rows, cells)
