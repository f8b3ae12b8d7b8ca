"""Total rows against the sums of the accepted rows above them: a mismatch is a warning.

A total row is checked against every accepted row above it and against those since the previous
total row, so a subtotal and a grand total both match. Only the form's summable columns count.
"""
from __future__ import annotations

from decimal import Decimal

from pipeline.ingest.convert import convert_cell, is_blank
from pipeline.ingest.problem import Problem
from pipeline.ingest.values import ParseError
from pipeline.rulebook import reading
from pipeline.text import cell_text


def check_totals(result, totals: list[tuple[int, list]], columns: dict[str, list]) -> None:
    """totals: (Excel row, cells) of the sheet's total rows; columns: the accepted rows' typed values."""
    if not totals:
        return
    summable = [key for key, mapped in result.columns.items() if mapped.spec.summable and key in columns]
    rows = columns["excel_row"]
    sums_all: dict[str, Decimal] = {}
    n = 0
    for excel_row, row in totals:
        sums_since: dict[str, Decimal] = {}
        while n < len(rows) and rows[n] < excel_row:
            for key in summable:
                value = columns[key][n]
                if value is not None:
                    sums_all[key] = sums_all.get(key, 0) + value
                    sums_since[key] = sums_since.get(key, 0) + value
            n += 1
        _check_total(result, row, excel_row, sums_all, sums_since)


def _check_total(result, row: list, excel_row: int, sums_all: dict, sums_since: dict) -> None:
    for key, mapped in result.columns.items():
        if not mapped.spec.summable:
            continue
        value = row[mapped.index] if mapped.index < len(row) else None
        if is_blank(value):
            continue
        try:
            written = convert_cell(mapped, value)
        except (ParseError, ValueError):
            written = None
        expected = [sums_all.get(key, 0), sums_since.get(key, 0)]
        if written is None or all(written != e for e in expected):
            result.warnings.append(Problem(
                excel_row, mapped.header, mapped.index, cell_text(value),
                f"total row: '{cell_text(value)}' does not match the sum of the rows above ({expected[0]:,})",
                f"dòng tổng: '{cell_text(value)}' không khớp tổng các dòng phía trên ({expected[0]:,})",
                reading.TOTAL_ROW_MATCHES))
