"""A problem found in a submission, located for the clerk: the cell, the value as written, the reason, the rule."""
from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter, quote_sheetname


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
