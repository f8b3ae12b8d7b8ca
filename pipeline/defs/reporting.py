"""What the Dagster UI shows about a run, built in one place: markdown tables and metadata values.

The SQL reads the warehouse through a connection the caller opened; rendering is pure.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg

from pipeline.form import DATA_SHEETS

PREVIEW_ROWS = 10
GRID_MONTHS = 12
GRID_SYMBOLS = {"on_time": "✓", "late": "L", "missing": "✗", "rejected_only": "R", "not_due": "·"}


def md_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        value = round(value, 4)
    return str(value).replace("|", "\\|").replace("\n", " ")


def md_table(columns: list[str], rows: list[tuple], limit: int | None = None, total: int | None = None) -> str:
    """A markdown table (the UI renders MetadataValue.md); rows past `limit` are counted, not shown."""
    shown = rows if limit is None else rows[:limit]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(md_cell(v) for v in row) + " |" for row in shown]
    total = len(rows) if total is None else total
    if total > len(shown):
        lines.append(f"\n… {total - len(shown)} more rows")
    return "\n".join(lines)


def files_by_status(con, table: str) -> str:
    rows = con.execute(f"select status, count(*) from {table} group by 1 order by 2 desc, 1").fetchall()
    return md_table(["status", "files"], rows)


def submissions_markdown(entries: list[dict], limit: int = 50) -> str:
    rows = [(e["file_name"], e["district_code"], e["period"].strftime("%Y-%m") if e["period"] else "",
             e["version"], e["outcome"], e["rows_read"], e["rows_loaded"], e["rows_rejected"], e["rows_skipped"])
            for e in entries]
    return md_table(["file", "district", "period", "v", "status", "read", "loaded", "rejected", "skipped"],
                    rows, limit=limit)


def sheet_reports(con, submission_ids: list[str], limit: int = 50) -> dict[str, str]:
    """This run's rows read/loaded/rejected/skipped per submission: one markdown table per sheet kind."""
    if not submission_ids:
        return {}
    rows = con.execute(
        "select ss.sheet, s.file_name, s.district_code, s.period, s.status, "
        "ss.rows_read, ss.rows_loaded, ss.rows_rejected, ss.rows_skipped, ss.warnings "
        "from raw.submission_sheets ss join raw.submissions s using (submission_id) "
        "where ss.submission_id = any(?) "   # (the same on DuckDB and PostgreSQL)
        "order by ss.sheet, s.district_code, s.period, s.file_name", [submission_ids]).fetchall()
    rows = [(*row[:3], f"{row[3]:%Y-%m}" if row[3] else None, *row[4:]) for row in rows]
    columns = ["file", "district", "period", "status", "read", "loaded", "rejected", "skipped", "warnings"]
    reports = {}
    for kind in DATA_SHEETS:
        kind_rows = [row[1:] for row in rows if row[0] == kind]
        if not kind_rows:
            continue
        sums = tuple(sum(r[i] or 0 for r in kind_rows) for i in range(4, 9))
        totals = ("**total**", "", "", f"{len(kind_rows)} files", *sums)
        if len(kind_rows) <= limit:
            reports[kind] = md_table(columns, [*kind_rows, totals])
        else:
            reports[kind] = md_table(columns, kind_rows, limit=limit) + "\n\n" + md_table(columns, [totals])
    return reports


def problem_files(con, limit: int = 200) -> tuple[int, str]:
    """Every file of the whole ledger with a problem (rejected, rows rejected, warnings, a duplicate),
    newest first: file, unit, period, status, reason, rows rejected, warnings, its feedback workbook
    (in <warehouse>/feedback/).
    (count, markdown). On every ledger materialization, so a rejection stays in view after its night."""
    from pipeline.feedback import NEEDS_FEEDBACK, feedback_name
    from pipeline.warehouse.summary import file_reason

    cursor = con.execute(
        "select s.submission_id, s.file_name, s.unit_type, coalesce(s.unit_code, s.district_code) as unit_code, "
        "s.district_code, s.period, s.version, s.status, s.reason, s.rows_rejected, s.warnings, "
        "r.first_reason, r.reasons, s.outcome "
        f"from (select * from raw.submissions where {NEEDS_FEEDBACK} or outcome = 'duplicate') as s "
        "left join (select submission_id, min(reason) as first_reason, count(distinct reason) as reasons "
        "from raw.rejected_rows group by submission_id) as r on r.submission_id = s.submission_id "
        "order by s.received_at desc, s.file_name")
    names = [d[0] for d in cursor.description]
    entries = [dict(zip(names, row)) for row in cursor.fetchall()]
    rows = []
    for e in entries:
        reason = file_reason(e["reason"], e["rows_rejected"], e["first_reason"], e["reasons"])
        # named as the feedback step of this run writes it (after this one), under <warehouse>/feedback/
        workbook = "" if e["outcome"] == "duplicate" else feedback_name(e)
        rows.append((e["file_name"], e["unit_code"], f"{e['period']:%Y-%m}" if e["period"] else "", e["status"],
                     reason, e["rows_rejected"], e["warnings"], workbook))
    columns = ["file", "unit", "period", "status", "reason", "rows rejected", "warnings", "feedback workbook"]
    return len(rows), md_table(columns, rows, limit=limit)


