"""Reading one data sheet: header, row sorting, typed values, communes, total rows.

Pure functions over a sheet's cell grid (list of rows, row 0 = Excel row 1) and its merged
ranges. The steps: find the header and map the columns (pipeline/ingest/header.py); read
merged cells in the body; sort the rows into data and skipped rows (pipeline/ingest/rows.py);
convert the data rows column by column and match their communes; check total rows against
the sums. Cell-level problems are found here; set-wise rules (required, enumerations,
ranges, cross-field, duplicates, plausibility) are in pipeline/ingest/rules.py.
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.ingest import reference, rows as row_kinds
from openpyxl.utils import get_column_letter, quote_sheetname
from pipeline.ingest.header import HEADER_SEARCH_ROWS, Header, MappedColumn, SheetProblem, locate_header
from pipeline.ingest.sheets import COLUMNS
from pipeline.text import BLANK_CHARS, cell_text, clean
from pipeline.text import fold_cached as fold
from pipeline.ingest.values import (
    CellIssue,
    ParseError,
    parse_amount_vnd,
    parse_count,
    parse_date,
    parse_number,
)

__all__ = ["HEADER_SEARCH_ROWS", "MappedColumn", "Problem", "SheetResult", "cell_address", "parse_sheet"]

# Columns whose value a cell merged down several rows gives to each of those rows (the merge
# says so: one commune, one status, one date for the rows it covers). Money, counts, ids and
# names merged over rows are not shared out: which row holds them is not ours to guess.
FILL_DOWN = frozenset({"commune_code", "commune_name", "village", "ethnicity", "category", "support_type",
                       "status", "start_date", "completion_date", "programme", "funding_source",
                       "review_year", "notes"})


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
    skipped: list[tuple[int, str]] = field(default_factory=list)   # (excel row, kind: rows.SKIP_KINDS)
    # Cells as written in the accepted rows, column-wise like `data` (Ellipsis: row too short),
    # for the columns a message may quote (not personal ones): whole row lists cost ~2x memory.
    raw: dict[str, list] = field(default_factory=dict)

    @property
    def rows_skipped(self) -> int:
        return len(self.skipped)

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


def parse_sheet(rows: list[list], kind: str, sheet_name: str, reporter: reference.Reporter | str, period: dt.date,
                merges=None) -> SheetResult:
    """Typed records plus row problems, warnings and skipped rows for one data sheet."""
    if isinstance(reporter, str):   # a district code
        reporter = reference.Reporter(reference.DISTRICT, reporter)
    result = SheetResult(kind=kind, sheet_name=sheet_name)
    header = locate_header(rows, kind, merges)
    if header is None:
        _without_header(result, rows, kind)
        return result
    result.header_row = header.top + 1
    result.columns = header.columns
    start = header.first_body_row
    body = rows[start:]
    merge_problems = _read_body_merges(body, start, merges, header)
    layout = _layout(header, kind)
    kinds, suspicious = row_kinds.classify(body, layout)
    data_rows, totals = _sort_rows(result, body, start, kinds, _sheet_problems(header, kind, reporter))
    result.warnings += _layout_warnings(result, header, body, start, suspicious, data_rows)
    extra = {i: merge_problems[excel_row] for i, (excel_row, _) in enumerate(data_rows)
             if excel_row in merge_problems} if merge_problems else {}
    _check_totals(result, totals, _read_data_rows(result, data_rows, reporter, period, extra))
    return result


def _without_header(result: SheetResult, rows: list[list], kind: str) -> None:
    """Without a header nothing can be read: every non-blank row is rejected, none dropped."""
    headers = ", ".join(c.header for c in COLUMNS[kind] if c.required)
    for index, row in enumerate(rows):
        result.rows_read += 1
        if all(_is_blank(c) for c in row):
            result.skipped.append((index + 1, row_kinds.BLANK))
            continue
        result.problems.append(Problem(
            index + 1, None, None, None,
            f"no header row found in the first {HEADER_SEARCH_ROWS} rows (expected headers: {headers})",
            f"không tìm thấy dòng tiêu đề trong {HEADER_SEARCH_ROWS} dòng đầu (cần các cột: {headers})",
        ))


def _layout(header: Header, kind: str) -> row_kinds.Layout:
    columns = header.columns
    index = {key: mapped.index for key, mapped in columns.items()}
    key_col = index.get(row_kinds.KEY_COLUMN[kind])
    return row_kinds.Layout(
        data_cols=tuple(m.index for k, m in columns.items() if m.spec.kind != "ignore" and k != "notes"),
        template_cols=frozenset(index[k] for k in row_kinds.TEMPLATE_COLUMNS if k in index),
        ignore_cols=frozenset(m.index for m in columns.values() if m.spec.kind == "ignore"),
        label_cols=frozenset({index[k] for k in row_kinds.LABEL_COLUMNS if k in index}
                             | ({key_col} if key_col is not None else set())),
        mapped_cols=frozenset(index.values()),
        key_col=key_col,
        header_texts=header.texts,
    )


def _sheet_problems(header: Header, kind: str, reporter: reference.Reporter) -> list[SheetProblem]:
    """Problems of the layout that make every data row unreadable: missing columns first."""
    spec_by_key = {c.key: c for c in COLUMNS[kind]}
    missing = [c for c in COLUMNS[kind] if c.required and c.key not in header.columns]
    # A commune's report may omit the commune columns: its rows are its own.
    if (reporter.unit_type == reference.DISTRICT
            and "commune_code" not in header.columns and "commune_name" not in header.columns):
        missing.insert(0, spec_by_key["commune_code"])
    if missing:
        names = ", ".join(f"{c.header} ({c.key})" for c in missing)
        return [SheetProblem(missing[0].header, None, f"the sheet has no column {names}, so its rows cannot be read",
                             f"trang tính thiếu cột {names}, không đọc được các dòng")]
    return header.problems


def _sort_rows(result: SheetResult, body: list[list], start: int, kinds: list[str], sheet_problems):
    """Count every row; keep data rows (excel row, cells) and total rows for the sum check."""
    data_rows, totals = [], []
    result.rows_read += len(body)
    for offset, (row, kind) in enumerate(zip(body, kinds)):
        excel_row = start + offset + 1
        if kind != row_kinds.DATA:
            result.skipped.append((excel_row, kind))
            if kind in (row_kinds.TOTAL, row_kinds.SUBTOTAL):
                totals.append((excel_row, row))
            continue
        if sheet_problems:
            result.problems += [Problem(excel_row, p.column, p.col_index, None, p.reason, p.reason_vi)
                                for p in sheet_problems]
            continue
        data_rows.append((excel_row, row))
    return data_rows, totals


def _read_body_merges(body: list[list], start: int, merges, header: Header) -> dict[int, list[Problem]]:
    """Cells merged in the body: a value merged down over rows is given to each of them where the
    column allows it (FILL_DOWN), else each row it covers is rejected; a cell merged across
    several columns is rejected too. Returns problems by Excel row (used for data rows only)."""
    by_col = {m.index: m for m in header.columns.values() if m.spec.kind != "ignore"}
    problems: dict[int, list[Problem]] = {}
    for r0, c0, r1, c1 in merges or ():
        if r0 < start or r0 - start >= len(body):
            continue
        covered = [by_col[c] for c in range(c0, c1 + 1) if c in by_col]
        if len(covered) >= 2:
            _merge_problem(problems, r0, r1, covered, "across")
        elif covered and r1 > r0:
            mapped = covered[0]
            if mapped.spec.key in FILL_DOWN and mapped.index == c0:
                _fill_down(body, r0 - start, r1 - start, c0)
            else:
                _merge_problem(problems, r0, r1, covered, "down")
    return problems


def _fill_down(body: list[list], first: int, last: int, col: int) -> None:
    value = body[first][col] if col < len(body[first]) else None
    for offset in range(first + 1, min(last, len(body) - 1) + 1):
        row = body[offset]
        if col < len(row) and _is_blank(row[col]):
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
            Problem(row + 1, covered[0].header, covered[0].index, None, *reason))


def _layout_warnings(result: SheetResult, header: Header, body, start, suspicious, data_rows) -> list[Problem]:
    """Warnings about the layout: a unit line not understood, rows below the signature block that
    look like data, and (houses) money perhaps under a header we do not know."""
    warnings = [Problem(result.header_row, w.column, w.col_index, None, w.reason, w.reason_vi)
                for w in header.warnings]
    for i in suspicious:
        warnings.append(Problem(
            start + i + 1, None, None, None,
            "this row below the signature block looks like data and was not read: move it into the table",
            "dòng này nằm dưới phần ký tên, giống dòng số liệu nhưng không được đọc: hãy chuyển vào bảng"))
    if result.kind == "houses":
        warnings += _money_elsewhere(header, data_rows)
    return warnings


AMOUNT_KEYS = ("central_budget", "local_budget", "social_contribution")


def _holds_numbers(data_rows, col: int) -> bool:
    for _, row in data_rows:
        value = row[col] if col < len(row) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return True
        if isinstance(value, str) and any(ch.isdigit() for ch in value):
            try:
                if parse_number(value) is not None:
                    return True
            except ParseError:
                pass
    return False


def _money_elsewhere(header: Header, data_rows) -> list[Problem]:
    """A houses sheet lacking an amount column while a column we do not know holds numbers."""
    missing = [c.header for c in COLUMNS["houses"] if c.key in AMOUNT_KEYS and c.key not in header.columns]
    if not missing or not data_rows:
        return []
    mapped = {m.index for m in header.columns.values()}
    width = max(len(row) for _, row in data_rows)
    warnings = []
    for col in range(width):
        if col in mapped or not _holds_numbers(data_rows, col):
            continue
        name = header.unnamed.get(col) or f"(column {get_column_letter(col + 1)})"
        warnings.append(Problem(
            header.top + 1, name, col, None,
            f"the sheet has no column {', '.join(missing)}, but column '{name}' holds numbers: if it is money, "
            "head it with a name we know (e.g. 'Ngân sách trung ương')",
            f"trang tính thiếu cột {', '.join(missing)}, nhưng cột '{name}' có số liệu: nếu là số tiền, "
            "hãy đặt tiêu đề đúng (ví dụ 'Ngân sách trung ương')"))
    return warnings


def _read_data_rows(result: SheetResult, data_rows: list, reporter, period: dt.date, extra: dict):
    """Convert column by column, then keep the rows without problems (column-wise data and raw)."""
    cells = _transpose(data_rows, {m.index for m in result.columns.values()
                                   if m.spec.kind in ("text", "code", "date", "enum") and not m.spec.personal})
    columns, row_problems = _parse_columns(result, data_rows, cells, reporter, period)
    for i, problems in extra.items():
        row_problems.setdefault(i, []).extend(problems)
    bad = sorted(row_problems)
    for i in bad:
        result.problems.extend(row_problems[i])
    if bad:
        keep = [i for i in range(len(data_rows)) if i not in row_problems]
        columns = {key: [values[i] for i in keep] for key, values in columns.items()}
    else:
        keep = None
    result.data = columns
    for key, mapped in result.columns.items():
        if mapped.spec.kind == "ignore" or mapped.spec.personal:
            continue
        values = _column(cells, data_rows, mapped.index, Ellipsis)
        if keep is not None:
            values = [values[i] for i in keep]
        result.raw[key] = values
    return columns


def _cell(row: list, index: int):
    return row[index] if index < len(row) else None


def _transpose(data_rows: list, repeating: set[int]) -> list:
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


def _column(cells: list[tuple], data_rows: list, index: int, missing=None) -> list:
    """One column's cells (`missing` where a row is too short), from the transposed grid when it has it."""
    if index < len(cells):
        return list(cells[index])
    return [row[index] if index < len(row) else missing for _, row in data_rows]


