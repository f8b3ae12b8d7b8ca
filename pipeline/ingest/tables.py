"""Reading one data sheet: find the header, classify rows, turn cells into typed values.

Pure functions over a sheet's cell grid (list of rows, row 0 = Excel row 1). Cell-level
problems (unreadable numbers or dates, unknown communes) are found here; set-wise rules
(required, enumerations, ranges, cross-field, duplicates) are in pipeline/rules.py.
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl.utils import get_column_letter, quote_sheetname

from pipeline.ingest import reference
from pipeline.ingest.sheets import COLUMNS, Column
from pipeline.text import cell_text, split_unit
from pipeline.text import fold as _fold_uncached
from pipeline.ingest.values import (
    ParseError,
    parse_amount_vnd,
    parse_count,
    parse_date,
    parse_number,
    unit_factor,
)

HEADER_SEARCH_ROWS = 30
TOTAL_WORDS = re.compile(r"^(tong|cong|total)\b")
FOOTER_WORDS = re.compile(
    r"^(nguoi lap|thu truong|truong phong|pho truong phong|ke toan|xac nhan|ghi chu|ky ten|"
    r"ky, ghi ro|giam doc|chu tich|noi nhan|ngay \d+ thang|\.+, ngay|[^,]{0,30}, ngay \d*)"
)
COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?$")

# Per-cell hot path (benchmark: ~390k rows): the same texts repeat row after row and file
# after file (enumerations, commune names, cumulative case lists), so fold each once.
fold = functools.lru_cache(maxsize=1 << 17, typed=True)(_fold_uncached)


def cell_address(sheet_name: str, excel_row: int | None, col_index: int | None) -> str:
    """Where Excel's Go To finds it: 'Nhà ở'!K17 (quoted sheet name), or the row alone."""
    if excel_row is None:
        return sheet_name
    col = get_column_letter(col_index + 1) if col_index is not None else ""
    return f"{quote_sheetname(sheet_name)}!{col}{excel_row}"


@dataclass
class Problem:
    """A rejected cell (row error) or a warning, located for the district clerk."""

    excel_row: int | None
    column: str | None            # header as written, or canonical header when missing
    col_index: int | None
    value: str | None             # as written; None for personal columns
    reason: str
    reason_vi: str


@dataclass
class MappedColumn:
    spec: Column
    index: int
    header: str                   # as written
    factor: int = 1               # unit multiplier for amounts


@dataclass
class SheetResult:
    kind: str
    sheet_name: str
    header_row: int | None = None
    columns: dict[str, MappedColumn] = field(default_factory=dict)
    # Accepted rows held column-wise ({"excel_row": [...], key: [...]}, same length): the
    # ingest builds its frames straight from these lists. `records` is the row-wise view.
    data: dict[str, list] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    rows_skipped: int = 0
    # Cells as written in the accepted rows, column-wise like `data` (Ellipsis: row too short),
    # for the columns a message may quote (not personal ones): whole row lists cost ~2x memory.
    raw: dict[str, list] = field(default_factory=dict)

    @property
    def records(self) -> list[dict]:
        keys = list(self.data)
        return [dict(zip(keys, values)) for values in zip(*self.data.values())]

    @property
    def n_records(self) -> int:
        return len(self.data.get("excel_row", ()))

    def written_text(self, excel_row: int, key: str) -> str | None:
        """cell_text of an accepted row's cell in column `key`; None when the row has no such cell."""
        rows = self.data.get("excel_row", [])
        i = bisect.bisect_left(rows, excel_row)
        values = self.raw.get(key)
        if values is None or i >= len(rows) or rows[i] != excel_row or values[i] is Ellipsis:
            return None
        return cell_text(values[i])

    @property
    def rejected_rows(self) -> set[int]:
        return {p.excel_row for p in self.problems if p.excel_row is not None}


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@functools.lru_cache(maxsize=None)
def _header_index(kind: str) -> dict[str, Column]:
    """Folded header spelling -> column, for one sheet kind (built once)."""
    return {key: column for column in COLUMNS[kind] for key in column.header_keys()}


