"""Feedback workbooks for the clerks (a district's, or from 2025-07 a commune's): one per submission
with errors or warnings.

Read from the raw layer of the internal warehouse (raw.submissions, raw.rejected_rows,
raw.warnings) for the submissions of one run, so this stays decoupled from parsing, and from the
figures dbt found far from the unit's history (audit.outliers, once built: the feedback step runs
after dbt). A warning a load raised about an earlier submission (the other commune of a household
found in two) rewrites that submission's workbook too.
Written to <warehouse>/feedback/<unit>_<YYYY-MM>_v<version>_<id8>.xlsx, <unit> the district's
3-digit or the commune's 5-digit code (files that were rejected before their unit and month
were known: unknown_<submission_id>.xlsx).

Every text that came from a submission is written as a TEXT cell, never as a formula:
openpyxl turns any string starting with '=' into a live formula unless told otherwise.
Personal values never appear: raw.rejected_rows already holds NULL for personal columns.
Severities are the rule book's (pipeline/rulebook/): an error rejects the row, a warning does not.
"""
from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill

from pipeline import files
from pipeline.enumerations import ENUMERATIONS
from pipeline.rulebook import SEVERITIES
from pipeline.rulebook import history as history_rules
from pipeline.form import sheet_name
from pipeline.warehouse.store import built_schema, feedback_dir, table_exists

NEEDS_FEEDBACK = "outcome = 'rejected' or rows_rejected > 0 or warnings > 0"

SUMMARY_SHEET = "Tóm tắt - Summary"
PROBLEMS_SHEET = "Lỗi - Problems"
PROBLEM_HEADERS = [
    ("Trang tính", "Sheet"),
    ("Ô", "Cell"),
    ("Dòng", "Row"),
    ("Cột", "Column"),
    ("Giá trị đã ghi", "Value as written"),
    ("Lý do", "Reason (Vietnamese)"),
    ("Reason", "Reason (English)"),
    ("Mức độ", "Severity"),
]
SEVERITY_VI = {severity: f"{label_vi} / {severity}" for severity, (label_vi, _) in SEVERITIES.items()}
STATUS_VI = {code: vi for code, vi, _ in ENUMERATIONS["submission_status"]}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _unit_code(submission: dict) -> str | None:
    """The district's code (3 digits) or, on a commune's report (from 2025-07), the commune's (5 digits)."""
    return submission.get("unit_code") or submission.get("district_code")


def _is_commune(submission: dict) -> bool:
    return submission.get("unit_type") == "commune"


def feedback_name(submission: dict) -> str:
    sid = submission["submission_id"]
    period = submission.get("period")
    if not _unit_code(submission) or period is None:
        return f"unknown_{sid}.xlsx"
    return f"{_unit_code(submission)}_{period:%Y-%m}_v{submission.get('version') or 1}_{sid[:8]}.xlsx"


def _put(sheet, row: int, column: int, value, bold: bool = False):
    """Write one cell; any string is stored as text (never a formula)."""
    cell = sheet.cell(row=row, column=column)
    if value is None:
        return cell
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
        if value.startswith(_FORMULA_START):
            cell.quotePrefix = True
    else:
        cell.value = value
    if bold:
        cell.font = Font(bold=True)
    return cell


def _unit_rows(sub: dict) -> list[tuple[str, str, object]]:
    """Whose report it is: the commune for a commune's report, the district for a district's, and
    neither when the file said nothing of its unit or month."""
    if _is_commune(sub):
        return [("Mã xã", "Commune code", sub.get("unit_code") or "?"),
                ("Tên xã (đã ghi)", "Commune name (as written)", sub.get("unit_name_written"))]
    if sub.get("unit_type") is None and not sub.get("district_code"):
        return [("Đơn vị báo cáo", "Reporting unit", "?")]
    return [("Mã huyện", "District code", sub.get("district_code") or "?"),
            ("Tên huyện (đã ghi)", "District name (as written)",
             sub.get("district_name_written") or sub.get("unit_name_written"))]


def _title(sub: dict) -> str:
    """In the words of the unit the report is from (or, rejected before that was known, the one its month
    calls for): never a district's after 2025-06."""
    if _is_commune(sub):
        return "Phản hồi về báo cáo của xã / Feedback on the commune submission"
    if sub.get("unit_type") is None and not sub.get("district_code"):
        return "Phản hồi về báo cáo / Feedback on the submission"
    return "Phản hồi về báo cáo của huyện / Feedback on the district submission"