_EXACT = float(1 << 53)   # floats below this are exact integers


def _convert(mapped: MappedColumn, value: object):
    kind = mapped.spec.kind
    if type(value) is CellIssue:
        raise value.error()
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
        digits = (reference.normalise_code(value, 12) if not isinstance(value, str)
                  else "".join(value.split()).replace(".", "").strip(BLANK_CHARS))
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
    return None if v is None or v == "" else _SLOW


def _fast_date(v):
    t = type(v)
    if t is dt.date:
        return v
    if t is dt.datetime:
        return v.date()
    return None if v is None or v == "" else _SLOW


def _fast_national_id(v):
    if type(v) is str and len(v) == 12 and v.isdigit():
        return v   # what _convert returns: nothing to strip from 12 digits
    return None if v is None or v == "" else _SLOW


# The comprehensions below test the common cell type inline before calling the helper: ~390k
# rows x a dozen columns, where a Python call per cell is most of the cost.
def _convert_column(mapped: MappedColumn, values: list) -> list:
    """Fast typed values for a whole column; _SLOW where a cell needs _convert."""
    kind = mapped.spec.kind
    if kind in ("count", "year") or (kind == "amount" and mapped.factor == 1):
        return [int(v) if type(v) is float and v.is_integer() and -_EXACT < v < _EXACT else _fast_whole(v)
                for v in values]
    if kind == "amount":
        factor = mapped.factor
        return [_fast_whole(v, factor) for v in values]
    if kind == "date":
        return [v if type(v) is dt.date else _fast_date(v) for v in values]
    if kind == "enum":
        # Few distinct spellings per column: convert each once (enum conversion never fails).
        by_text = {v: _convert(mapped, v) for v in set(values) if type(v) is str or v is None}
        return [by_text.get(v, _SLOW) if type(v) is str or v is None else _SLOW for v in values]
    if kind == "text":
        return [(v.strip(BLANK_CHARS) or None) if type(v) is str else (None if v is None else _SLOW)
                for v in values]
    if kind == "national_id":
        return [v if type(v) is str and len(v) == 12 and v.isdigit() else _fast_national_id(v) for v in values]
    return [_SLOW] * len(values)


