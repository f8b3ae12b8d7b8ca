"""Opening a workbook and returning its sheets as cell grids (row 0 = Excel row 1).

python-calamine reads .xlsx/.xlsm/.xls/.ods about 15x faster than openpyxl and returns
formulas' cached values; macros are never run.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import python_calamine

from pipeline.ingest.sheets import sheet_kind


class UnreadableWorkbook(Exception):
    def __init__(self, reason: str, reason_vi: str):
        super().__init__(reason)
        self.reason, self.reason_vi = reason, reason_vi


@dataclass
class WorkbookSheets:
    sheets: dict[str, tuple[str, list[list]]]   # kind -> (sheet name as written, grid)
    ignored: list[str]                          # sheet names that are none of ours


def read_workbook(path: Path) -> WorkbookSheets:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
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
    try:
        sheets: dict[str, tuple[str, list[list]]] = {}
        ignored = []
        for name in workbook.sheet_names:
            kind = sheet_kind(name)
            if kind is None or kind in sheets:
                ignored.append(name)
                continue
            try:
                grid = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as error:
                raise UnreadableWorkbook(
                    f"sheet '{name}' cannot be read ({type(error).__name__})",
                    f"không đọc được trang tính '{name}'",
                ) from None
            sheets[kind] = (name, grid)
        return WorkbookSheets(sheets, ignored)
    finally:
        workbook.close()