def rule_findings(con, submission_ids: list[str], limit: int = 10) -> dict[tuple[str, str], str]:
    """This run's first rejected rows ("error") and warnings ("warning") per sheet kind, as markdown:
    what the rule checks found, row by row (personal values are already withheld in the raw layer)."""
    found: dict[tuple[str, str], str] = {}
    if not submission_ids:
        return found
    for severity, table, text in (("error", "raw.rejected_rows", "reason"), ("warning", "raw.warnings", "message")):
        rows = con.execute(
            f"select t.sheet_kind, s.file_name, t.cell, t.\"column\", t.value, t.{text} from {table} as t "
            "join raw.submissions as s using (submission_id) where t.submission_id = any(?) "
            "order by t.sheet_kind, s.file_name, t.excel_row", [submission_ids]).fetchall()
        for kind in DATA_SHEETS:
            kind_rows = [row[1:] for row in rows if row[0] == kind]
            if kind_rows:
                found[(kind, severity)] = md_table(["file", "cell", "column", "value", text], kind_rows, limit=limit)
    return found


def feedback_markdown(written: list[dict], limit: int = 100) -> str:
    return md_table(["file", "district", "period", "status", "errors", "warnings", "feedback workbook"],
                    [(f["file_name"], f["district"], f["period"], f["status"], f["errors"], f["warnings"],
                      Path(f["path"]).name) for f in written], limit=limit)


def published_previews(con) -> dict[str, Any]:
    """Files by status and the first rows of every mart, read from what BI reads (a read-only
    connection to bi.duckdb, or to the database on PostgreSQL)."""
    metadata: dict[str, Any] = {"files_by_status": dg.MetadataValue.md(files_by_status(con, "audit.submissions"))}
    marts = [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1").fetchall()]
    for table in marts:
        cursor = con.execute(f'select * from marts."{table}" limit {PREVIEW_ROWS}')
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
        total = con.execute(f'select count(*) from marts."{table}"').fetchone()[0]
        metadata[f"preview_{table}"] = dg.MetadataValue.md(md_table(columns, rows, total=total))
        metadata[f"rows_{table}"] = total
    return metadata


def completeness_months(months: list, today, names: int = 8) -> str:
    """Completeness per month, newest first (pipeline.warehouse.completeness.Month): units due and how
    many are in each state, and who is late, missing or sent only rejected files, by name."""
    rows = []
    for month in months:
        counts = month.counts()
        late = month.in_state("late", "missing", "rejected_only")
        who = ", ".join(f"{u.label} ({u.state.replace('_', ' ')})" for u in late[:names])
        who += f" … and {len(late) - names} more" if len(late) > names else ""
        label = f"{month.period:%Y-%m}" + ("" if month.is_due(today) else " (now due)")
        rows.append((label, f"{month.due_date:%d/%m/%Y}", len(month.units),
                     *(counts[state] for state in ("on_time", "late", "missing", "rejected_only", "not_due")), who))
    return md_table(["month", "due", "units", f"{GRID_SYMBOLS['on_time']} on time", "L late", "✗ missing",
                     "R only rejected", "· not due yet", "late, missing or only rejected"], rows)


def late_or_missing(months: list, limit: int = 100) -> str:
    """Every unit late, missing or with only rejected files in these months, newest first, by name."""
    rows = [(f"{m.period:%Y-%m}", u.unit_type, u.unit_code, u.unit_name, u.state, u.days_late)
            for m in months for u in m.in_state("late", "missing", "rejected_only")]
    if not rows:
        return "Every unit due in these months has reported on time."
    return md_table(["month", "unit type", "code", "name", "state", "days late"], rows, limit=limit)


def completeness_grid(rows: list[tuple], months: int = GRID_MONTHS) -> str:
    """rows: (unit_code, period, state) -> markdown grid, units x the latest `months` months."""
    periods = sorted({r[1] for r in rows})[-months:]
    cells = {(r[0], r[1]): r[2] for r in rows}
    units = sorted({r[0] for r in rows})
    lines = ["| district | " + " | ".join(p.strftime("%Y-%m") for p in periods) + " |",
             "|---|" + "---|" * len(periods)]
    for unit in units:
        marks = [GRID_SYMBOLS.get(cells.get((unit, p), ""), "?") for p in periods]
        lines.append(f"| {unit} | " + " | ".join(marks) + " |")
    lines.append("\n✓ on time · L late · ✗ missing · R only rejected files · · not due yet")
    return "\n".join(lines)
