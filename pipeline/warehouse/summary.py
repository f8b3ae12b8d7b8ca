"""The end-of-run summary, read from the ledger (what the reporting units' files came to)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.warehouse import store

STATUSES = ["accepted", "accepted_with_errors", "rejected", "duplicate", "superseded"]


@dataclass
class LedgerSummary:
    warehouse_dir: Path
    by_status: dict[str, int]
    last_run: dict[str, int]
    rows: dict[str, int]
    warehouse_url: str | None = None
    rejected_files: list[dict] = field(default_factory=list)   # this run's files rejected, or with rows rejected

    @property
    def anything_rejected(self) -> bool:
        """In this run (old rejections must not fail every later night)."""
        return self.last_run.get("files_rejected", 0) > 0 or self.last_run.get("rows_rejected", 0) > 0

    def text(self, seconds: float) -> str:
        bi = store.bi_path(self.warehouse_dir)
        published = bi if bi.exists() else "(not published yet)"
        if self.warehouse_url:   # BI reads the database itself
            from pipeline.warehouse.pg import display_url

            published = f"{display_url(self.warehouse_url)} (schemas marts, audit)"
        lines = [
            f"Summary ({seconds:.1f} s)",
            "  files by status (whole ledger): "
            + ", ".join(f"{s} {self.by_status.get(s, 0)}" for s in STATUSES),
            f"  this run: {self.last_run.get('entries', 0)} new ledger entries, "
            f"{self.last_run.get('rows_loaded', 0)} rows loaded, {self.last_run.get('rows_rejected', 0)} rejected",
            f"  rows in the ledger: read {self.rows.get('rows_read', 0)}, loaded {self.rows.get('rows_loaded', 0)}, "
            f"rejected {self.rows.get('rows_rejected', 0)}, skipped {self.rows.get('rows_skipped', 0)}",
            f"  published warehouse: {published}",
        ]
        if self.warehouse_url or bi.exists():
            lines += figure_lines(lambda: store.connect_published(self.warehouse_dir, self.warehouse_url))
        return "\n".join(lines)


def ledger_summary(warehouse_dir: Path, run_id: str | None = None, url: str | None = None) -> LedgerSummary:
    """The ledger's state; 'this run' = the entries the load `run_id` received (none if None)."""
    if not url and not store.internal_path(warehouse_dir).exists():
        return LedgerSummary(warehouse_dir, {}, {}, {})
    con = store.connect(warehouse_dir, read_only=True, url=url)
    try:
        by_status = dict(con.execute("select status, count(*) from raw.submissions group by 1").fetchall())
        row = con.execute("select coalesce(sum(rows_read),0), coalesce(sum(rows_loaded),0), "
                          "coalesce(sum(rows_rejected),0), coalesce(sum(rows_skipped),0) "
                          "from raw.submissions where status <> 'superseded'").fetchone()
        rows = dict(zip(["rows_read", "rows_loaded", "rows_rejected", "rows_skipped"], map(int, row)))
        last = con.execute("select count(*), coalesce(sum(rows_loaded),0), coalesce(sum(rows_rejected),0), "
                           "count(*) filter (where outcome = 'rejected') "
                           "from raw.submissions where run_id = ?", [run_id]).fetchone()
        last_run = dict(zip(["entries", "rows_loaded", "rows_rejected", "files_rejected"], map(int, last)))
        rejected = rejected_in_run(con, run_id) if run_id else []
    finally:
        con.close()
    return LedgerSummary(warehouse_dir, by_status, last_run, rows, url, rejected)


def rejected_in_run(con, run_id: str) -> list[dict]:
    """The files the load `run_id` rejected, or loaded with rows rejected: file, unit, period, outcome,
    rows rejected and the reason (for rows: the first row reason, and how many reasons in all)."""
    cursor = con.execute(
        "select s.file_name, coalesce(s.unit_code, s.district_code) as unit, s.period, s.outcome, s.rows_rejected, "
        "s.reason, min(r.reason) as row_reason, count(distinct r.reason) as row_reasons "
        "from raw.submissions as s left join raw.rejected_rows as r on r.submission_id = s.submission_id "
        "where s.run_id = ? and (s.outcome = 'rejected' or s.rows_rejected > 0) "
        "group by s.file_name, s.unit_code, s.district_code, s.period, s.outcome, s.rows_rejected, s.reason "
        "order by s.outcome desc, s.file_name", [run_id])
    return [{"file": file_name, "unit": unit, "period": f"{period:%Y-%m}" if period else None, "outcome": outcome,
             "rows_rejected": int(rows_rejected or 0), "reason": file_reason(reason, rows_rejected, row_reason, reasons)}
            for file_name, unit, period, outcome, rows_rejected, reason, row_reason, reasons in cursor.fetchall()]


