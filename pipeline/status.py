"""`python -m pipeline status`: the operator's morning in one screen.

The last load (from its log: a load that failed published nothing), who is late or missing in the two
latest months already due and in the month now due (by name), the files the latest load that received
files rejected, with their reasons, and, once those tables are published, the outliers to check and
the months waiting for approval. Reads the published warehouse (bi.duckdb, or the database on
PostgreSQL) and the logs only, never the internal warehouse: it answers while a load holds it.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pipeline import config, runlog
from pipeline.warehouse import completeness, store

NAMES_SHOWN = 10      # units named per state and month in the text (all of them in --json)
OUTLIERS_SHOWN = 10
OUTLIER_COLUMNS = ("unit_type", "unit_code", "period", "review_year", "measure", "value", "median", "score")


def gather(warehouse_dir: Path, url: str | None = None, today: dt.date | None = None) -> dict:
    """Everything `status` says, as plain data (what --json prints)."""
    today = today or config.local_today()
    loads = runlog.recent_loads(warehouse_dir)
    report: dict = {"warehouse": str(warehouse_dir), "today": today.isoformat(), "timezone": config.LOCAL_TIMEZONE,
                    "due_day": config.due_day(), "last_load": _load(loads[0]) if loads else None,
                    "rejected_files": _rejected(loads)}
    con = _published(warehouse_dir, url)
    if con is None:
        report["published"] = None
        return report
    try:
        report["published"] = str(warehouse_dir / "bi.duckdb") if not url else "PostgreSQL (schemas marts, audit)"
        months = completeness.recent_months(con, today)
        due = completeness.latest_due(months, today)
        now = completeness.month_now_due(today)
        report["completeness"] = [m.as_dict() for m in due]
        report["month_now_due"] = next((m.as_dict() for m in months if m.period == now and m not in due), None)
        if store.table_exists(con, "audit", "outliers"):
            report["outliers"] = _outliers(con)
        if store.table_exists(con, "marts", "fct_approvals"):
            report["approvals"] = _approvals(con, [m for m in months if m.is_due(today)])
    finally:
        con.close()
    return report


def _published(warehouse_dir: Path, url: str | None):
    """A read-only connection to what BI reads; None when nothing is published yet."""
    if url:
        return store.connect(warehouse_dir, read_only=True, url=url)
    path = warehouse_dir / "bi.duckdb"
    if not path.exists():
        return None
    import duckdb

    return duckdb.connect(str(path), read_only=True)


def _load(record: runlog.LoadRecord) -> dict:
    started, finished = record.started, record.finished
    return {"log": str(record.path), "state": record.state, "started": started.get("started"),
            "ended": finished.get("ended"), "exit": finished.get("exit"), "outcome": finished.get("outcome"),
            "seconds": finished.get("seconds"),
            **{key: finished.get(key) for key in ("files_found", "new_entries", "rows_loaded", "rows_rejected",
                                                  "files_rejected", "failed_steps")}}


def _rejected(loads: list[runlog.LoadRecord]) -> dict | None:
    """The files rejected by the latest load that received any file (a quiet night receives none)."""
    for record in loads:
        if record.finished.get("new_entries"):
            return {"load_started": record.started.get("started"), "log": str(record.path),
                    "files": record.finished.get("rejected", [])}
    return None


def _outliers(con) -> dict:
    present = [c for c, in con.execute("select column_name from information_schema.columns where "
                                        "table_schema = 'audit' and table_name = 'outliers'").fetchall()]
    columns = [c for c in OUTLIER_COLUMNS if c in present]
    order = [f"{c} desc nulls last" for c in ("period", "review_year") if c in present]
    order += ["abs(score) desc nulls last"] if "score" in present else []
    total = con.execute("select count(*) from audit.outliers").fetchone()[0]
    rows = con.execute(f"select {', '.join(columns)} from audit.outliers "
                       f"{'order by ' + ', '.join(order) if order else ''} limit {OUTLIERS_SHOWN}").fetchall()
    return {"count": total, "latest": [{c: _plain(v) for c, v in zip(columns, row)} for row in rows]}


def _approvals(con, months: list[completeness.Month]) -> dict:
    """Months due whose received unit-months are not all approved yet, newest first."""
    approved = {(t, c, p) for t, c, p in con.execute(
        "select unit_type, unit_code, period from marts.fct_approvals where state = 'approved'").fetchall()}
    waiting = []
    for month in months:
        received = month.in_state("on_time", "late")
        pending = [u for u in received if (u.unit_type, u.unit_code, month.period) not in approved]
        if pending:
            waiting.append({"period": f"{month.period:%Y-%m}", "received": len(received), "waiting": len(pending)})
    revisions = (con.execute("select count(distinct submission_id) from audit.pending_revisions").fetchone()[0]
                 if store.table_exists(con, "audit", "pending_revisions") else None)
    return {"months_waiting": waiting, "pending_revisions": revisions}


def _plain(value):
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


# --- as text ---------------------------------------------------------------------------------------

def render(report: dict) -> str:
    lines = [f"Status of {report['warehouse']} ({report['today']}, {report['timezone']})"]
    lines += _load_lines(report.get("last_load"))
    if report.get("published") is None:
        lines.append("Published warehouse: none yet (run `python -m pipeline load`)")
    else:
        lines += _completeness_lines(report)
    lines += _rejected_lines(report.get("rejected_files"))
    if "outliers" in report:
        outliers = report["outliers"]
        lines.append(f"Outliers to check: {outliers['count']}" + (" (the latest first)" if outliers["count"] else ""))
        for o in outliers["latest"]:
            when = o.get("period") or o.get("review_year") or ""
            lines.append(f"  {str(when)[:7]} {o.get('unit_code', '')} {o.get('measure', '')}: {o.get('value')} "
                         f"(median {o.get('median')}, score {o.get('score')})")
    if "approvals" in report:
        approvals = report["approvals"]
        waiting = approvals["months_waiting"]
        lines.append("Months waiting for approval: " + (", ".join(
            f"{m['period']} ({m['waiting']} of {m['received']} received)" for m in waiting) if waiting else "none"))
        if approvals["pending_revisions"] is not None:
            lines.append(f"  pending revisions: {approvals['pending_revisions']} file(s) await the province's approval "
                         "(python -m pipeline approvals)")
    return "\n".join(lines)


def _load_lines(load: dict | None) -> list[str]:
    if load is None:
        return ["Last load: none recorded (no log under <warehouse>/logs/)"]
    when = _when(load["started"])
    if load["state"] != "finished":
        what = "running now" if load["state"] == "running" else "did not finish (killed, or the machine stopped)"
        return [f"Last load: started {when}, {what}", f"  log: {load['log']}"]
    outcome = {0: "completed", 1: "completed, strict: something was rejected", 4: "FAILED"}.get(load["exit"], "")
    return [f"Last load: {when}, exit {load['exit']} ({load.get('outcome') or outcome}), {load['seconds']} s",
            f"  {load.get('files_found') or 0} files found, {load.get('new_entries') or 0} new ledger entries, "
            f"{load.get('rows_loaded') or 0} rows loaded, {load.get('rows_rejected') or 0} rows rejected, "
            f"{load.get('files_rejected') or 0} files rejected",
            f"  log: {load['log']}"]


def _completeness_lines(report: dict) -> list[str]:
    lines = [f"Completeness (due on day {report['due_day']} of the following month):"]
    for month in [*report.get("completeness", []), *([report["month_now_due"]] if report.get("month_now_due") else [])]:
        counts = month["counts"]
        due = dt.date.fromisoformat(month["due_date"])
        head = f"  {month['period']} (due {due:%d/%m/%Y}): {month['units']} units, "
        if counts["not_due"] and not any(counts[s] for s in ("missing", "rejected_only")):
            received = month["units"] - counts["not_due"]
            lines.append(head + f"not due yet, {received} sent so far")
            continue
        lines.append(head + ", ".join(f"{counts[s]} {s.replace('_', ' ')}" for s in completeness.STATES
                                      if counts[s]))
        for state in completeness.LATE_STATES:
            units = month[state]
            if units:
                names = ", ".join(_unit(u) for u in units[:NAMES_SHOWN])
                more = f" … and {len(units) - NAMES_SHOWN} more" if len(units) > NAMES_SHOWN else ""
                lines.append(f"    {state.replace('_', ' ')}: {names}{more}")
    return lines


def _unit(unit: dict) -> str:
    late = f" ({unit['days_late']} days)" if unit.get("days_late") else ""
    return f"{unit['unit_code']} {unit['unit_name'] or ''}".strip() + late


def _rejected_lines(rejected: dict | None) -> list[str]:
    if rejected is None:
        return ["Files rejected: no load with new files in the kept logs"]
    files = rejected["files"]
    whole = sum(f["outcome"] == "rejected" for f in files)
    lines = [f"Files rejected by the load of {_when(rejected['load_started'])}: {whole}, and {len(files) - whole} "
             "loaded with rows rejected" if files else f"Files rejected by the load of {_when(rejected['load_started'])}: none"]
    for f in files:
        what = "rejected: " if f["outcome"] == "rejected" else ""
        lines.append(f"  {f['file']} ({f['unit'] or '?'}, {f['period'] or '?'}): {what}{f['reason']}")
    return lines


def _when(iso: str | None) -> str:
    if not iso:
        return "(unknown time)"
    return dt.datetime.fromisoformat(iso).astimezone(config.LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def as_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=1, default=str)
