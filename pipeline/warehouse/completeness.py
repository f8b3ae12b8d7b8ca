"""Who has reported the latest months, with names: read from the published warehouse for the
operator (`python -m pipeline status`, the Dagster asset submission_completeness).

The states come from the published completeness model (marts.rpt_completeness, else
marts.agg_submission_completeness with marts.dim_reporting_unit for the names). That model's
months end at the latest month anyone reported, so the months after it up to the month now due
(the month before today's: its reports are due on the due day of this month) are told here from
the units in force and the files received: nobody sent a usable file for them, so each unit is
missing once the month is due, not due yet before. Days are Son La's (config.local_today()).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pipeline import config
from pipeline.warehouse import store

LATE_STATES = ("late", "missing", "rejected_only")
STATES = ("on_time", "late", "missing", "rejected_only", "not_due")


@dataclass
class Unit:
    unit_type: str
    unit_code: str
    unit_name: str | None
    state: str
    days_late: int | None = None

    @property
    def label(self) -> str:
        return f"{self.unit_code} {self.unit_name or '(name unknown)'}"


@dataclass
class Month:
    period: dt.date
    due_date: dt.date
    units: list[Unit] = field(default_factory=list)
    published: bool = True   # False: after the published model's last month (told from units and files)

    def is_due(self, today: dt.date) -> bool:
        return self.due_date <= today

    def counts(self) -> dict[str, int]:
        return {state: sum(u.state == state for u in self.units) for state in STATES}

    def in_state(self, *states: str) -> list[Unit]:
        return sorted((u for u in self.units if u.state in states), key=lambda u: (u.unit_type, u.unit_code))

    def as_dict(self) -> dict:
        return {"period": f"{self.period:%Y-%m}", "due_date": self.due_date.isoformat(), "units": len(self.units),
                "counts": self.counts(), "published": self.published,
                **{state: [{"unit_type": u.unit_type, "unit_code": u.unit_code, "unit_name": u.unit_name,
                            "days_late": u.days_late} for u in self.in_state(state)] for state in LATE_STATES}}


def month_now_due(today: dt.date) -> dt.date:
    """The month whose reports are being sent now: the month before today's."""
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def due_date(period: dt.date) -> dt.date:
    following = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following + dt.timedelta(days=config.due_day() - 1)


def recent_months(con, today: dt.date | None = None, months: int = 12) -> list[Month]:
    """The latest `months` months up to the month now due, newest first (only months with units due)."""
    today = today or config.local_today()
    last = month_now_due(today)
    first = _add_months(last, -(months - 1))
    found: dict[dt.date, Month] = {}
    for unit_type, code, name, period, due, state, days_late in _published_rows(con, first, today):
        month = found.setdefault(period, Month(period, due))
        month.units.append(Unit(unit_type, code, name, state, days_late))
    published_last = max(found, default=None)
    period = _add_months(published_last, 1) if published_last else first
    while period <= last:   # months nobody has sent a usable file for yet
        month = _unpublished_month(con, period, today)
        if month.units:
            found[period] = month
        period = _add_months(period, 1)
    return [found[p] for p in sorted(found, reverse=True)]


def latest_due(months: list[Month], today: dt.date | None = None, count: int = 2) -> list[Month]:
    today = today or config.local_today()
    return [m for m in months if m.is_due(today)][:count]


def _add_months(period: dt.date, n: int) -> dt.date:
    index = period.year * 12 + period.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def _published_rows(con, first: dt.date, today: dt.date) -> list[tuple]:
    """(unit_type, unit_code, unit_name, period, due_date, state, days_late) from `first` on."""
    if store.table_exists(con, "marts", "rpt_completeness"):
        return [tuple(r) for r in con.execute(
            "select unit_type, unit_code, unit_name, period, due_date, state, days_late "
            "from marts.rpt_completeness where period >= ? order by period, unit_type, unit_code", [first]).fetchall()]
    rows = con.execute(
        "select c.unit_type, c.unit_code, u.unit_name, c.period, c.due_date, c.state, c.submitted_on "
        "from marts.agg_submission_completeness as c left join marts.dim_reporting_unit as u "
        "on u.unit_type = c.unit_type and u.unit_code = c.unit_code "
        "where c.period >= ? order by c.period, c.unit_type, c.unit_code", [first]).fetchall()
    return [(*row[:6], _days_late(row[5], row[4], row[6], today)) for row in rows]


def _days_late(state: str, due: dt.date, submitted_on: dt.date | None, today: dt.date) -> int | None:
    if state == "late" and submitted_on:
        return max(0, (submitted_on - due).days)
    if state in ("missing", "rejected_only"):
        return max(0, (today - due).days)
    return None


def _unpublished_month(con, period: dt.date, today: dt.date) -> Month:
    """A month after the published model's last: the units in force on its last day, each with only
    rejected files, or missing once due (not due before), as the model would say."""
    last_day = _add_months(period, 1) - dt.timedelta(days=1)
    month = Month(period, due_date(period), published=False)
    units = con.execute(
        "select unit_type, unit_code, unit_name from marts.dim_reporting_unit "
        "where valid_from <= ? and (valid_to is null or valid_to >= ?) order by unit_type, unit_code",
        [last_day, last_day]).fetchall()
    rejected = {(t, c) for t, c in con.execute(
        "select coalesce(unit_type, 'district'), coalesce(unit_code, district_code) from audit.submissions "
        "where period = ? and status = 'rejected'", [period]).fetchall()}
    due = month.is_due(today)
    for unit_type, code, name in units:
        state = "rejected_only" if (unit_type, code) in rejected else "missing" if due else "not_due"
        month.units.append(Unit(unit_type, code, name, state, _days_late(state, month.due_date, None, today)))
    return month
