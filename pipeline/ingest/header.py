"""A data sheet's header: where it is, which column holds what, and in which unit.

The header is one row, or two: a group header merged across several columns over its
sub-headers, the other headers merged down both rows. The merged ranges say which columns
a group covers; spans are never inferred from blank cells. A unit applies to an amount
column from the nearest place that states one: the column's own header, its group header,
a 'ĐVT:' line above the table, else đồng. A unit stated where it covers no known columns
(an unmerged cell over sub-headers, a title line) makes those columns' unit unclear: their
rows are rejected rather than read in đồng.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from pipeline import form
from pipeline.form import Column
from pipeline.ingest import stated
from pipeline.ingest.values import unit_factor
from pipeline.rulebook import reading
from pipeline.text import cell_text, split_unit
from pipeline.text import fold_cached as fold

HEADER_SEARCH_ROWS = 30
# A unit stated in a line above the table, alone or inside a title (folded): 'ĐVT: triệu đồng',
# '(Đơn vị tính: nghìn đồng)', 'ĐVT - đồng', '… THÁNG 8/2025 - ĐVT: nghìn đồng', '(Số tiền tính bằng nghìn
# đồng)'; 'Đơn vị: triệu đồng' only with a money unit ('Đơn vị: UBND xã …' names an office).
_UNIT_LINE = re.compile(r"(?:^|[\s(\-\u2013,;.])(dvt|don vi tinh|tinh bang|don vi)\s*[:\-\u2013.]?\s*"
                        r"([^():;,]*?)\s*(?:[);,]|$)")
# A parenthesised text is a unit when it is short or names money ('(Kèm theo báo cáo tháng 12/2024)' is not).
_MONEY_WORD = re.compile(r"\b(dong|d|vnd|nghin|ngan|trieu|tr|ty|usd|1\.?000d?)\b|\d+d\b")


@dataclass
class MappedColumn:
    spec: Column
    index: int
    header: str                   # as written
    factor: int = 1               # unit multiplier for amounts
    parts: list["MappedColumn"] = field(default_factory=list)   # columns whose sum it is (local budget by level)

    @property
    def indices(self) -> list[int]:
        return [part.index for part in self.parts] or [self.index]


@dataclass
class SheetProblem:
    """A problem of the whole sheet's layout: every data row is rejected with it."""

    column: str | None
    col_index: int | None
    reason: str
    reason_vi: str
    rule: str                     # its name in the rule book (pipeline/rulebook/reading.py)


@dataclass
class Header:
    top: int                                    # first header row (0-based)
    height: int                                 # 1 or 2 rows
    columns: dict[str, MappedColumn]
    texts: frozenset[str]                       # folded header texts: page-break copies repeat them
    unnamed: dict[int, str] = field(default_factory=dict)        # column -> header no spec knows
    problems: list[SheetProblem] = field(default_factory=list)

    @property
    def first_body_row(self) -> int:
        return self.top + self.height


@dataclass
class _Cell:
    col: int
    text: str                     # the column's own header as written
    group: str | None = None      # the merged group header above it
    lower: bool = False           # in the second row of a two-row header


@functools.lru_cache(maxsize=None)
def _index(sheet_kind: str, sub: bool) -> dict[str, Column]:
    """Folded header spelling -> column, for one sheet kind (built once)."""
    columns = form.COLUMNS[sheet_kind]
    if sub:
        return {key: column for column in columns for key in column.sub_header_keys()}
    return {key: column for column in columns for key in column.header_keys()}


def match_header(text: object, sheet_kind: str, lower: bool = False) -> tuple[Column, str | None] | None:
    """(column, unit as written folded) for a header cell; sub-header spellings only in a lower row."""
    if not isinstance(text, str) or not text.strip():
        return None
    return _match_text(text, sheet_kind, lower)


@functools.lru_cache(maxsize=1 << 14)
def _match_text(text: str, sheet_kind: str, lower: bool) -> tuple[Column, str | None] | None:
    """match_header of a text, remembered: the header search reads the same ~30 rows in every file."""
    indexes = [_index(sheet_kind, False), _index(sheet_kind, True)] if lower else [_index(sheet_kind, False)]
    base, unit = split_unit(text)
    unit = unit if looks_like_unit(unit) else None
    for index in indexes:
        column = index.get(fold(text))
        if column is not None:
            return column, None
        column = index.get(fold(base))
        if column is not None:
            return column, unit
    return None