def _parse_columns(result: SheetResult, data_rows: list, cells: list[tuple], reporter, period: dt.date):
    """({key: typed values per data row}, {data row index: [Problem]}), same checks as row by row."""
    columns: dict[str, list] = {"excel_row": [excel_row for excel_row, _ in data_rows]}
    problems: dict[int, list[Problem]] = {}
    for key, mapped in result.columns.items():
        if mapped.spec.kind in ("ignore", "code") or key == "commune_name":
            continue
        columns[key] = _typed_column(mapped, data_rows, _column(cells, data_rows, mapped.index), problems)
    columns["commune_code"] = _communes(result, data_rows, cells, columns, reporter, period, problems)
    columns["commune_list"] = _row_lists(result.kind, columns, period)
    return columns, problems


def _typed_column(mapped: MappedColumn, data_rows: list, values: list, problems: dict[int, list[Problem]]) -> list:
    typed = _convert_column(mapped, values)
    if _SLOW not in typed:
        return typed
    for i, value in enumerate(values):
        if typed[i] is not _SLOW:
            continue
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
    return typed


def _row_lists(kind: str, columns: dict, period: dt.date) -> list:
    """The list each row's commune belongs to: the reporting month's, or (poverty) the review year's."""
    if kind != "poverty":
        return [reference.list_for_month(period)] * len(columns["excel_row"])
    years = columns.get("review_year") or [None] * len(columns["excel_row"])
    return [_review_list(year, period) for year in years]


