"""The poverty standard a workbook states (Chuẩn nghèo): on the cover, or in a line above the poverty table.

Not stated: the rows get the seed's default for their review year (in dbt). Stated: the rows stand on
that standard, if the seed allows it for their review year (the rule book's poverty rules); a
statement that names no standard we know, or two statements that disagree, are row errors: which
standard the review used is never guessed.
"""
from __future__ import annotations

from dataclasses import dataclass

from pipeline import standards
from pipeline.text import cell_text, clean, fold

LABEL = "chuan ngheo"


@dataclass(frozen=True)
class Statement:
    written: str                    # as written ('A' / 'B' when two statements disagree)
    standard_id: str | None         # None: names no standard we know, or statements disagree
    conflict: bool = False

    def __str__(self) -> str:   # the value a message quotes
        return self.written

    @staticmethod
    def of(text: str) -> "Statement":
        found, _ = standards.named(text)
        return Statement(text, found.pop() if len(found) == 1 else None, conflict=len(found) > 1)


def from_cover(value: object) -> Statement | None:
    """The cover's `Chuẩn nghèo` value (a pair of values when the label is given twice)."""
    if value is None:
        return None
    first, second = getattr(value, "first", None), getattr(value, "second", None)
    if first is not None:   # the label twice, two values
        return combine([Statement.of(cell_text(first)), Statement.of(cell_text(second))])
    text = cell_text(value).strip()
    return Statement.of(text) if text else None


def above_table(grid: list[list], header_top: int) -> Statement | None:
    """Every statement in the lines above the header: a cell naming `Chuẩn nghèo` with an act or a period
    ('THEO CHUẨN NGHÈO GIAI ĐOẠN 2022-2025'), or a `Chuẩn nghèo:` label with its value to the right. A
    title that only mentions the standard ('theo chuẩn nghèo đa chiều') states none."""
    found = []
    for row in grid[:header_top]:
        for index, cell in enumerate(row):
            if not isinstance(cell, str) or LABEL not in fold(cell):
                continue
            text = clean(cell)
            if standards.named(text)[1]:
                found.append(Statement.of(text))
            elif _is_label(text):
                value = next((clean(v) for v in row[index + 1:] if v is not None and cell_text(v).strip()), None)
                if value is not None:
                    found.append(Statement.of(cell_text(value).strip()))
    return combine(found)


def _is_label(text: str) -> bool:
    return fold(text).rstrip(":").strip() in (LABEL, "poverty standard")


def combine(statements: list[Statement | None]) -> Statement | None:
    """One statement from several (the cover's and the sheet's): the same standard, or a conflict."""
    given = [s for s in statements if s is not None]
    if not given:
        return None
    written = list(dict.fromkeys(s.written for s in given))
    ids = {s.standard_id for s in given}
    if len(given) == 1 or (len(ids) == 1 and None not in ids):
        return Statement(" / ".join(written), given[0].standard_id, given[0].conflict)
    if all(s.standard_id is None and not s.conflict for s in given):   # none names a standard we know
        return Statement(" / ".join(written), None)
    return Statement("' / '".join(written), None, conflict=True)