def looks_like_unit(unit: str | None) -> bool:
    """A folded parenthesised text that states a unit (known or not): short, or naming money."""
    return unit is not None and (len(unit.split()) <= 2 or bool(_MONEY_WORD.search(unit)))


def _subtitle(text: object) -> bool:
    """A line in parentheses that is not a unit, e.g. '(Kèm theo báo cáo tháng 12/2024)', or one that states the
    poverty standard ('Chuẩn nghèo: 2027-2030', pipeline/ingest/stated.py): never a group header."""
    text = cell_text(text) if text is not None else ""
    if stated.LABEL in fold(text):
        return True
    return text.startswith("(") and text.endswith(")") and not looks_like_unit(fold(text[1:-1]))


def _row_keys(row: list, sheet_kind: str) -> set[str]:
    return {match[0].key for match in (match_header(cell, sheet_kind) for cell in row) if match}


def _best_row(rows: list[list], sheet_kind: str) -> int | None:
    """The row within the first 30 with the most known headers (at least 2)."""
    best, best_count = None, 1
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        count = len(_row_keys(row, sheet_kind))
        if count > best_count:
            best, best_count = index, count
    return best


def _covering(merges, row: int, col: int):
    for merge in merges or ():
        if merge[0] <= row <= merge[2] and merge[1] <= col <= merge[3]:
            return merge
    return None


def _filled(rows: list[list], row: int, first: int, last: int) -> bool:
    line = rows[row] if 0 <= row < len(rows) else []
    return any(isinstance(c, str) and c.strip() for c in line[first:last + 1])


def _outside(rows: list[list], row: int, first: int, last: int) -> bool:
    line = rows[row] if 0 <= row < len(rows) else []
    return any(isinstance(c, str) and c.strip() for i, c in enumerate(line) if not first <= i <= last)


def _block(rows: list[list], sheet_kind: str, best: int, merges) -> tuple[int, int]:
    """(top, height): the best row alone, or with the row below or above it as a two-row header."""
    for top in (best, best - 1):
        if top < 0 or top + 1 >= len(rows):
            continue
        for r0, c0, r1, c1 in merges or ():
            down = r0 == top and r1 >= top + 1                                     # merged down both rows
            # A group over sub-headers; a title merged over the whole table is not one.
            group = (r0 == r1 == top and c1 > c0 and _filled(rows, top + 1, c0, c1)
                     and _outside(rows, best, c0, c1) and not _subtitle(_at(rows, r0, c0)))
            if down or group:
                return top, 2
    # No merge information (or none in these rows): a second row naming other columns.
    found = _row_keys(rows[best], sheet_kind)
    for top, other in ((best, best + 1), (best - 1, best - 1)):
        if 0 <= other < len(rows) and len(_row_keys(rows[other], sheet_kind) - found) >= 2:
            return top, 2
    return best, 1


def _text(value) -> str | None:
    text = cell_text(value) if value is not None else ""
    return text or None


def _at(rows: list[list], row: int, col: int):
    line = rows[row] if 0 <= row < len(rows) else []
    return line[col] if col < len(line) else None


def _cells(rows: list[list], top: int, height: int, merges) -> tuple[list[_Cell], list[tuple[int, int, str]]]:
    """Each column's own header (and group), plus unmerged upper cells that name no column."""
    upper = rows[top]
    lower = rows[top + 1] if height == 2 else []
    cells, loose = [], []
    for col in range(max(len(upper), len(lower))):
        top_text = _text(upper[col]) if col < len(upper) else None
        low_text = _text(lower[col]) if col < len(lower) else None
        merge = _covering(merges, top, col) if height == 2 else None
        if height == 1:
            if top_text:
                cells.append(_Cell(col, top_text))
        elif low_text:
            group = None
            if merge and merge[3] > merge[1] and merge[2] == top and not _subtitle(_at(rows, top, merge[1])):
                group = _text(_at(rows, top, merge[1]))
            elif merge is None and top_text:
                loose.append((top, col, top_text))
            cells.append(_Cell(col, low_text, group, lower=True))
        elif merge is None or merge[2] > top or not _filled(rows, top + 1, merge[1], merge[3]):
            anchor = _text(_at(rows, merge[0], merge[1])) if merge else top_text
            if anchor and (merge is None or col == merge[1]):
                cells.append(_Cell(col, anchor))
    return cells, loose