def _review_list(year, period: dt.date) -> str | None:
    """The review year's list; a year after the report's (a row error of its own) checks against the month's."""
    if not isinstance(year, int):
        return None
    return reference.list_for_month(period) if year > period.year else reference.list_for_review(year)


def _review_year_problem(year, reporter: reference.Reporter, period: dt.date) -> tuple[str, str] | None:
    """Reviews up to 2024 were reported by the districts, from 2025 on by the communes (a year after the
    report's has its own rule)."""
    if not isinstance(year, int) or year > period.year:
        return None
    first = reference.FIRST_COMMUNE_REVIEW
    if reporter.unit_type == reference.COMMUNE and year < first:
        return (f"review year {year}: the reviews up to {first - 1} were reported by the districts; a commune's "
                f"report carries reviews from {first} on only (remove this row)",
                f"năm rà soát {year}: kết quả rà soát đến năm {first - 1} do huyện báo cáo; báo cáo của xã chỉ "
                f"gồm kết quả rà soát từ năm {first} (hãy xóa dòng này)")
    if reporter.unit_type == reference.DISTRICT and year >= first:
        return (f"review year {year}: from the {first} review on the communes report their own results (the "
                "district level was abolished on 01/07/2025); remove this row from the district's report",
                f"năm rà soát {year}: từ kỳ rà soát năm {first} các xã tự báo cáo kết quả (không còn cấp huyện "
                "từ 01/07/2025); hãy xóa dòng này khỏi báo cáo của huyện")
    return None


