"""What the parser reports: a problem located for the clerk (the cell, the value as written, the reason, the
rule), and the cover's own outcomes (a warning, or the file rejected)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from openpyxl.utils import get_column_letter, quote_sheetname

from pipeline.ingest import reference


@dataclass
class Problem:
    """A rejected cell (row error) or a warning."""

    excel_row: int | None
    column: str | None            # header as written, or canonical header when missing
    col_index: int | None
    value: str | None             # as written; None for personal columns
    reason: str
    reason_vi: str
    rule: str                     # its name in the rule book (pipeline/rulebook/)


def cell_address(sheet_name: str, excel_row: int | None, col_index: int | None) -> str:
    """Where Excel's Go To finds it: 'Nhà ở'!K17 (quoted sheet name), or the row alone."""
    if excel_row is None:
        return sheet_name
    col = get_column_letter(col_index + 1) if col_index is not None else ""
    return f"{quote_sheetname(sheet_name)}!{col}{excel_row}"


class CoverWarning(NamedTuple):
    message: str
    message_vi: str
    rule: str           # its name in the rule book (pipeline/rulebook/reading.py)


class CoverError(Exception):
    """The file is rejected; what the cover said is kept for the ledger and the feedback: the unit it
    named, the month, and the kind of unit the feedback speaks to (the one the period calls for)."""

    def __init__(self, reason: str, reason_vi: str, district_code: str | None = None,
                 unit: reference.Reporter | None = None, unit_type: str | None = None):
        super().__init__(reason)
        self.reason, self.reason_vi, self.district_code = reason, reason_vi, district_code
        self.unit = unit or (reference.Reporter(reference.DISTRICT, district_code) if district_code else None)
        self.unit_type = unit_type
        self.period: dt.date | None = None
        self.unit_name: str | None = None