def _match_header(cell: object, kind: str) -> tuple[Column, str | None] | None:
    if not isinstance(cell, str) or not cell.strip():
        return None
    index = _header_index(kind)
    column = index.get(fold(cell))
    if column is not None:
        return column, None
    base, unit = split_unit(cell)
    column = index.get(fold(base))
    return (column, unit) if column is not None else None


def _map_row(row: list, kind: str) -> dict[str, tuple[int, str, str | None]]:
    found: dict[str, tuple[int, str, str | None]] = {}
    for index, cell in enumerate(row):
        match = _match_header(cell, kind)
        if match and match[0].key not in found:
            found[match[0].key] = (index, str(cell).strip(), match[1])
    return found


def locate_header(rows: list[list], kind: str):
    """(header row index, {key: (col, header, unit)}, rows used by the header) or None.

    The header row is the row within the first 30 with the most known headers (at least 2);
    a second header line right under it (merged group headers) fills in missing columns.
    """
    best_index, best = None, {}
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = _map_row(row, kind)
        if len(found) >= 2 and len(found) > len(best):
            best_index, best = index, found
    if best_index is None:
        return None
    used = 1
    if best_index + 1 < len(rows):
        below = _map_row(rows[best_index + 1], kind)
        extra = {k: v for k, v in below.items() if k not in best}
        if extra and len(below) >= 2:
            best = {**best, **extra}
            used = 2
    return best_index, best, used


def _is_column_number_row(row: list) -> bool:
    cells = [c for c in row if not _is_blank(c)]
    if len(cells) < 2:
        return False
    numbers = []
    for cell in cells:
        text = cell_text(cell)
        if not COLUMN_NUMBER.match(text):
            return False
        numbers.append(int(text.strip("()")))
    return all(b > a for a, b in zip(numbers, numbers[1:]))


def _first_text(row: list) -> str | None:
    for cell in row:
        if isinstance(cell, str) and cell.strip():
            return cell
    return None


def _is_total_row(row: list) -> bool:
    text = _first_text(row)
    if text is None:
        return False
    folded = fold(text)
    return bool(TOTAL_WORDS.match(folded)) and not reference.is_commune_name(text)


def _is_footer_row(row: list) -> bool:
    text = _first_text(row)
    return text is not None and bool(FOOTER_WORDS.match(fold(text)))


class ColumnMissing(Exception):
    pass


