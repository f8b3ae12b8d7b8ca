"""The headline figures as published: recorded at each publish, read back as they stood on any day.

dbt's marts.fct_published_figures holds what earlier publishes recorded (raw.published_figures) and the rows
the build at hand adds (its figures new or changed since); int_counting_changes the same for which submissions
count. Before a build is published, record() appends the build's rows to the raw layer, outside dbt's schemas,
so a full rebuild keeps them. On DuckDB the record comes first and the file is copied after: a publish that
fails after it leaves a trace of figures that were built but not shown, never figures shown without a trace.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.warehouse import store

_FIGURE_COLUMNS = ", ".join(store.raw_columns()["published_figures"])
_COUNTING_COLUMNS = ", ".join(store.raw_columns()["published_counting"])
_EPOCH = "cast('1900-01-01' as timestamp)"
# what a sign-off prints and `figures` shows unless asked for all (grants per programme are many lines)
SHOWN = ("houses_started", "houses_completed", "houses_completed_vnd", "poor_households", "poverty_rate_pct")


def record(con, marts: str = "marts", intermediate: str = "intermediate") -> dt.datetime | None:
    """The build's new figure rows and counting changes into the raw layer, in one transaction; the build's
    publish time (None when it changed no figure and no counting)."""
    new_figures = f"""from {marts}.fct_published_figures
        where published_at > (select coalesce(max(published_at), {_EPOCH}) from raw.published_figures)"""
    new_counting = f"""from {intermediate}.int_counting_changes
        where is_this_publish
          and published_at > (select coalesce(max(published_at), {_EPOCH}) from raw.published_counting)"""
    con.execute("begin transaction")
    try:
        stamps = [con.execute(f"select max(published_at) {rows}").fetchone()[0] for rows in (new_figures, new_counting)]
        con.execute(f"insert into raw.published_figures ({_FIGURE_COLUMNS}) select {_FIGURE_COLUMNS} {new_figures}")
        con.execute(f"insert into raw.published_counting ({_COUNTING_COLUMNS}) select {_COUNTING_COLUMNS} "
                    f"{new_counting}")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return max((s for s in stamps if s is not None), default=None)


@dataclass(frozen=True)
class Published:
    """The figures of one selection as they stood at a moment."""

    as_of: dt.datetime
    published_at: dt.datetime | None        # the latest publish at or before as_of that changed a figure
    scope: str
    rows: list[tuple]                       # (figure, programme, period_type, period, review_year, value, status)

    def lines(self) -> list[str]:
        if self.published_at is None:
            return [f"Headline figures ({self.scope}): nothing was published by {self.as_of:%Y-%m-%d %H:%M:%S}"]
        head = (f"Headline figures ({self.scope}) as published at {self.published_at:%Y-%m-%d %H:%M:%S} "
                "(Son La time):")
        return [head, *(f"  {_name(r):<34} {_when(r):<8} {_number(r[5]):>22}  {r[6]}" for r in self.rows)]


def _name(row) -> str:
    return row[0] + (f" {row[1]}" if row[1] else "")


def _when(row) -> str:
    figure, programme, period_type, period, review_year = row[:5]
    if period_type == "review_year":
        return f"{review_year} review"
    return f"{period:%Y-%m}" if period_type == "month" else f"{period:%Y}"


def _number(value) -> str:
    return f"{value:,.2f}" if value != value.to_integral_value() else f"{value:,.0f}"


def as_of(con, when: dt.datetime, unit_scope: str = "province", month: dt.date | None = None,
          every_figure: bool = False) -> Published:
    """The figures of one unit scope as published at `when` (their latest rows at or before it): per calendar
    year and review year, or the months of one month; SHOWN ones unless every_figure. con: what BI reads
    (bi.duckdb, or the database)."""
    where = "period_type = 'month' and period = cast(? as date)" if month else "period_type in ('year', 'review_year')"
    params = [when, unit_scope] + ([month.isoformat()] if month else [])
    if not every_figure:
        where += f" and figure in ({', '.join(repr(name) for name in SHOWN)})"
    rows = con.execute(f"""
        with standing as (
            select distinct on (figure_key) *
            from marts.fct_published_figures
            where published_at <= ? and unit_scope = ?
            order by figure_key, published_at desc
        )
        select figure, programme, period_type, period, review_year, value, approval_status
        from standing
        where value is not null and {where}
        order by period_type = 'review_year', coalesce(period, make_date(review_year, 1, 1)), figure,
                 programme nulls first
    """, params).fetchall()
    latest = con.execute("select max(published_at) from marts.fct_published_figures where published_at <= ?",
                         [when]).fetchone()[0]
    return Published(when, latest, "province" if unit_scope == "province" else f"unit {unit_scope}", rows)


def parse_when(text: str) -> dt.datetime:
    """'2026-12-07' (the end of that day) or '2026-12-07T14:03:12' / '2026-12-07 14:03:12' (the end of that
    second, as publishes are shown), Son La time."""
    text = text.strip()
    try:
        if len(text) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time.max)
        when = dt.datetime.fromisoformat(text.replace("T", " "))
        return when if "." in text else when.replace(microsecond=999_999)
    except ValueError:
        raise ValueError(f"--as-of '{text}' is not a day (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM:SS)") from None
