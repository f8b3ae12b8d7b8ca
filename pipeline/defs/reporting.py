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


def commune_era_summary(rows: list[tuple], months: int = GRID_MONTHS) -> str:
    """rows: (commune_code, commune_name, period, state) of the commune era (75 communes from 2025-07)
    -> markdown: per month the count of communes in each state, then the communes not on time."""
    periods = sorted({r[2] for r in rows})[-months:]
    counts: dict[tuple, int] = {}
    for _, _, period, state in rows:
        counts[(period, state)] = counts.get((period, state), 0) + 1
    states = ("on_time", "late", "missing", "rejected_only", "not_due")
    lines = ["| month | " + " | ".join(f"{GRID_SYMBOLS[s]} {s}" for s in states) + " |",
             "|---|" + "---|" * len(states)]
    for period in reversed(periods):
        lines.append(f"| {period:%Y-%m} | " + " | ".join(str(counts.get((period, s), 0)) for s in states) + " |")
    late = [(f"{r[2]:%Y-%m}", r[0], r[1], r[3]) for r in rows
            if r[2] in periods and r[3] in ("late", "missing", "rejected_only")]
    late.sort(key=lambda r: (r[0], r[1]), reverse=True)
    lines.append("")
    lines.append(md_table(["month", "commune", "name", "state"], late, limit=100) if late
                 else "Every commune due has reported on time.")
    return "\n".join(lines)


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
