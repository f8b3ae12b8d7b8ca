"""A data sheet's layout under its header: which rows hold data, and what about the layout is wrong.

The row roles themselves are decided in pipeline/ingest/rows.py; here the header becomes the
Layout that sorting needs, every row is counted (rows read = data + skipped, rejected rows being
data rows with problems), and the layout's own problems and warnings are found: a missing
column, no header at all, rows below the signature block, money perhaps under a header we do
not know.
"""
from __future__ import annotations

from openpyxl.utils import get_column_letter

from pipeline import form
from pipeline.ingest import reference, rows
from pipeline.ingest.convert import is_blank
from pipeline.ingest.header import HEADER_SEARCH_ROWS, Header, SheetProblem
from pipeline.ingest.problem import Problem
from pipeline.ingest.values import ParseError, parse_number
from pipeline.rulebook import reading

def row_layout(header: Header, sheet_kind: str) -> rows.Layout:
    columns = header.columns
    index = {key: mapped.index for key, mapped in columns.items()}
    key_col = index.get(form.SHEETS[sheet_kind].key_column)
    return rows.Layout(
        data_cols=tuple(m.index for k, m in columns.items() if m.spec.value_type != "ignore" and k != "notes"),
        template_cols=frozenset(index[k] for k in rows.TEMPLATE_COLUMNS if k in index),
        ignore_cols=frozenset(m.index for m in columns.values() if m.spec.value_type == "ignore"),
        label_cols=frozenset({index[k] for k in rows.LABEL_COLUMNS if k in index}
                             | ({key_col} if key_col is not None else set())),
        mapped_cols=frozenset(index.values()),
        key_col=key_col,
        header_texts=header.texts,
    )


def without_header(result, grid: list[list]) -> None:
    """Without a header nothing can be read: every non-blank row is rejected, none dropped."""
    headers = ", ".join(c.header for c in form.COLUMNS[result.sheet_kind] if c.required)
    for index, row in enumerate(grid):
        result.rows_read += 1
        if all(is_blank(c) for c in row):
            result.skipped.append((index + 1, rows.BLANK))
            continue
        result.problems.append(Problem(
            index + 1, None, None, None,
            f"no header row found in the first {HEADER_SEARCH_ROWS} rows (expected headers: {headers})",
            f"không tìm thấy dòng tiêu đề trong {HEADER_SEARCH_ROWS} dòng đầu (cần các cột: {headers})",
            reading.HEADER_FOUND))


def sheet_problems(header: Header, sheet_kind: str, reporter: reference.Reporter) -> list[SheetProblem]:
    """Problems of the layout that make every data row unreadable: missing columns first."""
    sheet = form.SHEETS[sheet_kind]
    missing = [c for c in sheet.columns if c.required and c.key not in header.columns]
    # A commune's report may omit the commune columns: its rows are its own.
    if (reporter.unit_type == reference.DISTRICT
            and "commune_code" not in header.columns and "commune_name" not in header.columns):
        missing.insert(0, sheet.column("commune_code"))
    if missing:
        names = ", ".join(f"{c.header} ({c.key})" for c in missing)
        return [SheetProblem(missing[0].header, None, f"the sheet has no column {names}, so its rows cannot be read",
                             f"trang tính thiếu cột {names}, không đọc được các dòng",
                             reading.REQUIRED_COLUMNS_PRESENT)]
    return header.problems


def sort_rows(result, body: list[list], start: int, roles: list[str], problems: list[SheetProblem]):
    """Count every row; keep data rows (excel row, cells) and total rows for the sum check. With sheet
    problems, every data row is rejected with them."""
    data_rows, totals = [], []
    result.rows_read += len(body)
    for offset, (row, role) in enumerate(zip(body, roles)):
        excel_row = start + offset + 1
        if role != rows.DATA:
            result.skipped.append((excel_row, role))
            if role in (rows.TOTAL, rows.SUBTOTAL):
                totals.append((excel_row, row))
            continue
        if problems:
            result.problems += [Problem(excel_row, p.column, p.col_index, None, p.reason, p.reason_vi, p.rule)
                                for p in problems]
            continue
        data_rows.append((excel_row, row))
    return data_rows, totals


def layout_warnings(result, header: Header, start: int, suspicious: list[int], data_rows) -> list[Problem]:
    """Warnings about the layout: a unit line not understood, rows below the signature block that
    look like data, and (houses) money perhaps under a header we do not know."""
    warnings = [Problem(result.header_row, w.column, w.col_index, None, w.reason, w.reason_vi, w.rule)
                for w in header.warnings]
    for i in suspicious:
        warnings.append(Problem(
            start + i + 1, None, None, None,
            "this row below the signature block looks like data and was not read: move it into the table",
            "dòng này nằm dưới phần ký tên, giống dòng số liệu nhưng không được đọc: hãy chuyển vào bảng",
            reading.NOTHING_BELOW_SIGNATURE))
    if result.sheet_kind == "houses":
        warnings += _money_elsewhere(header, data_rows)
    return warnings


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
    missing = [c.header for c in form.COLUMNS["houses"] if c.value_type == "amount" and c.key not in header.columns]
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
            "hãy đặt tiêu đề đúng (ví dụ 'Ngân sách trung ương')", reading.MONEY_UNDER_KNOWN_HEADER))
    return warnings