@dataclass(frozen=True)
class UnitLine:
    """The unit the lines above the table state for amount columns without their own."""

    row: int                      # where (0-based), the first statement
    texts: tuple[str, ...]        # the statements as written
    factor: int | None            # None: unclear (a unit not understood, or statements that disagree)


def _unit_statements(text: str) -> list[int | None]:
    """The units a cell states (None: 'ĐVT' / 'Đơn vị tính' / 'tính bằng' followed by no known unit)."""
    found = []
    for match in _UNIT_LINE.finditer(fold(text)):
        label, unit = match.group(1), match.group(2).strip()
        try:
            found.append(unit_factor(unit) if unit else None)
        except KeyError:
            found.append(None)
        if found[-1] is None and label == "don vi":   # 'Đơn vị: UBND xã …' names the office, not a unit
            found.pop()
    return found


def _unit_line(rows: list[list], top: int) -> UnitLine | None:
    """Every unit stated in the lines above the header: one unit, or unclear when one is not understood
    or two disagree (never read as đồng)."""
    statements: list[tuple[int, str, int | None]] = []
    for row in range(top - 1, -1, -1):
        for cell in rows[row]:
            if isinstance(cell, str):
                statements += [(row, cell.strip(), factor) for factor in _unit_statements(cell)]
    if not statements:
        return None
    factors = {factor for _, _, factor in statements}
    texts = tuple(dict.fromkeys(text for _, text, _ in statements))
    return UnitLine(statements[0][0], texts, factors.pop() if len(factors) == 1 else None)


def _money_unit(text: str) -> int | None:
    """The multiplier of a unit in parentheses at the end of the text, when it is a known one other than đồng."""
    unit = split_unit(text)[1]
    try:
        factor = unit_factor(unit) if unit else 1
    except KeyError:
        return None
    return factor if factor != 1 else None


def locate_header(rows: list[list], sheet_kind: str, merges=None) -> Header | None:
    """The sheet's header, or None when no row within the first 30 names two known columns."""
    best = _best_row(rows, sheet_kind)
    if best is None:
        return None
    top, height = _block(rows, sheet_kind, best, merges)
    cells, loose = _cells(rows, top, height, merges)
    header = Header(top, height, {}, frozenset())
    texts = {fold(c.text) for c in cells} | {fold(c.group) for c in cells if c.group}
    header.texts = frozenset(texts | {fold(t) for _, _, t in loose})
    # A unit written where it covers no known column: the row above the header, or an upper cell not merged.
    loose += [(top - 1, col, _text(v)) for col, v in enumerate(rows[top - 1] if top > 0 else [])
              if isinstance(v, str) and not _UNIT_LINE.search(fold(v))]
    stray = [(r, c, t) for r, c, t in loose if t and _money_unit(t)]
    _map_columns(header, cells, sheet_kind, stray, _unit_line(rows, top))
    return header


def _part_of(cell: _Cell, sheet_kind: str) -> Column | None:
    """The column a sub-header is a part of (Tỉnh · Huyện · Xã under 'Ngân sách địa phương'), else None."""
    if not cell.lower or not cell.group:
        return None
    group = match_header(cell.group, sheet_kind)
    if group is None or fold(split_unit(cell.text)[0]) not in group[0].part_keys():
        return None
    return group[0]


def _map_parts(header: Header, cells: list[_Cell], sheet_kind: str, stray, unit_line) -> list[_Cell]:
    """Map the parts of a column summed from sub-columns; the cells left to map by their own header."""
    rest = []
    for cell in cells:
        column = _part_of(cell, sheet_kind)
        if column is None:
            rest.append(cell)
            continue
        whole = header.columns.setdefault(column.key, MappedColumn(column, cell.col, cell.group))
        part = MappedColumn(column, cell.col, cell.text)
        unit = split_unit(cell.text)[1]
        _set_unit(header, part, cell, unit if looks_like_unit(unit) else None, stray, unit_line)
        whole.parts.append(part)
    return rest


