"""Cells merged in a sheet's body (below the header): shared out where the form allows it, else row problems.

A value merged down over rows is given to each of them where its column says so (the form's
`fill_down`: one commune, one status, one date for the rows it covers); money, counts, ids and
names merged over rows are not shared out: which row holds them is not ours to guess. A cell
merged across several columns is a problem of every row it covers.
"""
from __future__ import annotations

from openpyxl.utils import get_column_letter

from pipeline.ingest.convert import is_blank
from pipeline.ingest.header import Header, MappedColumn
from pipeline.ingest.problem import Problem
from pipeline.rulebook import reading


def read_body_merges(body: list[list], start: int, merges, header: Header) -> dict[int, list[Problem]]:
    """Fill merged values down in `body` (in place); the problems of merged cells by Excel row."""
    by_col = {m.index: m for m in header.columns.values() if m.spec.value_type != "ignore"}
    problems: dict[int, list[Problem]] = {}
    for r0, c0, r1, c1 in merges or ():
        if r0 < start or r0 - start >= len(body):
            continue
        covered = [by_col[c] for c in range(c0, c1 + 1) if c in by_col]
        if len(covered) >= 2:
            _merge_problem(problems, r0, r1, covered, "across")
        elif covered and r1 > r0:
            mapped = covered[0]
            if mapped.spec.fill_down and mapped.index == c0:
                _fill_down(body, r0 - start, r1 - start, c0)
            else:
                _merge_problem(problems, r0, r1, covered, "down")
    return problems


def _fill_down(body: list[list], first: int, last: int, col: int) -> None:
    value = body[first][col] if col < len(body[first]) else None
    for offset in range(first + 1, min(last, len(body) - 1) + 1):
        row = body[offset]
        if col < len(row) and is_blank(row[col]):
            row[col] = value


def _merge_problem(problems: dict, r0: int, r1: int, covered: list[MappedColumn], how: str) -> None:
    span = f"{get_column_letter(covered[0].index + 1)}{r0 + 1}:{get_column_letter(covered[-1].index + 1)}{r1 + 1}"
    if how == "across":
        names = ", ".join(f"'{m.header}'" for m in covered)
        reason = (f"cells {span} are merged across the columns {names}: write each value in its own cell",
                  f"các ô {span} bị gộp qua các cột {names}: hãy ghi mỗi giá trị vào ô riêng")
    else:
        reason = (f"cell {span} ('{covered[0].header}') is merged over several rows: write the value on each row",
                  f"ô {span} ('{covered[0].header}') bị gộp qua nhiều dòng: hãy ghi giá trị trên từng dòng")
    for row in range(r0, r1 + 1):
        problems.setdefault(row + 1, []).append(
            Problem(row + 1, covered[0].header, covered[0].index, None, *reason, reading.CELLS_NOT_MERGED))