def _communes(result: SheetResult, data_rows: list, cells: list[tuple], columns: dict, reporter, period: dt.date,
              problems: dict[int, list[Problem]]) -> list:
    """Each row's official commune code, from its code and/or name, in the list in force for it."""
    code_col = result.columns.get("commune_code")
    name_col = result.columns.get("commune_name")
    year_col = result.columns.get("review_year")
    years = columns.get("review_year") if result.kind == "poverty" else None
    month_list = None if result.kind == "poverty" else reference.list_for_month(period)
    n = len(data_rows)
    codes = _column(cells, data_rows, code_col.index) if code_col else [None] * n
    names = _column(cells, data_rows, name_col.index) if name_col else [None] * n
    communes = [None] * n
    outcomes: dict = {}   # the same commune cells repeat row after row: match each pair once per list
    for i, (code_value, name_value) in enumerate(zip(codes, names)):
        excel_row = data_rows[i][0]
        if type(code_value) is CellIssue or type(name_value) is CellIssue:
            _unreadable_commune(problems, i, excel_row, code_col, code_value, name_col, name_value)
            continue
        commune_list = month_list
        if years is not None:
            year = years[i]
            commune_list = _review_list(year, period)
            wrong_year = _review_year_problem(year, reporter, period)
            if wrong_year:
                problems.setdefault(i, []).append(Problem(
                    excel_row, year_col.header, year_col.index, str(year), *wrong_year))
                continue
        if commune_list is None:
            continue
        key = (type(code_value), code_value, type(name_value), name_value, commune_list)
        try:
            outcome = outcomes.get(key)
        except TypeError:   # an unhashable cell: not remembered
            key, outcome = None, None
        if outcome is None:
            outcome = _row_commune(code_value, name_value, code_col, name_col, reporter, commune_list)
            if key is not None:
                outcomes[key] = outcome
        commune, problem = outcome
        if problem is None:
            communes[i] = commune
        else:
            problems.setdefault(i, []).append(Problem(excel_row, *problem))
    return communes


def _row_commune(code_cell, name_cell, code_col, name_col, reporter, commune_list: str) -> tuple:
    """(commune code, None), or (None, the Problem's fields after its Excel row) for one row's cells."""
    code_value, name_value = clean(code_cell), clean(name_cell)
    try:
        return _match_commune(
            None if _is_blank(code_value) else code_value,
            None if _is_blank(name_value) else cell_text(name_value),
            reporter, commune_list,
        ), None
    except reference.CommuneError as error:
        mapped = code_col if (error.column == "commune_code" or not name_col) else name_col
        shown = code_value if mapped is code_col else name_value
        return None, (mapped.header if mapped else "Mã xã", mapped.index if mapped else None,
                      cell_text(shown), error.reason, error.reason_vi)


def _unreadable_commune(problems, i, excel_row, code_col, code_value, name_col, name_value) -> None:
    mapped, issue = (code_col, code_value) if type(code_value) is CellIssue else (name_col, name_value)
    error = issue.error()
    problems.setdefault(i, []).append(Problem(excel_row, mapped.header, mapped.index, str(issue),
                                              error.reason, error.reason_vi))


@functools.lru_cache(maxsize=1 << 14, typed=True)
def _commune_outcome(code_value, name_value, reporter: reference.Reporter, commune_list: str):
    try:
        return reference.match_row_commune(code_value, name_value, reporter, commune_list), None
    except reference.CommuneError as error:
        return None, error


def _match_commune(code_value, name_value, reporter: reference.Reporter, commune_list: str) -> str:
    """reference.match_row_commune, remembered per (code, name, reporter, list): rows repeat them."""
    try:
        code, error = _commune_outcome(code_value, name_value, reporter, commune_list)
    except TypeError:   # an unhashable cell: not cached
        return reference.match_row_commune(code_value, name_value, reporter, commune_list)
    if error is not None:
        raise reference.CommuneError(error.reason, error.reason_vi, error.column)
    return code


def _check_totals(result: SheetResult, totals: list, columns: dict) -> None:
    """Each total row against the sums of the accepted rows above it (all of them, or since the
    previous total row: a subtotal or a grand total both match); a mismatch is a warning."""
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
