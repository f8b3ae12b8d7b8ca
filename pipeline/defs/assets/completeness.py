"""submission_completeness: who has reported which month, for the operators (read from what BI reads),
and a warning check naming the units missing from the latest month due."""
import dagster as dg

from pipeline.config import LOCAL_TIMEZONE, due_day, local_today
from pipeline.defs import reporting
from pipeline.defs.assets.publish import bi_warehouse
from pipeline.defs.resources import WarehouseResource
from pipeline.warehouse import completeness

MISSING_CHECK = "latest_month_due_complete"


@dg.asset(deps=[bi_warehouse], group_name="ops", kinds={"duckdb"},
          check_specs=[dg.AssetCheckSpec(
              MISSING_CHECK, asset="submission_completeness",
              description=f"Warns when a reporting unit has sent no usable report for the latest month already due "
                          f"(due on day {due_day()} of the following month, {LOCAL_TIMEZONE}): the metadata names "
                          "each unit missing, or with only rejected files, and how many days late it is.")])
def submission_completeness(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Who has reported which month: the latest 12 months up to the month now due, newest first, with
    each unit late, missing or with only rejected files by name (marts.rpt_completeness, else
    marts.agg_submission_completeness, read from bi.duckdb or the database on PostgreSQL). A month is
    due on day 10 of the following month; days are Asia/Ho_Chi_Minh days, whatever the browser shows.
    Below: the district era (to 2025-06) as a district x month grid."""
    today = local_today()
    with warehouse.published() as con:
        months = completeness.recent_months(con, today)
        grid_rows = con.execute("select unit_code, period, state from marts.agg_submission_completeness "
                                "where unit_type = 'district' order by 1, 2").fetchall()
        states = dict(con.execute("select state, count(*) from marts.agg_submission_completeness "
                                  "group by 1").fetchall())
        window = con.execute("select min(period), max(period) from marts.agg_submission_completeness").fetchone()
        signed_off = _sign_off(con)
    [latest] = completeness.latest_due(months, today, count=1) or [None]
    now_due = next((m for m in months if not m.is_due(today)), None)
    metadata = {
        "months": dg.MetadataValue.md(reporting.completeness_months(months, today)),
        "latest_month_due": _month_line(latest),
        "month_now_due": _month_line(now_due),
        "late_or_missing": dg.MetadataValue.md(reporting.late_or_missing(months)),
        "today": f"{today.isoformat()} ({LOCAL_TIMEZONE})",
        "grid": dg.MetadataValue.md(reporting.completeness_grid(grid_rows)),
        "window": f"{window[0]:%Y-%m} … {window[1]:%Y-%m}" if window[0] else "",
        **{f"months_{name}": count for name, count in sorted(states.items())},
        **signed_off,
    }
    missing = latest.in_state("missing", "rejected_only") if latest else []
    check = dg.AssetCheckResult(
        check_name=MISSING_CHECK, passed=not missing, severity=dg.AssetCheckSeverity.WARN,
        description=(f"{len(missing)} of {len(latest.units)} units sent no usable report for {latest.period:%Y-%m}"
                     if missing else "every unit due has reported" if latest else "no month is due yet"),
        metadata={"month": _month_line(latest),
                  "missing": dg.MetadataValue.md(reporting.md_table(
                      ["code", "name", "state", "days late"],
                      [(u.unit_code, u.unit_name, u.state, u.days_late) for u in missing]) if missing else "none")})
    return dg.MaterializeResult(metadata=metadata, check_results=[check])


def _sign_off(con) -> dict:
    """The province's sign-off of the latest 12 months (units approved, pending, provisional) and the files that
    await its approval."""
    months = con.execute(
        "select period, sum(case when approval_status = 'approved' then 1 else 0 end), "
        "sum(case when approval_status = 'pending' then 1 else 0 end), "
        "sum(case when approval_status = 'provisional' then 1 else 0 end) "
        "from marts.agg_submission_completeness group by period order by period desc limit 12").fetchall()
    pending = con.execute(
        "select unit_code, period, sheet_kind, file_name, figures_before_after from audit.pending_revisions "
        "order by period, unit_code, sheet_kind").fetchall()
    return {"sign_off": dg.MetadataValue.md(reporting.md_table(
                ["month", "approved", "pending", "provisional"],
                [(f"{p:%Y-%m}", a, w, n) for p, a, w, n in months])),
            "pending_revisions": dg.MetadataValue.md(reporting.md_table(
                ["unit", "month", "sheet", "file", "before -> after"],
                [(u, f"{p:%Y-%m}", k, f, c or "") for u, p, k, f, c in pending]) if pending else "none"),
            "pending_revisions_count": len({row[3] for row in pending})}


def _month_line(month) -> str:
    if month is None:
        return "none"
    counts = month.counts()
    sent = len(month.units) - counts["missing"] - counts["rejected_only"] - counts["not_due"]
    return (f"{month.period:%Y-%m}, due {month.due_date:%d/%m/%Y}: {sent} of {len(month.units)} units sent a usable "
            f"report ({counts['late']} late), {counts['missing']} missing, {counts['rejected_only']} only rejected")