def parse_sheet(rows: list[list], kind: str, sheet_name: str, district_code: str, period: dt.date) -> SheetResult:
    """Typed records plus row problems and warnings for one data sheet."""
    result = SheetResult(kind=kind, sheet_name=sheet_name)
    located = locate_header(rows, kind)
    if located is None:
        # Without a header nothing can be read: every non-blank row is rejected, none dropped.
        headers = ", ".join(c.header for c in COLUMNS[kind] if c.required)
        for index, row in enumerate(rows):
            result.rows_read += 1
            if all(_is_blank(c) for c in row):
                result.rows_skipped += 1
                continue
            result.problems.append(Problem(
                index + 1, None, None, None,
                f"no header row found in the first {HEADER_SEARCH_ROWS} rows (expected headers: {headers})",
                f"không tìm thấy dòng tiêu đề trong {HEADER_SEARCH_ROWS} dòng đầu (cần các cột: {headers})",
            ))
        return result

    header_index, found, header_rows = located
    result.header_row = header_index + 1
    spec_by_key = {c.key: c for c in COLUMNS[kind]}
    unit_problem = None
    for key, (index, header, unit) in found.items():
        spec = spec_by_key[key]
        mapped = MappedColumn(spec, index, header)
        if spec.kind == "amount":
            try:
                mapped.factor = unit_factor(unit)
            except KeyError:
                unit_problem = (header, index, unit)
        result.columns[key] = mapped

    missing = [c for c in COLUMNS[kind] if c.required and c.key not in result.columns]
    if "commune_code" not in result.columns and "commune_name" not in result.columns:
        missing.insert(0, spec_by_key["commune_code"])

    body = rows[header_index + header_rows:]
    first_excel_row = header_index + header_rows + 1
    data_cols = [m.index for k, m in result.columns.items() if m.spec.kind != "ignore" and k != "notes"]

    def data_like(row):
        filled = 0
        for i in data_cols:
            if i < len(row) and not _is_blank(row[i]):
                filled += 1
                if filled >= 2:
                    return True
        return False

    last_data = -1
    for i, r in enumerate(body):
        if _is_footer_row(r):
            break
        if data_like(r) and not _is_total_row(r):
            last_data = i
    # 1. classify rows (row by row: header/total/footer logic); data rows are converted after
    data_rows: list[tuple[int, list]] = []       # (excel_row, cells)
    events: list = []                            # data row index, or (excel_row, row) of a total row
    seen_content = False
    in_footer = False
    for offset, row in enumerate(body):
        excel_row = first_excel_row + offset
        result.rows_read += 1
        if all(_is_blank(c) for c in row):
            result.rows_skipped += 1
            continue
        if not seen_content and _is_column_number_row(row):
            seen_content = True
            result.rows_skipped += 1
            continue
        seen_content = True
        if _is_total_row(row):
            result.rows_skipped += 1
            events.append((excel_row, row))
            continue
        # Below the table: a signature block or note starts the footer, and everything under
        # it is footer; so is any row that is not data-like after the last data-like row.
        if in_footer or _is_footer_row(row) or (not data_like(row) and offset > last_data):
            in_footer = True
            result.rows_skipped += 1
            continue
        if missing:
            names = ", ".join(f"{c.header} ({c.key})" for c in missing)
            result.problems.append(Problem(
                excel_row, missing[0].header, None, None,
                f"the sheet has no column {names}, so its rows cannot be read",
                f"trang tính thiếu cột {names}, không đọc được các dòng",
            ))
            continue
        if unit_problem:
            header, index, unit = unit_problem
            result.problems.append(Problem(
                excel_row, header, index, None,
                f"unknown unit '({unit})' in column '{header}': use (đồng), (nghìn đồng) or (triệu đồng)",
                f"đơn vị '({unit})' không hợp lệ ở cột '{header}': dùng (đồng), (nghìn đồng) hoặc (triệu đồng)",
            ))
            continue
        events.append(len(data_rows))
        data_rows.append((excel_row, row))

    # 2. convert column by column, then accept the rows without problems
    columns, row_problems = _parse_columns(result, data_rows, district_code, period)
    bad = sorted(row_problems)
    for i in bad:
        result.problems.extend(row_problems[i])
    if bad:
        keep = [i for i in range(len(data_rows)) if i not in row_problems]
        columns = {key: [values[i] for i in keep] for key, values in columns.items()}
    else:
        keep = range(len(data_rows))
    result.data = columns
    for key, mapped in result.columns.items():
        if mapped.spec.kind == "ignore" or mapped.spec.personal:
            continue
        index = mapped.index
        values = [data_rows[i][1][index] if index < len(data_rows[i][1]) else Ellipsis for i in keep]
        if mapped.spec.kind == "enum":
            # One object per distinct spelling (each cell arrives as its own str).
            canon = {v: v for v in values if type(v) is str}
            values = [canon.get(v, v) if type(v) is str else v for v in values]
        result.raw[key] = values

    # 3. total rows: compare with the sums of the accepted rows above them (in sheet order)
    if any(not isinstance(e, int) for e in events):
        summable = [key for key, mapped in result.columns.items() if mapped.spec.summable and key in columns]
        position = {i: n for n, i in enumerate(keep)}
        sums_all: dict[str, Decimal] = {}
        sums_since_total: dict[str, Decimal] = {}
        for event in events:
            if isinstance(event, int):
                n = position.get(event)
                if n is None:
                    continue
                for key in summable:
                    value = columns[key][n]
                    if value is not None:
                        sums_all[key] = sums_all.get(key, 0) + value
                        sums_since_total[key] = sums_since_total.get(key, 0) + value
            else:
                excel_row, row = event
                _check_total(result, row, excel_row, sums_all, sums_since_total)
                sums_since_total = {}
    return result