def _summary_rows(sub: dict, errors: int, warnings: int) -> list[tuple[str, str, object]]:
    period = sub.get("period")
    return [
        ("Tệp", "File name", sub["file_name"]),
        ("Mã báo cáo", "Submission id", sub["submission_id"]),
        *_unit_rows(sub),
        ("Kỳ báo cáo", "Reporting month", f"{period:%m/%Y}" if period else "?"),
        ("Lần gửi", "Version", sub.get("version")),
        ("Kết quả", "Status", f"{STATUS_VI.get(sub['status'], sub['status'])} / {sub['status']}"),
        ("Lý do", "Reason", sub.get("reason")),
        ("Số dòng đã đọc", "Rows read", sub.get("rows_read")),
        ("Số dòng đã nhận", "Rows loaded", sub.get("rows_loaded")),
        ("Số dòng bị loại", "Rows rejected", sub.get("rows_rejected")),
        ("Số dòng bỏ qua (trống, tổng, chữ ký)", "Rows skipped (blank, total, footer)", sub.get("rows_skipped")),
        ("Số lỗi", "Errors", errors),
        ("Số cảnh báo", "Warnings", warnings),
    ]


def _cell_label(sheet: str | None, cell: str | None, excel_row) -> str | None:
    if cell:
        return cell
    if sheet and excel_row is not None:
        return f"{sheet}!{excel_row}"
    return sheet or None