def _map_columns(header: Header, cells: list[_Cell], sheet_kind: str, stray, unit_line) -> None:
    found: dict[str, list[tuple[_Cell, str | None]]] = {}
    for cell in _map_parts(header, cells, sheet_kind, stray, unit_line):
        match = match_header(cell.text, sheet_kind, cell.lower)
        if match is None:
            header.unnamed[cell.col] = cell.text
            continue
        found.setdefault(match[0].key, []).append((cell, match[1]))
    for key, matches in found.items():
        cell, unit = matches[0]
        if (len(matches) > 1 or key in header.columns) and key != "no":
            header.problems.append(_duplicate(matches if len(matches) > 1 else
                                              [(_Cell(header.columns[key].index, header.columns[key].header), None),
                                               *matches]))
        mapped = MappedColumn(form.SHEETS[sheet_kind].column(key), cell.col, cell.text)
        header.columns[key] = mapped
        if mapped.spec.value_type == "amount":
            _set_unit(header, mapped, cell, unit, stray, unit_line)


def _duplicate(matches) -> SheetProblem:
    where = " and ".join(f"'{cell.text}' ({get_column_letter(cell.col + 1)})" for cell, _ in matches)
    return SheetProblem(
        matches[0][0].text, matches[0][0].col,
        f"two columns hold the same field: {where}; which one counts is not ours to guess: keep one",
        f"hai cột cùng một nội dung: {where}; hãy chỉ giữ một cột", reading.COLUMN_GIVEN_ONCE)


def _set_unit(header: Header, mapped: MappedColumn, cell: _Cell, unit, stray, unit_line) -> None:
    """The nearest unit: own header, group header, then a ĐVT line; a stray unit makes it unclear."""
    where = f"'{mapped.header}'"
    if unit is None and cell.group and looks_like_unit(split_unit(cell.group)[1]):
        unit, where = split_unit(cell.group)[1], f"'{cell.group}'"
    if unit is not None:
        try:
            mapped.factor = unit_factor(unit)
        except KeyError:
            header.problems.append(SheetProblem(
                mapped.header, mapped.index,
                f"unknown unit '({unit})' in {where}: use (đồng), (nghìn đồng) or (triệu đồng)",
                f"đơn vị '({unit})' không hợp lệ ở {where}: dùng (đồng), (nghìn đồng) hoặc (triệu đồng)",
                reading.UNIT_UNDERSTOOD))
        return
    if stray:
        row, col, text = stray[0]
        at = f"{get_column_letter(col + 1)}{row + 1}"
        header.problems.append(SheetProblem(
            mapped.header, mapped.index,
            f"the unit of column '{mapped.header}' is unclear: '{text}' ({at}) states a unit but is not merged "
            "over the columns it covers; merge it over its columns, or write the unit in each column header",
            f"không rõ đơn vị của cột '{mapped.header}': ô '{text}' ({at}) ghi đơn vị nhưng không được gộp "
            "trên các cột áp dụng; hãy gộp ô trên các cột đó, hoặc ghi đơn vị ở tiêu đề từng cột",
            reading.UNIT_UNDERSTOOD))
        return
    if unit_line is not None:
        if unit_line.factor is not None:
            mapped.factor = unit_line.factor
            return
        quoted = " and ".join(f"'{text}'" for text in unit_line.texts)
        why, why_vi = (("states no unit we know", "không ghi đơn vị hợp lệ") if len(unit_line.texts) == 1 else
                       ("state different units", "ghi các đơn vị khác nhau"))
        header.problems.append(SheetProblem(
            mapped.header, mapped.index,
            f"the unit of column '{mapped.header}' is unclear: the line {quoted} above the table {why}; write the "
            "unit as 'ĐVT: đồng', 'ĐVT: nghìn đồng' or 'ĐVT: triệu đồng', or in the column header",
            f"không rõ đơn vị của cột '{mapped.header}': dòng {quoted} phía trên bảng {why_vi}; hãy ghi 'ĐVT: đồng', "
            "'ĐVT: nghìn đồng' hoặc 'ĐVT: triệu đồng', hoặc ghi đơn vị ở tiêu đề cột",
            reading.UNIT_LINE_UNDERSTOOD))