def _cell(row: list, index: int):
    return row[index] if index < len(row) else None


_EXACT = float(1 << 53)   # floats below this are exact integers


def _convert(mapped: MappedColumn, value: object):
    kind = mapped.spec.kind
    if _is_blank(value):
        return None
    if kind == "text":
        return cell_text(value)
    if kind == "enum":
        found = mapped.spec.enum.get(fold(value))
        return found if found is not None else cell_text(value)
    # Fast paths for cells already typed as whole numbers (what values.py would return too).
    if kind == "amount":
        if type(value) is float and mapped.factor == 1 and value.is_integer() and -_EXACT < value < _EXACT:
            return int(value)
        return parse_amount_vnd(value, mapped.factor)
    if kind in ("count", "year"):
        if type(value) is float and value.is_integer() and -_EXACT < value < _EXACT:
            return int(value)
        if type(value) is int:
            return value
        return parse_count(value)
    if kind == "date":
        return parse_date(value)
    if kind == "decimal":
        text = value.strip().rstrip("%").strip() if isinstance(value, str) else value
        number = parse_number(text, whole_column=False)
        return None if number is None else float(number)
    if kind == "national_id":
        digits = reference.normalise_code(value, 12) if not isinstance(value, str) else value.replace(" ", "").replace(".", "")
        if not digits or not digits.isdigit() or len(digits) != 12:
            raise ParseError("national ID (Số CCCD) must be 12 digits", "Số CCCD phải gồm 12 chữ số")
        return digits
    return cell_text(value)


_SLOW = object()   # a cell the fast path leaves to _convert


def _fast_whole(v, factor=1):
    """Whole-number cells as calamine returns them (what _convert would return), else _SLOW."""
    t = type(v)
    if t is float:
        return int(v) if factor == 1 and v.is_integer() and -_EXACT < v < _EXACT else _SLOW
    if t is int:
        return v if factor == 1 else _SLOW
    return None if v is None else _SLOW


def _fast_date(v):
    t = type(v)
    if t is dt.datetime:
        return v.date()
    if t is dt.date:
        return v
    return None if v is None else _SLOW


def _fast_text(v):
    if type(v) is str:
        return v.strip() or None
    return None if v is None else _SLOW


def _convert_column(mapped: MappedColumn, values: list) -> list:
    """Fast typed values for a whole column; _SLOW where a cell needs _convert."""
    kind = mapped.spec.kind
    if kind in ("count", "year"):
        return [_fast_whole(v) for v in values]
    if kind == "amount":
        factor = mapped.factor
        return [_fast_whole(v, factor) for v in values]
    if kind == "date":
        return [_fast_date(v) for v in values]
    if kind == "enum":
        # Few distinct spellings per column: convert each once (enum conversion never fails).
        by_text = {v: _convert(mapped, v) for v in set(values) if type(v) is str or v is None}
        return [by_text.get(v, _SLOW) if type(v) is str or v is None else _SLOW for v in values]
    if kind == "text":
        return [_fast_text(v) for v in values]
    return [_SLOW] * len(values)


