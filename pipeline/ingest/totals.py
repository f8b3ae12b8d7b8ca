"""Total rows against the sums of the accepted rows above them: a mismatch is a warning.

A total row is checked against every accepted row above it and against those since the previous
total row, so a subtotal and a grand total both match. Only the form's summable columns count.
"""
from __future__ import annotations

from decimal import Decimal

from pipeline.ingest.convert import is_blank, row_value
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
        cells = [row[i] for i in mapped.indices if i < len(row) and not is_blank(row[i])]
        if not cells:
            continue
        value = cells[0] if len(cells) == 1 else " + ".join(cell_text(cell) for cell in cells)
        try:
            written = row_value(mapped, row)
        except (ParseError, ValueError):
            written = None
        expected = [sums_all.get(key, 0), sums_since.get(key, 0)]
        if written is None or all(written != e for e in expected):
            text, text_vi, total = _in_dong(mapped, cell_text(value), written, expected[0])
            result.warnings.append(Problem(
                excel_row, mapped.header, mapped.index, cell_text(value),
                f"total row: {text} does not match the sum of the rows above ({total})",
                f"dòng tổng: {text_vi} không khớp tổng các dòng phía trên ({total})",
                reading.TOTAL_ROW_MATCHES))


_UNIT_NAMES = {1_000: "nghìn đồng", 1_000_000: "triệu đồng", 1_000_000_000: "tỷ đồng"}


def _in_dong(mapped, as_written: str, written, expected) -> tuple[str, str, str]:
    """(the total as written, in English and Vietnamese; the sum): an amount written in nghìn or triệu
    is quoted with its unit and its đồng beside the sum in đồng, so the clerk compares like with like."""
    if mapped.spec.value_type != "amount":
        return f"'{as_written}'", f"'{as_written}'", f"{expected:,}"
    unit = _UNIT_NAMES.get(mapped.factor)
    if unit is None:
        return f"'{as_written}' đồng", f"'{as_written}' đồng", f"{expected:,} đồng"
    if written is None:
        return f"'{as_written}' {unit}", f"'{as_written}' {unit}", f"{expected:,} đồng"
    return (f"'{as_written}' {unit} ({written:,} đồng)", f"'{as_written}' {unit} (tức {written:,} đồng)",
            f"{expected:,} đồng")
