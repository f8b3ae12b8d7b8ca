"""The end-of-run summary, read from the ledger (what the reporting units' files came to)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline.config import ARTICLE_QUARTER, ARTICLE_YEARS
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
        if self.warehouse_url:
            lines += figure_lines(lambda: store.connect(self.warehouse_dir, read_only=True, url=self.warehouse_url))
            # the report is SQL over bi.duckdb, which PostgreSQL loads do not write
            return "\n".join([*lines, "  report: (not built: the warehouse is on PostgreSQL)"])
        if bi.exists():
            lines += figure_lines(lambda: duckdb.connect(str(bi), read_only=True))
        # the provincial report (pipeline/report/build.py), built after each publish
        report = self.warehouse_dir / "report"
        for label, name in (("report", "index.html"), ("report PDF", "report.pdf"),
                            ("data dictionary", "data-dictionary.html")):
            path = report / name
            lines.append(f"  {label}: {path if path.exists() else '(not written)'}")
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


FIGURES_SQL = {
    # extract(year ...): year() is DuckDB's alone; the figures are read from either engine
    "completed": "select cast(extract(year from completion_date) as integer), count(*), "
                 "cast(sum(total_vnd) as bigint) from marts.fct_houses "
                 "where status = 'completed' and completion_date is not null group by 1 order by 1",
    "started": "select cast(extract(year from start_date) as integer), count(*) from marts.fct_houses "
               "where start_date is not null group by 1 order by 1",
    "quarter": "select count(*) from marts.fct_houses where start_date between ? and ?",
    "poverty": "select review_year, poverty_rate_pct from marts.agg_poverty_province_year order by 1",
}


def figure_lines(connect) -> list[str]:
    """The province's figures as published (bi.duckdb, or the marts schema on PostgreSQL), for
    the end of a load; `connect()` opens what BI reads."""
    try:
        con = connect()
    except Exception as error:   # e.g. a BI tool holds bi.duckdb in a way we cannot share: say so, go on
        return [f"  figures: not read ({error})"]
    try:
        completed = con.execute(FIGURES_SQL["completed"]).fetchall()
        started = con.execute(FIGURES_SQL["started"]).fetchall()
        quarter = con.execute(FIGURES_SQL["quarter"], list(ARTICLE_QUARTER)).fetchone()[0]
        poverty = con.execute(FIGURES_SQL["poverty"]).fetchall()
    except Exception as error:   # PostgreSQL before its first publish: no marts schema yet
        return [f"  figures: not read ({str(error).strip()})"]
    finally:
        con.close()
    first, last = ARTICLE_YEARS
    span = [(n, vnd) for year, n, vnd in completed if first <= year <= last]
    return [
        f"  houses completed {first}–{last}: {sum(n for n, _ in span):,} for "
        f"{sum(v or 0 for _, v in span):,} VND; started in Q1 2025: {quarter:,}",
        "  houses completed by year: " + ", ".join(f"{y} {n:,} ({v or 0:,} VND)" for y, n, v in completed),
        "  houses started by year: " + ", ".join(f"{y} {n:,}" for y, n in started),
        "  poverty rate at the end of each review: " + ", ".join(
            f"{y} {rate:.2f} %" if rate is not None else f"{y} n/a" for y, rate in poverty),
    ]