def build_workbook(sub: dict, problems: list[dict]) -> openpyxl.Workbook:
    errors = sum(1 for p in problems if p["severity"] == "error")
    warnings = len(problems) - errors
    workbook = openpyxl.Workbook()
    summary = workbook.active
    summary.title = SUMMARY_SHEET
    _put(summary, 1, 1, _title(sub), bold=True)
    for column, text in enumerate(["Mục", "Item", "Giá trị / Value"], start=1):
        _put(summary, 3, column, text, bold=True).fill = _HEADER_FILL
    for offset, (vi, en, value) in enumerate(_summary_rows(sub, errors, warnings)):
        _put(summary, 4 + offset, 1, vi)
        _put(summary, 4 + offset, 2, en)
        _put(summary, 4 + offset, 3, value)
    summary.column_dimensions["A"].width = 34
    summary.column_dimensions["B"].width = 34
    summary.column_dimensions["C"].width = 60

    sheet = workbook.create_sheet(PROBLEMS_SHEET)
    for column, (vi, en) in enumerate(PROBLEM_HEADERS, start=1):
        _put(sheet, 1, column, f"{vi} / {en}", bold=True).fill = _HEADER_FILL
    for index, problem in enumerate(problems, start=2):
        values = [
            problem["sheet"] or None,
            _cell_label(problem["sheet"], problem["cell"], problem["excel_row"]),
            problem["excel_row"],
            problem["column"],
            problem["value"],
            problem["reason_vi"] or problem["reason"],
            problem["reason"],
            SEVERITY_VI[problem["severity"]],
        ]
        for column, value in enumerate(values, start=1):
            cell = _put(sheet, index, column, value)
            cell.alignment = Alignment(wrap_text=column in (6, 7), vertical="top")
    for letter, width in zip("ABCDEFGH", (14, 16, 7, 24, 24, 60, 60, 24)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    return workbook


def _save_atomically(workbook: openpyxl.Workbook, target: Path) -> None:
    with files.atomic_output(target) as temp:
        workbook.save(temp)


def _dicts(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _outliers(con) -> str | None:
    """audit.outliers as dbt last built it (on PostgreSQL before publish: audit__build), None before it ever did."""
    schema = built_schema(con, "audit")
    return f"{schema}.outliers" if table_exists(con, schema, "outliers") else None


def _needs_feedback(con) -> str:
    """The ledger condition for a feedback workbook: a problem found on reading, or a figure to check."""
    if outliers := _outliers(con):
        return f"{NEEDS_FEEDBACK} or submission_id in (select submission_id from {outliers})"
    return NEEDS_FEEDBACK


def missing_feedback(con, warehouse_dir: Path) -> list[str]:
    """Submissions that need a feedback workbook but have none on disk.

    A load killed after a batch committed but before its feedback was written would
    otherwise never tell those districts anything: the next load does not see them as new.
    """
    folder = feedback_dir(Path(warehouse_dir))
    rows = _dicts(con.execute(
        "select submission_id, district_code, unit_type, unit_code, period, version from raw.submissions "
        f"where outcome <> 'duplicate' and ({_needs_feedback(con)})"))
    return [r["submission_id"] for r in rows if not (folder / feedback_name(r)).exists()]


def feedback_for_run(con, warehouse_dir: Path, run_id: str | None) -> list[dict]:
    """The feedback workbooks of a load: its new submissions, those it told something new (a warning raised
    by this load about an earlier submission), plus any an interrupted load left unwritten."""
    ids = [r[0] for r in con.execute("select submission_id from raw.submissions where run_id = ? union "
                                     "select submission_id from raw.warnings where run_id = ?",
                                     [run_id, run_id]).fetchall()]
    return write_feedback(con, warehouse_dir, sorted(set(ids) | set(missing_feedback(con, warehouse_dir))))


def _outlier_problems(con) -> list[dict]:
    """The figures to check (audit.outliers) of the submissions in _feedback_ids, as warnings."""
    outliers = _outliers(con)
    if not outliers:
        return []
    rows = _dicts(con.execute(
        "select submission_id, period, review_year, measure, programme, value, median, change_pct "
        f"from {outliers} where submission_id in (select submission_id from _feedback_ids)"))
    problems = []
    for row in rows:
        sheet_kind, column, message, message_vi = history_rules.outlier(row)
        problems.append({"submission_id": row["submission_id"], "sheet": sheet_name(sheet_kind), "excel_row": None,
                         "column": column, "cell": None, "value": f"{row['value']:,.0f}", "reason": message,
                         "reason_vi": message_vi, "severity": "warning"})
    return problems


def write_feedback(con, warehouse_dir: Path, submission_ids: list[str]) -> list[dict]:
    """Write a feedback workbook for each of these submissions that has errors or warnings.

    Returns one summary dict per workbook written (path, file, district, period, version,
    status, errors, warnings), for the run's metadata.
    """
    if not submission_ids:
        return []
    con.execute("drop table if exists _feedback_ids")   # (DuckDB's `create or replace` is its own)
    con.execute("create temp table _feedback_ids (submission_id varchar)")
    con.executemany("insert into _feedback_ids values (?)", [[s] for s in submission_ids])
    try:
        submissions = _dicts(con.execute(
            f"select * from raw.submissions where submission_id in (select submission_id from _feedback_ids) "
            f"and outcome <> 'duplicate' and ({_needs_feedback(con)}) order by file_name"))
        problems = _dicts(con.execute(
            """
            select submission_id, sheet, excel_row, "column", cell, value, reason, reason_vi, 'error' as severity
            from raw.rejected_rows where submission_id in (select submission_id from _feedback_ids)
            union all
            select submission_id, sheet, excel_row, "column", cell, value, message, message_vi, 'warning'
            from raw.warnings where submission_id in (select submission_id from _feedback_ids)
            order by submission_id, severity, sheet, excel_row nulls first, "column"
            """)) + _outlier_problems(con)
    finally:
        con.execute("drop table if exists _feedback_ids")
    by_submission: dict[str, list[dict]] = {}
    for problem in problems:
        by_submission.setdefault(problem["submission_id"], []).append(problem)

    folder = feedback_dir(Path(warehouse_dir))
    files.remove_stale_temps(folder)   # of a killed load (callers hold the warehouse lock)
    written = []
    for sub in submissions:
        found = by_submission.get(sub["submission_id"], [])
        if sub["outcome"] == "rejected" and not any(p["severity"] == "error" for p in found):
            # a whole-file rejection: its reason is the problem
            found = [{"submission_id": sub["submission_id"], "sheet": None, "excel_row": None, "column": None,
                      "cell": None, "value": None, "reason": sub["reason"] or "rejected",
                      "reason_vi": None, "severity": "error"}, *found]
        path = folder / feedback_name(sub)
        _save_atomically(build_workbook(sub, found), path)
        period = sub.get("period")
        written.append({
            "path": str(path), "file_name": sub["file_name"], "submission_id": sub["submission_id"],
            "district": sub.get("district_code"), "unit_type": sub.get("unit_type"), "unit_code": _unit_code(sub),
            "period": f"{period:%Y-%m}" if period else None,
            "version": sub.get("version"), "status": sub["status"], "reason": sub.get("reason"),
            "errors": sum(1 for p in found if p["severity"] == "error"),
            "warnings": sum(1 for p in found if p["severity"] == "warning"),
        })
    return written
