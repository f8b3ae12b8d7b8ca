"""One workbook file -> its cover and typed sheet rows (runs in a worker process).

Pure: no database, no Dagster. File-level problems come back as a rejection reason.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.form import DATA_SHEETS, sheet_name
from pipeline.ingest import legacy, safety
from pipeline.ingest.cover import Cover, CoverError, parse_cover
from pipeline.ingest.read import UnreadableWorkbook, WorkbookSheets, read_workbook
from pipeline.ingest.recognise import Unread, recognise
from pipeline.ingest.stated import from_cover
from pipeline.ingest.tables import SheetResult, parse_sheet
from pipeline.rulebook import reading


@dataclass
class ParsedWorkbook:
    cover: Cover | None = None
    reason: str | None = None          # set when the whole file is rejected
    reason_vi: str | None = None
    sheets: dict[str, SheetResult] = field(default_factory=dict)
    district_code: str | None = None   # the cover's district when the file is rejected after reading it
    unit: object = None                # the cover's reporter (reference.Reporter) when rejected after reading it
    period: dt.date | None = None      # the cover's month, when rejected before the unit was known
    unit_type: str | None = None       # the kind of unit the cover named or its period calls for (feedback)
    unit_name: str | None = None       # the unit's name as the cover wrote it
    # Workbook-level warnings: (sheet name, sheet kind, rule, English, Vietnamese).
    warnings: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)   # visible sheets with content that are none of ours

    @property
    def rejected(self) -> bool:
        return self.reason is not None


def _quoted(names: list[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def _duplicate_sheets(workbook: WorkbookSheets, sheet_kinds) -> tuple[str, str] | None:
    for sheet_kind in sheet_kinds:
        names = workbook.duplicates.get(sheet_kind)
        if names:
            canonical = sheet_name(sheet_kind)
            return (f"the workbook has {len(names)} visible sheets for '{canonical}': {_quoted(names)}; "
                    "which one counts is not ours to guess: delete or hide all but one",
                    f"tệp có {len(names)} trang tính '{canonical}' đang hiện: {_quoted(names)}; "
                    "hãy xóa hoặc ẩn, chỉ để lại một trang")
    return None


def _hidden(workbook: WorkbookSheets, sheet_kinds) -> list[str]:
    return [name for name, sheet_kind in workbook.hidden if sheet_kind in sheet_kinds]


def _sheet_warnings(workbook: WorkbookSheets) -> list[tuple[str, str, str, str, str]]:
    """Sheets of ours that were not read: hidden ones, and copies by name ('Nhà ở (2)')."""
    warnings = [(name, sheet_kind, reading.SHEET_VISIBLE,
                 f"sheet '{name}' is hidden and was not read (only visible sheets are read)",
                 f"trang tính '{name}' đang ẩn nên không được đọc (chỉ đọc các trang đang hiện)")
                for name, sheet_kind in workbook.hidden]
    for name, sheet_kind in workbook.copies:
        canonical = sheet_name(sheet_kind)
        warnings.append((name, sheet_kind, reading.SHEET_NAMED_EXACTLY,
                         f"sheet '{name}' was not read: only a sheet named '{canonical}' is "
                         "(rename it if it holds the data)",
                         f"trang tính '{name}' không được đọc: chỉ đọc trang tên '{canonical}' "
                         "(hãy đổi tên nếu trang này chứa số liệu)"))
    return warnings


def _legacy_warning(workbook: WorkbookSheets) -> list[tuple[str, str, str, str, str]]:
    """One warning per submission whose text looked legacy-encoded (pipeline/ingest/legacy.py): what was
    converted, and what could not be decided and was read as written."""
    done = workbook.legacy
    if done is None:
        return []
    parts = [(f"{sum(done.cells.values())} cells on the sheets " + ", ".join(f"'{n}' ({k})" for n, k in done.cells.items()),
              f"{sum(done.cells.values())} ô trên các trang " + ", ".join(f"'{n}' ({k})" for n, k in done.cells.items()))
             ] if done.cells else []
    parts += [(f"the sheet name '{written}', read as '{converted}'", f"tên trang '{written}', đọc là '{converted}'")
              for written, converted in done.sheet_names]
    said, said_vi = [], []
    if parts:
        font = legacy.FONT_NAMES.get(done.encoding, done.encoding)
        said.append(f"text typed in the legacy font encoding {font} was converted to Unicode before reading: "
                    + "; ".join(en for en, _ in parts))
        said_vi.append(f"văn bản gõ theo bảng mã cũ {font} đã được chuyển sang Unicode trước khi đọc: "
                       + "; ".join(vi for _, vi in parts))
    if done.undecided:
        said.append(f"{done.undecided} cells look typed in a legacy font encoding (TCVN3 or VNI) but could not be "
                    "decided: they were read as written")
        said_vi.append(f"{done.undecided} ô có vẻ gõ theo bảng mã cũ (TCVN3 hoặc VNI) nhưng không xác định được: "
                       "được đọc như đã ghi")
    return [("", "cover", reading.TEXT_IN_UNICODE,
             ". ".join(said) + ". Please type in Unicode (e.g. Times New Roman, Unikey set to Unicode)",
             ". ".join(said_vi) + ". Hãy gõ bằng bảng mã Unicode (ví dụ phông Times New Roman, Unikey đặt bảng mã "
             "Unicode)")]


def _no_cover(workbook: WorkbookSheets) -> ParsedWorkbook:
    hidden = _hidden(workbook, ("cover",))
    if hidden:
        return ParsedWorkbook(reason=f"the cover sheet {_quoted(hidden)} is hidden; only visible sheets are read",
                              reason_vi=f"trang bìa {_quoted(hidden)} đang ẩn; chỉ đọc các trang đang hiện")
    return ParsedWorkbook(reason="no cover sheet ('Thông tin') in the workbook", reason_vi="thiếu trang 'Thông tin'")


def _no_data_sheet(workbook: WorkbookSheets, cover: Cover) -> ParsedWorkbook:
    reason = "no data sheet: the workbook needs 'Nhà ở', 'Hỗ trợ' or 'Hộ nghèo'"
    reason_vi = "không có trang số liệu: cần 'Nhà ở', 'Hỗ trợ' hoặc 'Hộ nghèo'"
    hidden = _hidden(workbook, DATA_SHEETS)
    if hidden:
        reason += f" (hidden, not read: {_quoted(hidden)})"
        reason_vi += f" (đang ẩn, không được đọc: {_quoted(hidden)})"
    copies = [name for name, sheet_kind in workbook.copies if sheet_kind in DATA_SHEETS]
    if copies:
        reason += f" (not a sheet name we read: {_quoted(copies)}; rename it)"
        reason_vi += f" (tên trang không đúng: {_quoted(copies)}; hãy đổi tên)"
    return ParsedWorkbook(cover=cover, reason=reason, reason_vi=reason_vi)


def parse_workbook(path: Path, today: dt.date) -> ParsedWorkbook:
    try:
        workbook = read_workbook(path, safety.inspect(path))
    except (safety.FileRejected, UnreadableWorkbook) as error:
        return ParsedWorkbook(reason=error.reason, reason_vi=error.reason_vi)
    duplicate = _duplicate_sheets(workbook, ("cover",))
    if duplicate:
        return ParsedWorkbook(reason=duplicate[0], reason_vi=duplicate[1])
    if "cover" not in workbook.sheets:
        return _no_cover(workbook)
    try:
        cover = parse_cover(workbook.sheets["cover"].rows, today)
    except CoverError as error:
        return ParsedWorkbook(reason=error.reason, reason_vi=error.reason_vi, district_code=error.district_code,
                              unit=error.unit, period=error.period, unit_type=error.unit_type,
                              unit_name=error.unit_name)
    by_header, unread = recognise(workbook)
    duplicate = _duplicate_sheets(workbook, DATA_SHEETS)
    if duplicate:
        return ParsedWorkbook(cover=cover, reason=duplicate[0], reason_vi=duplicate[1])
    present = [sheet_kind for sheet_kind in DATA_SHEETS if sheet_kind in workbook.sheets]
    if not present:
        return _no_data_sheet(workbook, cover)
    parsed = ParsedWorkbook(cover=cover, warnings=_sheet_warnings(workbook) + by_header + _legacy_warning(workbook),
                            unread=unread)
    for sheet_kind in present:
        sheet = workbook.sheets[sheet_kind]
        parsed.sheets[sheet_kind] = parse_sheet(sheet.rows, sheet_kind, sheet.name, cover.reporter, cover.period,
                                                sheet.merges, from_cover(cover.poverty_standard))
    return parsed
