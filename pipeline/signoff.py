"""Sign-off from the command line: `approve` / `unapprove` (the Dagster job `approve` in this process, holding
the warehouse, as a load does), `approvals` (who is approved, what waits) and `figures` (the headline figures
as published on a day). Exit codes are pipeline/cli.py's: 0 done (also "already approved"), 2 bad input
(nothing written), 3 a load holds the warehouse (the CLI's lock), 4 failed."""
from __future__ import annotations

import datetime as dt
import logging
import os
import time
from pathlib import Path

from pipeline import config, runlog
from pipeline.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from pipeline.warehouse import approvals, figures, state, store


def approve(console, warehouse_dir: Path, url: str | None, request: approvals.Request) -> int:
    """Check the request against the warehouse (bad input: exit 2, nothing written), then record it, rebuild
    and publish through the job `approve` (the caller builds the report afterwards, in another process); the
    caller holds the warehouse lock."""
    started, log = time.monotonic(), logging.getLogger("pipeline.load")
    if not url and not store.internal_path(warehouse_dir).exists():
        console.error(f"no warehouse at {warehouse_dir}: run `python -m pipeline load` first (or give --warehouse)")
        return EXIT_USAGE
    con = store.connect(warehouse_dir, url=url)
    try:
        decisions = approvals.plan(con, request, config.local_today())
        current = state.published_is_current(con, warehouse_dir)
    except approvals.ApprovalError as refused:
        console.error(str(refused))
        return EXIT_USAGE
    finally:
        con.close()
    # already approved (or not approved, for unapprove): nothing to do, unless an approval recorded by a sign-off
    # that was stopped before it published still waits to be published
    if not any(d.records for d in decisions) and current:
        console.summary("\n".join(["Sign-off: nothing to change", *(f"  {d.line()}" for d in decisions)]))
        return EXIT_OK
    console.open_log(runlog.new_log_path(warehouse_dir, kind="approve"))
    runlog.prune(warehouse_dir, pattern="approve-*.log")
    log.info(f"{request.action}: {request}")
    try:
        success = _run_job(console, warehouse_dir, url, request)
    except Exception as raised:   # a clear message, not a traceback (in the log); re-raised with PIPELINE_DEBUG=1
        if os.environ.get("PIPELINE_DEBUG"):
            raise
        log.exception("the sign-off failed")
        console.error(f"the sign-off failed: {type(raised).__name__}: {raised} (details in {console.log_path})")
        return EXIT_FAILED
    lines = [f"Sign-off ({time.monotonic() - started:.1f} s)", *(f"  {d.line()}" for d in decisions)]
    if not success:
        console.summary("\n".join(lines + [f"  log: {console.log_path}"]))
        console.error("the sign-off did not complete; see the messages above and the log")
        return EXIT_FAILED
    lines += _published_lines(warehouse_dir, url)
    console.summary("\n".join(lines + [f"  log: {console.log_path}"]))
    return EXIT_OK


def _run_job(console, warehouse_dir: Path, url: str | None, request: approvals.Request) -> bool:
    from pipeline import transform

    transform.prepare()
    import dagster as dg

    from pipeline.defs.automation import REPORT_TAG, REPORTED_BY_COMMAND_LINE
    from pipeline.defs.resources import WarehouseResource
    from pipeline.definitions import defs

    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    job = defs.resolve_job_def("approve").with_logger_defs({"console": console.dagster_logger()})
    console.expect(list(job.graph.node_names()))
    sign_off = {"action": request.action, "periods": [f"{p:%Y-%m}" for p in request.periods],
                "units": list(request.units), "by": request.by, "as_of": request.as_of and request.as_of.isoformat(),
                "as_of_day": request.as_of_day, "note": request.note}
    try:
        result = job.execute_in_process(
            instance=instance, raise_on_error=False,
            resources={"warehouse": WarehouseResource(sources_dir=str(config.default_sources_dir()),
                                                      warehouse_dir=str(warehouse_dir), warehouse_url=url,
                                                      take_lock=False)},
            run_config={"loggers": {"console": {"config": {"log_level": "DEBUG"}}},
                        "ops": {"sign_off": {"config": sign_off}}},
            tags={REPORT_TAG: REPORTED_BY_COMMAND_LINE})   # the command line builds the report itself
    finally:
        console.finish()
    return result.success


