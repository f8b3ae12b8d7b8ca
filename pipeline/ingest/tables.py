"""Reading one data sheet into typed rows: the steps in order, and what they give back.

Pure functions over a sheet's cell grid (list of rows, row 0 = Excel row 1) and its merged
ranges, one job per module: the header, its columns and their units (header.py); cells
merged in the body (merges.py); the rows sorted into data and skipped rows (layout.py,
rows.py); each column typed (convert.py); the rule book's checks on read (pipeline/rulebook,
OnRead rules); the communes matched (communes.py); total rows against the sums (totals.py).
The set-wise rules run later over the whole batch (validate.py).
"""
from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field

from pipeline import form, rulebook
from pipeline.ingest import communes, convert, layout, merges as body_merges, reference, rows, stated
from pipeline.ingest.header import MappedColumn, locate_header
from pipeline.ingest.problem import Problem
from pipeline.ingest.totals import check_totals
from pipeline.text import cell_text


@dataclass
class SheetResult:
    sheet_kind: str
    sheet_name: str
    header_row: int | None = None
    columns: dict[str, MappedColumn] = field(default_factory=dict)
    # Accepted rows held column-wise ({"excel_row": [...], key: [...]}, same length): the
    # ingest builds its frames straight from these lists.
    data: dict[str, list] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)   # (excel row, skip reason: rows.SKIP_REASONS)
    # Cells as written in the accepted rows, column-wise like `data` (Ellipsis: row too short),
    # for the columns a message may quote (not personal ones): whole row lists cost ~2x memory.
    raw: dict[str, list] = field(default_factory=dict)
    # Poverty: the keys of the rows rejected while reading (commune, review year, village; tables.REJECTED_KEYS).
    rejected_keys: list[dict] = field(default_factory=list)

    @property
    def rows_skipped(self) -> int:
        return len(self.skipped)

    @property
    def n_records(self) -> int:
        return len(self.data.get("excel_row", ()))

    def written_text(self, excel_row: int, key: str) -> str | None:
        """cell_text of an accepted row's cell in column `key`; None when the row has no such cell."""
        excel_rows = self.data.get("excel_row", [])
        i = bisect.bisect_left(excel_rows, excel_row)
        values = self.raw.get(key)
        if values is None or i >= len(excel_rows) or excel_rows[i] != excel_row or values[i] is Ellipsis:
            return None
        return cell_text(values[i])

    @property
    def rejected_rows(self) -> set[int]:
        return {p.excel_row for p in self.problems if p.excel_row is not None}


def parse_sheet(grid: list[list], sheet_kind: str, sheet_name: str, reporter: reference.Reporter, period: dt.date,
                merges=None, cover_standard: stated.Statement | None = None) -> SheetResult:
    """Typed records plus row problems, warnings and skipped rows for one data sheet (cover_standard: the
    cover's Chuẩn nghèo, for the poverty sheet)."""
    result = SheetResult(sheet_kind=sheet_kind, sheet_name=sheet_name)
    header = locate_header(grid, sheet_kind, merges)
    if header is None:
        layout.without_header(result, grid)
        return result
    result.header_row = header.top + 1
    result.columns = header.columns
    start = header.first_body_row
    body = grid[start:]
    merge_problems = body_merges.read_body_merges(body, start, merges, header)
    roles, suspicious = rows.classify(body, layout.row_layout(header, sheet_kind))
    data_rows, totals = layout.sort_rows(result, body, start, roles,
                                         layout.sheet_problems(header, sheet_kind, reporter))
    result.warnings += layout.layout_warnings(result, header, start, suspicious, data_rows)
    statement = stated.combine([cover_standard, stated.above_table(grid, header.top)]) if sheet_kind == "poverty" \
        else None
    check_totals(result, totals, _read_rows(result, data_rows, reporter, period, merge_problems, statement))
    return result