def file_reason(reason: str | None, rows_rejected: int, row_reason: str | None, row_reasons: int) -> str:
    """Why a file was rejected, or lost rows: the ledger's reason, then (rows rejected) the first
    rejected row's reason and how many other reasons there were."""
    reason = reason or ""
    if rows_rejected and row_reason:
        more = f" (+{row_reasons - 1} other reasons)" if row_reasons and row_reasons > 1 else ""
        reason = f"{reason + ': ' if reason else ''}{row_reason}{more}"
    return reason


def figure_lines(connect) -> list[str]:
    """The province's figures as published, for the end of a load: selected from the reporting layer
    (marts.rpt_*, where the report and BI read them too); `connect()` opens what BI reads."""
    from pipeline.report import queries

    try:
        con = connect()
    except Exception as error:   # e.g. a BI tool holds bi.duckdb in a way we cannot share: say so, go on
        return [f"  figures: not read ({error})"]
    try:
        headline = {row["figure"]: row for row in queries.headline_rows(con)}
        years = queries.houses_by_year(con)
        poverty = queries.poverty_province(con)
    except Exception as error:   # PostgreSQL before its first publish, a warehouse published before rpt_
        return [f"  figures: not read ({str(error).strip()})"]
    finally:
        con.close()
    return _programme_line(headline) + _published_line(headline) + [
        "  houses completed by year: " + ", ".join(f"{r['year']} {r['houses_completed']:,} ({r['completed_vnd']:,} VND)"
                                                   for r in years if r["houses_completed"]),
        "  houses started by year: " + ", ".join(f"{r['year']} {r['houses_started']:,}" for r in years
                                                 if r["houses_started"]),
        "  poverty rate at the end of each review: " + ", ".join(
            f"{r['review_year']} {r['poverty_rate_pct']:.2f} %" if r["poverty_rate_pct"] is not None
            else f"{r['review_year']} n/a" for r in poverty),
    ] + _standards_line(poverty, headline.get("poverty_average_change_pp"))


def _standards_line(poverty: list[dict], average: dict | None) -> list[str]:
    """Which review years stand on which poverty standard (rates of two are not comparable), and the average
    change a year within one (rpt_headline's poverty_average_change_pp, which says which)."""
    runs: list[list[dict]] = []
    for row in poverty:
        if runs and runs[-1][-1]["poverty_standard"] == row["poverty_standard"] != "mixed":
            runs[-1].append(row)
        else:
            runs.append([row])
    if not runs:
        return []
    spans = [f"{run[0]['review_year']}" + (f"–{run[-1]['review_year']}" if len(run) > 1 else "")
             + f" {run[0]['poverty_standard'] or 'unknown'}" for run in runs]
    line = "  poverty standards (rates of two are not comparable): " + ", ".join(spans)
    if average and average["value"] is not None:
        line += (f"; average change a year within {average['poverty_standard']}: {float(average['value']):+.2f} "
                 f"points {average['period_from'][:4]}–{average['period_to'][:4]}")
    return [line]


def _programme_line(headline: dict[str, dict]) -> list[str]:
    """The programme's headline periods (rpt_headline's programme_* figures): 2020–2024, Q1 2025."""
    completed, cost = headline.get("programme_houses_completed"), headline.get("programme_houses_completed_vnd")
    started = headline.get("programme_houses_started")
    if not (completed and cost and started):
        return []
    start, end = (dt.date.fromisoformat(started[key]) for key in ("period_from", "period_to"))
    one_quarter = start.year == end.year and start.month % 3 == 1 and end.month == start.month + 2
    quarter = f"Q{(start.month - 1) // 3 + 1} {start.year}" if one_quarter else f"{start:%m/%Y}–{end:%m/%Y}"
    return [f"  houses completed {completed['period_from'][:4]}–{completed['period_to'][:4]}: "
            f"{int(completed['value']):,} for {int(cost['value']):,} VND; started in {quarter}: {int(started['value']):,}"]


def _published_line(headline: dict[str, dict]) -> list[str]:
    """The years of the province's published totals (rpt_headline's published_* figures, 2020–2025):
    houses completed and their cost by source, as Son La published them."""
    keys = ("houses_completed", "houses_completed_vnd", "houses_completed_social_vnd", "houses_completed_state_vnd",
            "houses_completed_central_vnd", "houses_completed_local_vnd")
    figures = [headline.get(f"published_{key}") for key in keys]
    if not all(figures):
        return []
    houses, total, social, state, central, local = (int(figure["value"] or 0) for figure in figures)
    return [f"  houses completed {figures[0]['period_from'][:4]}–{figures[0]['period_to'][:4]}: {houses:,} for "
            f"{total:,} VND: social contributions {social:,}, state budget {state:,} (central {central:,}, local {local:,})"]
