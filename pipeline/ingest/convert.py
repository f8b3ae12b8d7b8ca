"""Typing a sheet's cells, column by column, by the form's value type of each column.

A column is converted at once where its cells are already typed the common way (whole numbers
as floats, dates, short texts), and cell by cell (convert_cell) where they are not; a cell
that cannot be read is a row problem. Checks of what a value means are the rule book's
(pipeline/rulebook/); this only reads: a national ID is its digits as written, 12 or not.
"""
from __future__ import annotations

import datetime as dt

from pipeline import form
from pipeline.ingest.header import MappedColumn
from pipeline.ingest.problem import Problem
from pipeline.ingest.values import CellIssue, ParseError, parse_amount_vnd, parse_count, parse_date, parse_number
from pipeline.rulebook import reading
from pipeline.text import BLANK_CHARS, case_id, cell_text
from pipeline.text import fold_cached as fold

_EXACT = float(1 << 53)   # floats below this are exact integers
SLOW = object()           # a cell the column-wise conversion leaves to convert_cell
# Value types whose equal cells become one object (texts and dates repeat row after row).
REPEATING = frozenset({"text", "code", "date", "choice"})


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(BLANK_CHARS))   # '\u200b' alone too


def convert_cell(mapped: MappedColumn, value: object):
    """One cell as its column's value type; ParseError (ValueError) when it cannot be read."""
    value_type = mapped.spec.value_type
    if type(value) is CellIssue:
        raise value.error()
    if is_blank(value):
        return None
    if value_type == "choice":
        found = form.choice_spellings(mapped.spec.choices).get(fold(value))
        return found if found is not None else cell_text(value)   # the rule book rejects it, quoting it
    if value_type == "amount":
        return parse_amount_vnd(value, mapped.factor)
    if value_type in ("count", "year"):
        return parse_count(value)
    if value_type == "date":
        return parse_date(value)
    if value_type == "decimal":
        text = value.strip(BLANK_CHARS).rstrip("%").strip(BLANK_CHARS) if isinstance(value, str) else value
        number = parse_number(text, whole_column=False)
        return None if number is None else float(number)
    if value_type == "national_id":
        return _digits(value)
    if value_type == "case_id":
        return case_id(value)
    return cell_text(value)


def _digits(value: object) -> str:
    """A national ID as written without spaces and dots; a number cell gets back the leading zeros it lost."""
    if isinstance(value, str):
        return "".join(value.split()).replace(".", "").strip(BLANK_CHARS)
    text = cell_text(value)
    digits = form.NATIONAL_ID_DIGITS
    return text.zfill(digits) if type(value) in (int, float) and text.isdigit() and len(text) <= digits else text


def _whole_numbers(values: list, factor: int) -> list:
    """The whole-number fast path (counts, years, amounts): cells as calamine returns them."""
    if factor != 1:   # a unit to multiply by: parse_amount_vnd checks that the result is whole đồng
        return [None if v is None or v == "" else SLOW for v in values]
    return [int(v) if type(v) is float and v.is_integer() and -_EXACT < v < _EXACT else _not_a_float(v)
            for v in values]


def _not_a_float(v):
    if type(v) is int:
        return v
    return None if v is None or v == "" else SLOW


def _date(v):
    t = type(v)
    if t is dt.datetime:
        return v.date()
    return None if v is None or v == "" else SLOW


def _national_id(v):
    return None if v is None or v == "" else SLOW


# The comprehensions below test the common cell type inline before calling a helper: ~390k
# rows x a dozen columns, where a Python call per cell is most of the cost.
def fast_column(mapped: MappedColumn, values: list) -> list:
    """Typed values for a whole column; SLOW where a cell needs convert_cell."""
    value_type = mapped.spec.value_type
    if value_type in ("count", "year", "amount"):
        return _whole_numbers(values, mapped.factor if value_type == "amount" else 1)
    if value_type == "date":
        return [v if type(v) is dt.date else _date(v) for v in values]
    if value_type == "choice":
        # Few distinct spellings per column: convert each once (a choice never fails to convert).
        by_text = {v: convert_cell(mapped, v) for v in set(values) if type(v) is str or v is None}
        return [by_text.get(v, SLOW) if type(v) is str or v is None else SLOW for v in values]
    if value_type == "text":
        return [(v.strip(BLANK_CHARS) or None) if type(v) is str else (None if v is None else SLOW) for v in values]
    if value_type == "national_id":
        digits = form.NATIONAL_ID_DIGITS
        return [v if type(v) is str and len(v) == digits and v.isdigit() else _national_id(v) for v in values]
    if value_type == "case_id":
        return [case_id(v) if type(v) is str else (None if v is None else SLOW) for v in values]
    return [SLOW] * len(values)


def typed_column(mapped: MappedColumn, excel_rows: list[int], values: list, problems: dict[int, list]) -> list:
    """The column's typed values (None where a cell cannot be read: a problem for its row in `problems`)."""
    typed = fast_column(mapped, values)
    if SLOW not in typed:
        return typed
    personal = mapped.spec.personal
    for i, value in enumerate(values):
        if typed[i] is not SLOW:
            continue
        try:
            typed[i] = convert_cell(mapped, value)
        except (ParseError, ValueError) as error:
            reason = getattr(error, "reason", None) or str(error)
            reason_vi = getattr(error, "reason_vi", None) or reason
            if personal:   # a personal value is never quoted, in either language
                reason, reason_vi = (text.replace(str(value), "(withheld)") for text in (reason, reason_vi))
            problems.setdefault(i, []).append(Problem(
                excel_rows[i], mapped.header, mapped.index, None if personal else cell_text(value), reason, reason_vi,
                reading.CELL_READABLE))
            typed[i] = None
    return typed


def summed_column(mapped: MappedColumn, cells: list, data_rows: list, excel_rows: list[int],
                  problems: dict[int, list]) -> list:
    """A column given as parts (Tỉnh · Huyện · Xã under 'Ngân sách địa phương'): their sum, None where all are blank."""
    typed = [typed_column(part, excel_rows, column_cells(cells, data_rows, part.index), problems)
             for part in mapped.parts]
    return [None if all(v is None for v in values) else sum(v for v in values if v is not None)
            for values in zip(*typed)]


def row_value(mapped: MappedColumn, row: list):
    """One row's value of a column (the sum of its parts when it has them); ParseError when a cell cannot be read."""
    values = [convert_cell(part, row[part.index] if part.index < len(row) else None) for part in mapped.parts or [mapped]]
    values = [value for value in values if value is not None]
    return sum(values) if values else None


def transpose(data_rows: list, repeating: set[int]) -> list:
    """The data rows' cells column by column, up to the shortest row's width (zip does it in C).

    In the `repeating` columns equal texts and dates become one object (each cell arrives as its
    own): the typed values and the cells as written share them, and the parsed workbook crosses
    to the main process with each repeated value pickled once."""
    cells: list = list(zip(*(row for _, row in data_rows)))
    for index in repeating:
        if index < len(cells):
            seen: dict = {}
            cells[index] = [seen.setdefault(v, v) if type(v) is str or type(v) is dt.date else v
                            for v in cells[index]]
    return cells


def column_cells(cells: list, data_rows: list, index: int, missing=None) -> list:
    """One column's cells (`missing` where a row is too short), from the transposed grid when it has it."""
    if index < len(cells):
        return list(cells[index])
    return [row[index] if index < len(row) else missing for _, row in data_rows]