def _read_rows(result: SheetResult, data_rows: list, reporter, period: dt.date, merge_problems: dict,
               statement: stated.Statement | None = None) -> dict:
    """Type the data rows column by column, check them on read, match their communes; keep the rows
    without problems (column-wise typed values in `data`, the cells as written in `raw`)."""
    cells = convert.transpose(data_rows, {m.index for m in result.columns.values()
                                          if m.spec.value_type in convert.REPEATING and not m.spec.personal})
    excel_rows = [excel_row for excel_row, _ in data_rows]
    columns: dict[str, list] = {"excel_row": excel_rows}
    problems: dict[int, list[Problem]] = {}
    for key, mapped in result.columns.items():
        if mapped.spec.typed and mapped.parts:   # the local budget by level: the sum of its parts
            columns[key] = convert.summed_column(mapped, cells, data_rows, excel_rows, problems)
        elif mapped.spec.typed:
            values = convert.column_cells(cells, data_rows, mapped.index)
            columns[key] = convert.typed_column(mapped, excel_rows, values, problems)
    if result.sheet_kind == "poverty":   # the standard stated for every row (the rule book checks it by year)
        columns["poverty_standard"] = [statement] * len(excel_rows)
    _check_on_read(result, columns, problems, reporter, period)
    if result.sheet_kind == "poverty":   # loaded: the standard's id (raw.poverty), null where none was stated
        columns["poverty_standard_stated"] = [statement.standard_id if statement else None] * len(excel_rows)
        del columns["poverty_standard"]
    years = columns.get("review_year") if result.sheet_kind == "poverty" else None
    lists = communes.row_lists(result.sheet_kind, years, period, len(data_rows))
    columns["commune_code"] = communes.match_communes(result.columns, data_rows, cells, lists, years, reporter,
                                                      period, problems)
    columns["commune_list"] = lists
    for i, (excel_row, _) in enumerate(data_rows):
        if excel_row in merge_problems:
            problems.setdefault(i, []).extend(merge_problems[excel_row])
    for i in sorted(problems):
        result.problems.extend(problems[i])
    if result.sheet_kind == "poverty":
        result.rejected_keys = _rejected_keys(columns, sorted(problems))
    keep = [i for i in range(len(data_rows)) if i not in problems] if problems else None
    result.data = columns if keep is None else {key: [values[i] for i in keep] for key, values in columns.items()}
    for key, mapped in result.columns.items():
        if mapped.spec.value_type != "ignore" and not mapped.spec.personal:
            values = convert.column_cells(cells, data_rows, mapped.index, Ellipsis)
            result.raw[key] = values if keep is None else [values[i] for i in keep]
    return result.data


REJECTED_KEYS = ("excel_row", "commune_code", "commune_list", "review_year", "village")


def _rejected_keys(columns: dict, rejected: list[int]) -> list[dict]:
    """What the rejected poverty rows were about, as far as they could be read (a commune's figure that lost a
    village row is partial): raw.rejected_poverty_rows."""
    return [{key: columns[key][i] if key in columns else None for key in REJECTED_KEYS}
            for i in rejected if columns["commune_code"][i] is not None]


def _check_on_read(result: SheetResult, columns: dict, problems: dict[int, list[Problem]], reporter, period) -> None:
    """The rule book's OnRead rules over the typed rows: a failing row is rejected, its value quoted unless personal."""
    for rule in rulebook.on_read(result.sheet_kind):
        mapped = result.columns.get(rule.column)
        if mapped is None and rule.column in form.COVER_LABEL and rule.column in columns:
            header, index, personal = form.COVER_LABEL[rule.column].label, None, False   # stated for the sheet
        elif mapped is None:
            continue
        else:
            header, index, personal = mapped.header, mapped.index, mapped.spec.personal
        failing = rule.check.failing(columns, reporter, period)
        for i in failing:
            value = None if personal else str(columns[rule.column][i])
            fields = {"value": value, **(failing[i] if isinstance(failing, dict) else {})}
            problems.setdefault(i, []).append(Problem(
                columns["excel_row"][i], header, index, value,
                rule.reason.format(**fields), rule.reason_vi.format(**fields), rule.name))