def _published_lines(warehouse_dir: Path, url: str | None) -> list[str]:
    """What the publish left: the pending revisions, where BI reads, the province's figures as published."""
    con = store.connect_published(warehouse_dir, url)
    try:
        pending = con.execute("select count(distinct submission_id) from audit.pending_revisions").fetchone()[0]
        shown = figures.as_of(con, config.local_now().replace(tzinfo=None))
    finally:
        con.close()
    where = "PostgreSQL (schemas marts, audit)" if url else str(store.bi_path(warehouse_dir))
    return [f"  pending revisions: {pending} file(s) wait for the province's approval (python -m pipeline approvals)",
            f"  published warehouse: {where}", *(f"  {line}" for line in shown.lines())]


# --- reading what is published ----------------------------------------------------------------------------------

def approvals_lines(con, period: dt.date | None) -> list[str]:
    """`approvals`: a month's units x state with what is pending, or every month's counts and every pending file."""
    if period is not None:
        rows = con.execute("""
            select c.unit_type, c.unit_code, u.unit_name, c.state, c.approval_status, a.approved_at, a.approved_by,
                   a.as_of, a.times_approved
            from marts.agg_submission_completeness as c
            left join marts.dim_reporting_unit as u on u.unit_type = c.unit_type and u.unit_code = c.unit_code
            left join marts.fct_approvals as a
                on a.unit_type = c.unit_type and a.unit_code = c.unit_code and a.period = c.period
            where c.period = cast(? as date)
            order by c.unit_type desc, c.unit_code""", [period.isoformat()]).fetchall()
        if not rows:
            return [f"Sign-off of {period:%Y-%m}: no unit was due that month in the published warehouse"]
        states = {s: sum(1 for r in rows if r[4] == s) for s in ("approved", "pending", "provisional")}
        lines = [f"Sign-off of {period:%Y-%m}: {len(rows)} units, " + ", ".join(f"{s} {n}" for s, n in states.items()),
                 f"  {'unit':<9}{'name':<28}{'sign-off':<13}{'report':<15}approved"]
        for unit_type, code, name, state, status, at, by, as_of, times in rows:
            when = f"{at:%Y-%m-%d %H:%M} by {by}, as of {as_of}" + (f" ({times}x)" if times and times > 1 else "") \
                if at else ""
            lines.append(f"  {code:<9}{(name or '')[:27]:<28}{status:<13}{state:<15}{when}")
    else:
        months = con.execute("""
            select period, count(*), sum(case when approval_status = 'approved' then 1 else 0 end),
                   sum(case when approval_status = 'pending' then 1 else 0 end)
            from marts.agg_submission_completeness group by period
            having sum(case when approval_status <> 'provisional' then 1 else 0 end) > 0
            order by period""").fetchall()
        lines = [f"Months signed off: {len(months)}" + (" (units: approved, pending, of those due)" if months else "")]
        lines += [f"  {p:%Y-%m}: {a} approved, {w} pending, of {n}" for p, n, a, w in months]
    return lines + _pending_lines(con, period)


def _pending_lines(con, period: dt.date | None) -> list[str]:
    where, params = ("where period = cast(? as date)", [period.isoformat()]) if period else ("", [])
    rows = con.execute(f"""
        select unit_code, period, sheet_kind, file_name, version, prepared_on, rows_added, rows_removed, rows_changed,
               figures_before_after, commune_code, review_year
        from audit.pending_revisions {where}
        order by period, unit_code, sheet_kind, file_name""", params).fetchall()
    lines = [f"Pending revisions (files that await the province's approval): {len(rows)}"]
    for code, month, kind, file_name, version, prepared, added, removed, changed, change, commune, year in rows:
        scope = f"commune {commune}, {year} review" if kind == "poverty" else kind
        lines.append(f"  {code} {month:%Y-%m} {scope}: {file_name} (Lần gửi {version or 1}"
                     + (f", prepared {prepared:%d/%m/%Y}" if prepared else "") + f"): rows added {added}, removed "
                     f"{removed}, changed {changed}" + (f"; {change}" if change else ""))
    if rows:
        lines.append("  approve the month again to adopt them: python -m pipeline approve --period YYYY-MM --unit CODE "
                     "--by OFFICE")
    return lines
