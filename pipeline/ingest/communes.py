"""Each data row's commune: its official code, from the code and/or name as written, in the list in force for it.

A report's rows use the list in force at the end of its month; a poverty row the list of its
review year (reference.py). The same commune cells repeat row after row and file after file,
so each (code, name, reporter, list) is matched once per process.
"""
from __future__ import annotations

import datetime as dt
import functools

from pipeline.ingest import reference
from pipeline.ingest.convert import column_cells, is_blank
from pipeline.ingest.header import MappedColumn
from pipeline.ingest.problem import Problem
from pipeline.ingest.values import CellIssue
from pipeline.rulebook import reading
from pipeline.text import cell_text, clean


def row_lists(sheet_kind: str, review_years: list | None, period: dt.date, n: int) -> list:
    """The list each row's commune belongs to: the reporting month's, or (poverty) the review year's."""
    if sheet_kind != "poverty":
        return [reference.list_for_month(period)] * n
    return [_review_list(year, period) for year in (review_years or [None] * n)]


def _review_list(year, period: dt.date) -> str | None:
    """The review year's list; a year after the report's (a row error of its own) checks against the month's."""
    if not isinstance(year, int):
        return None
    return reference.list_for_month(period) if year > period.year else reference.list_for_review(year)


def _to_match(lists: list, review_years: list | None, reporter: reference.Reporter, period: dt.date) -> list:
    """The list each row is matched in: none for a review its unit does not report (the rule book rejects the row)."""
    if review_years is None:
        return lists
    return [None if isinstance(year, int) and year <= period.year
            and not reference.reports_review(reporter.unit_type, year) else commune_list
            for commune_list, year in zip(lists, review_years)]


def match_communes(columns: dict[str, MappedColumn], data_rows: list, cells: list, lists: list,
                   review_years: list | None, reporter: reference.Reporter, period: dt.date,
                   problems: dict[int, list[Problem]]) -> list:
    """Each row's official commune code in its list (None where it cannot be matched: a problem for the row)."""
    code_col, name_col = columns.get("commune_code"), columns.get("commune_name")
    n = len(data_rows)
    codes = column_cells(cells, data_rows, code_col.index) if code_col else [None] * n
    names = column_cells(cells, data_rows, name_col.index) if name_col else [None] * n
    communes = [None] * n
    for i, (code_cell, name_cell, commune_list) in enumerate(zip(codes, names, _to_match(lists, review_years,
                                                                                           reporter, period))):
        excel_row = data_rows[i][0]
        if type(code_cell) is CellIssue or type(name_cell) is CellIssue:
            problems.setdefault(i, []).append(_unreadable(excel_row, code_col, code_cell, name_col, name_cell))
            continue
        if commune_list is None:
            continue
        try:
            commune, error = _commune_of(code_cell, name_cell, reporter, commune_list)
        except TypeError:   # an unhashable cell: not remembered
            commune, error = _commune_of.__wrapped__(code_cell, name_cell, reporter, commune_list)
        if error is None:
            communes[i] = commune
        else:
            problems.setdefault(i, []).append(_unknown(excel_row, error, code_col, code_cell, name_col, name_cell))
    return communes


@functools.lru_cache(maxsize=1 << 14, typed=True)
def _commune_of(code_cell, name_cell, reporter: reference.Reporter, commune_list: str):
    """(commune code, None) or (None, CommuneError) for one row's commune cells."""
    code_value, name_value = clean(code_cell), clean(name_cell)
    try:
        return reference.match_row_commune(None if is_blank(code_value) else code_value,
                                           None if is_blank(name_value) else cell_text(name_value),
                                           reporter, commune_list), None
    except reference.CommuneError as error:
        return None, error


def _unknown(excel_row: int, error: reference.CommuneError, code_col, code_cell, name_col, name_cell) -> Problem:
    mapped = code_col if (error.column == "commune_code" or not name_col) else name_col
    shown = clean(code_cell) if mapped is code_col else clean(name_cell)
    return Problem(excel_row, mapped.header if mapped else "Mã xã", mapped.index if mapped else None,
                   cell_text(shown), error.reason, error.reason_vi, reading.COMMUNE_KNOWN)


def _unreadable(excel_row: int, code_col, code_cell, name_col, name_cell) -> Problem:
    mapped, issue = (code_col, code_cell) if type(code_cell) is CellIssue else (name_col, name_cell)
    error = issue.error()
    return Problem(excel_row, mapped.header, mapped.index, str(issue), error.reason, error.reason_vi,
                   reading.CELL_READABLE)