def _parse_columns(result: SheetResult, data_rows: list, district_code: str, period: dt.date):
    """({key: typed values per data row}, {data row index: [Problem]}), same checks as row by row."""
    n = len(data_rows)
    columns: dict[str, list] = {"excel_row": [excel_row for excel_row, _ in data_rows]}
    problems: dict[int, list[Problem]] = {}
    for key, mapped in result.columns.items():
        if mapped.spec.kind in ("ignore", "code") or key == "commune_name":
            continue
        index = mapped.index
        values = [row[index] if index < len(row) else None for _, row in data_rows]
        typed = _convert_column(mapped, values)
        for i in range(n):
            if typed[i] is not _SLOW:
                continue
            value = values[i]
            try:
                typed[i] = _convert(mapped, value)
            except (ParseError, ValueError) as error:
                reason = getattr(error, "reason", None) or str(error)
                reason_vi = getattr(error, "reason_vi", None) or reason
                if mapped.spec.personal:
                    reason = reason.replace(str(value), "(withheld)")
                problems.setdefault(i, []).append(Problem(
                    data_rows[i][0], mapped.header, mapped.index,
                    None if mapped.spec.personal else cell_text(value), reason, reason_vi,
                ))
                typed[i] = None
        columns[key] = typed

    code_col = result.columns.get("commune_code")
    name_col = result.columns.get("commune_name")
    years = columns.get("review_year") if result.kind == "poverty" else None
    month_list = None if result.kind == "poverty" else reference.list_year_for_month(period)
    communes = [None] * n
    for i, (excel_row, row) in enumerate(data_rows):
        code_value = _cell(row, code_col.index) if code_col else None
        name_value = _cell(row, name_col.index) if name_col else None
        if years is not None:
            year = years[i]
            list_year = reference.list_year_for_review(year) if isinstance(year, int) else None
        else:
            list_year = month_list
        if list_year is None:
            continue
        try:
            communes[i] = _match_commune(
                None if _is_blank(code_value) else code_value,
                None if _is_blank(name_value) else cell_text(name_value),
                district_code, list_year,
            )
        except reference.CommuneError as error:
            mapped = code_col if (error.column == "commune_code" or not name_col) else name_col
            shown = code_value if mapped is code_col else name_value
            problems.setdefault(i, []).append(Problem(
                excel_row, mapped.header if mapped else "Mã xã", mapped.index if mapped else None,
                cell_text(shown), error.reason, error.reason_vi,
            ))
    columns["commune_code"] = communes
    return columns, problems


@functools.lru_cache(maxsize=1 << 14, typed=True)
def _commune_outcome(code_value, name_value, district_code: str, list_year: int):
    try:
        return reference.match_commune(code_value, name_value, district_code, list_year), None
    except reference.CommuneError as error:
        return None, error


def _match_commune(code_value, name_value, district_code: str, list_year: int) -> str:
    """reference.match_commune, remembered per (code, name, district, list): rows repeat them."""
    try:
        code, error = _commune_outcome(code_value, name_value, district_code, list_year)
    except TypeError:   # an unhashable cell: not cached
        return reference.match_commune(code_value, name_value, district_code, list_year)
    if error is not None:
        raise reference.CommuneError(error.reason, error.reason_vi, error.column)
    return code


def _check_total(result: SheetResult, row: list, excel_row: int, sums_all: dict, sums_since: dict) -> None:
    for key, mapped in result.columns.items():
        if not mapped.spec.summable:
            continue
        value = _cell(row, mapped.index)
        if _is_blank(value):
            continue
        try:
            written = _convert(mapped, value)
        except (ParseError, ValueError):
            written = None
        expected = [sums_all.get(key, 0), sums_since.get(key, 0)]
        if written is None or all(written != e for e in expected):
            result.warnings.append(Problem(
                excel_row, mapped.header, mapped.index, cell_text(value),
                f"total row: '{cell_text(value)}' does not match the sum of the rows above ({expected[0]:,})",
                f"dòng tổng: '{cell_text(value)}' không khớp tổng các dòng phía trên ({expected[0]:,})",
            ))
