"""Sign-off: the province approves a reporting unit's month, and what counts for it stays put until it approves again.

The warehouse contract's "How sign-off works", as SQL over the raw layer (the same on DuckDB and PostgreSQL):

- `approve` pins, per sheet kind, the submissions that count for the unit-month among those received or prepared
  (Ngày lập) on or before its as-of day (pipeline/warehouse/supersession.py decides what counts among them):
  houses and grants of the unit-month, and poverty of each commune × review year that the month's reports carry.
- An approved scope counts its pinned submissions (raw.counting.counted), whatever arrives later: a later file is
  read, validated and told to its clerk as usual, counts provisionally nowhere, and waits as a pending revision
  (raw.counting rows with counts but not counted) until the province approves the month again, which adopts it.
- `unapprove` returns the month to provisional: the supersession rules decide again.
- Events are appended to raw.approval_events (pins in raw.approval_pins), never changed: the latest event of a
  unit-month says its state. A poverty scope pinned by several approved months follows the latest event.

Bad input (an unknown unit, one not in force that month, a month with nothing received, a future month) raises
ApprovalError before anything is written; recording is one transaction (events, pins, what counts, the ledger
version): a kill leaves the approval whole or absent.
"""
from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field

from pipeline import form
from pipeline.warehouse import supersession

APPROVE, UNAPPROVE = "approve", "unapprove"
APPROVED, PROVISIONAL, PENDING = "approved", "provisional", "pending"
COUNTED = supersession.COUNTED
_PERIOD = re.compile(r"(\d{4})-(\d{2})")


class ApprovalError(ValueError):
    """Bad input: said to the person, exit 2, nothing written."""


@dataclass(frozen=True)
class Request:
    """One approve or unapprove command (the CLI's options, the Dagster job's run config)."""

    action: str                          # APPROVE | UNAPPROVE
    periods: tuple[dt.date, ...]
    units: tuple[str, ...] = ()          # empty: every unit that sent something (approve) or is approved (unapprove)
    by: str = ""
    as_of: dt.date | None = None         # approve: default today
    as_of_day: int | None = None         # approve: each month as of this day of the month after it
    note: str | None = None

    def as_of_for(self, period: dt.date, today: dt.date) -> dt.date:
        if self.as_of_day:
            following = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            return following.replace(day=self.as_of_day)
        return self.as_of or today


@dataclass
class Decision:
    """What one command does to one unit-month: record an event (approve, adopt, unapprove) or nothing."""

    unit_type: str
    unit_code: str
    period: dt.date
    outcome: str                         # approve | adopt | unapprove | already approved | not approved
    as_of: dt.date | None = None
    pins: frozenset = field(default_factory=frozenset)   # (sheet_kind, scope, submission_id)

    @property
    def records(self) -> bool:
        return self.outcome in ("approve", "adopt", "unapprove")

    @property
    def unit(self) -> str:
        return f"{self.unit_type} {self.unit_code}"

    def line(self) -> str:
        month = f"{self.period:%Y-%m}"
        kinds = sorted({kind for kind, _, _ in self.pins})
        pinned = f" as of {self.as_of:%Y-%m-%d}: {len({s for _, _, s in self.pins})} submission(s) pinned " \
                 f"({', '.join(kinds) or 'nothing'})" if self.outcome in ("approve", "adopt") else ""
        words = {"approve": "approved", "adopt": "approved again (pending revisions adopted)",
                 "unapprove": "unapproved: provisional again", "already approved": "already approved",
                 "not approved": "not approved: nothing to unapprove"}[self.outcome]
        return f"{month} {self.unit}: {words}{pinned}"


def parse_periods(texts) -> tuple[dt.date, ...]:
    """'2025-05' or a range '2020-01..2026-08' (several allowed), in order; ApprovalError otherwise."""
    months: list[dt.date] = []
    for text in texts:
        first, _, last = str(text).strip().partition("..")
        start, end = _month(first), _month(last) if last else None
        if end is None:
            months.append(start)
            continue
        if end < start:
            raise ApprovalError(f"period range '{text}' ends before it starts")
        while start <= end:
            months.append(start)
            start = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return tuple(sorted(set(months)))


def _month(text: str) -> dt.date:
    match = _PERIOD.fullmatch(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ApprovalError(f"period '{text}' is not a month written YYYY-MM (e.g. 2025-05)")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


# --- which units ------------------------------------------------------------------------------------------------

def _units_in_force(period: dt.date) -> dict[str, str]:
    """code -> unit_type of the reporting units due a report for the month."""
    from pipeline.templates.units import units_in_force

    return {unit.code: unit.unit_type for unit in units_in_force(period)}


def _known_units() -> set[str]:
    from pipeline.templates.units import COMMUNE_ERA

    return set(_units_in_force(COMMUNE_ERA - dt.timedelta(days=1))) | set(_units_in_force(COMMUNE_ERA)) | {
        code for validity in _list_starts() for code in _units_in_force(validity)}


def _list_starts() -> list[dt.date]:
    from pipeline.ingest import reference

    return [v.valid_from for v in reference.list_validity()]


def check_request(request: Request, today: dt.date) -> None:
    """The command's own mistakes, before the warehouse is asked: ApprovalError."""
    if request.action not in (APPROVE, UNAPPROVE):
        raise ApprovalError(f"unknown action '{request.action}'")
    if not request.periods:
        raise ApprovalError("give the month: --period YYYY-MM")
    if not request.by.strip():
        raise ApprovalError("say which office decides: --by OFFICE (an office, not a person's ID number)")
    future = [p for p in request.periods if p > today.replace(day=1)]
    if future:
        raise ApprovalError(f"{future[0]:%Y-%m} is in the future (today is {today:%Y-%m-%d}): a month is approved "
                            "once its reports are in")
    early = [p for p in request.periods if p < form.FIRST_PERIOD]
    if early:
        raise ApprovalError(f"{early[0]:%Y-%m} is before {form.FIRST_PERIOD:%Y-%m}, the first reporting month")
    if request.as_of and request.as_of > today:
        raise ApprovalError(f"--as-of {request.as_of:%Y-%m-%d} is after today ({today:%Y-%m-%d})")
    if request.as_of_day is not None and not 1 <= request.as_of_day <= 28:
        raise ApprovalError("--as-of-day must be a day between 1 and 28")
    unknown = sorted(set(request.units) - _known_units())
    if unknown:
        raise ApprovalError(f"unknown reporting unit {', '.join(unknown)}: a district (3 digits) up to 2025-06 or a "
                            "commune of today's map (5 digits) from 2025-07")
    for period in request.periods:
        in_force = _units_in_force(period)
        absent = [code for code in request.units if code not in in_force]
        if absent:
            who = "districts" if period < _commune_era() else "communes of today's map"
            raise ApprovalError(f"unit {', '.join(absent)} was not in force in {period:%Y-%m} (the {who} reported "
                                "that month)")


def _commune_era() -> dt.date:
    from pipeline.templates.units import COMMUNE_ERA

    return COMMUNE_ERA


# --- the plan ---------------------------------------------------------------------------------------------------

def plan(con, request: Request, today: dt.date) -> list[Decision]:
    """What the command does, unit-month by unit-month; ApprovalError on bad input (nothing written)."""
    check_request(request, today)
    latest = latest_events(con)
    pinned_now = _pinned(con)
    decisions: list[Decision] = []
    problems: list[str] = []
    for period in request.periods:
        in_force = _units_in_force(period)
        if request.action == UNAPPROVE:
            codes = request.units or tuple(sorted(code for (kind, code, month), event in latest.items()
                                                  if month == period and event["action"] == APPROVE))
            if not codes:
                problems.append(f"no unit's {period:%Y-%m} is approved")
            for code in codes:
                event = latest.get((in_force[code], code, period))
                outcome = "unapprove" if event and event["action"] == APPROVE else "not approved"
                decisions.append(Decision(in_force[code], code, period, outcome))
            continue
        as_of = request.as_of_for(period, today)
        received = _received(con, period, as_of)
        codes = request.units or tuple(code for code in sorted(received) if code in in_force)
        missing = [code for code in codes if code not in received]
        if missing or not codes:
            problems.append(_nothing_received(con, period, as_of, missing))
            continue
        pins = _pins(con, period, as_of, [(in_force[code], code) for code in codes])
        for code in codes:
            unit_type = in_force[code]
            mine, event = pins[(unit_type, code)], latest.get((unit_type, code, period))
            if event and event["action"] == APPROVE:
                outcome = "already approved" if mine == pinned_now.get(event["event_id"], frozenset()) else "adopt"
            else:
                outcome = "approve"
            decisions.append(Decision(unit_type, code, period, outcome, as_of, mine))
    if problems:
        raise ApprovalError("; ".join(problems) + ": nothing was changed")
    return decisions


def _received(con, period: dt.date, as_of: dt.date) -> set[str]:
    """Units with an accepted submission for the month received or prepared by as_of."""
    rows = con.execute(f"""select distinct s.unit_code from raw.submissions as s
        where s.period = cast(? as date) and s.outcome in {COUNTED} and {supersession.dated_by('s', as_of)}""",
                       [period.isoformat()]).fetchall()
    return {code for (code,) in rows}


def _nothing_received(con, period: dt.date, as_of: dt.date, units: list[str]) -> str:
    who = f"unit {', '.join(units)}" if units else "any unit"
    said = f"nothing received from {who} for {period:%Y-%m} by {as_of:%Y-%m-%d}"
    later = con.execute("select count(*) from raw.submissions where period = cast(? as date) and outcome in "
                        f"{COUNTED}" + (f" and unit_code in ({', '.join('?' * len(units))})" if units else ""),
                        [period.isoformat(), *units]).fetchone()[0]
    return said + (f" ({later} accepted file(s) came after that day)" if later else " (no accepted file)")


def _pins(con, period: dt.date, as_of: dt.date, units: list[tuple[str, str]]) -> dict[tuple[str, str], frozenset]:
    """Per unit: (sheet_kind, scope, submission_id) of what counted as of the day, for its month's scopes: houses
    and grants of the unit-month, poverty of each commune-year the unit's reports of the month carry."""
    con.execute("drop table if exists counting_as_of")
    con.execute(f"create temp table counting_as_of as {supersession.counting_sql(as_of=as_of)}")
    try:
        rows = con.execute(f"""
            with mine as (
                select unit_type, unit_code, submission_id from raw.submissions
                where period = cast(? as date) and outcome in {COUNTED}
            ),
            poverty_scopes as (
                select distinct mine.unit_type, mine.unit_code, c.scope
                from counting_as_of as c join mine on mine.submission_id = c.submission_id
                where c.sheet_kind = 'poverty'
            )
            select u.unit_type, u.unit_code, c.sheet_kind, c.scope, c.submission_id
            from counting_as_of as c
            join (select distinct unit_type, unit_code from mine) as u
                on c.scope = u.unit_type || '/' || u.unit_code || '/' || cast(cast(? as date) as varchar)
            where c.counts and c.sheet_kind in ('houses', 'grants')
            union all
            select p.unit_type, p.unit_code, c.sheet_kind, c.scope, c.submission_id
            from counting_as_of as c join poverty_scopes as p on p.scope = c.scope
            where c.counts and c.sheet_kind = 'poverty'
            """, [period.isoformat(), period.isoformat()]).fetchall()
    finally:
        con.execute("drop table if exists counting_as_of")
    found: dict[tuple[str, str], set] = {unit: set() for unit in units}
    for unit_type, code, kind, scope, submission_id in rows:
        if (unit_type, code) in found:
            found[(unit_type, code)].add((kind, scope, submission_id))
    return {unit: frozenset(pins) for unit, pins in found.items()}


def latest_events(con) -> dict[tuple[str, str, dt.date], dict]:
    """(unit_type, unit_code, period) -> its latest event."""
    cursor = con.execute(f"select * from ({LATEST_EVENTS}) as e where e.event_rank = 1")
    names = [d[0] for d in cursor.description]
    return {(r["unit_type"], r["unit_code"], _date(r["period"])): r for r in (dict(zip(names, row)) for row in cursor.fetchall())}


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else value.date()


def _pinned(con) -> dict[str, frozenset]:
    """event_id -> its pins, for the latest event of every unit-month."""
    found: dict[str, set] = {}
    for event_id, kind, scope, submission_id in con.execute(
            f"select p.event_id, p.sheet_kind, p.scope, p.submission_id from raw.approval_pins as p "
            f"join ({LATEST_EVENTS}) as e on e.event_id = p.event_id where e.event_rank = 1").fetchall():
        found.setdefault(event_id, set()).add((kind, scope, submission_id))
    return {event_id: frozenset(pins) for event_id, pins in found.items()}


# --- recording --------------------------------------------------------------------------------------------------

def record(con, request: Request, decisions: list[Decision], run_id: str | None, now: dt.datetime) -> list[dict]:
    """The decisions that change something, as events with their pins, in ONE transaction with what then counts
    (apply) and a new ledger version (so the next load rebuilds); the events written."""
    from pipeline.warehouse import store

    events = []
    con.execute("begin transaction")
    try:
        # events are ordered by recorded_at: a later command is always later, even within one clock tick
        latest = con.execute("select max(recorded_at) from raw.approval_events").fetchone()[0]
        now = max(now, latest + dt.timedelta(microseconds=1)) if latest else now
        for decision in (d for d in decisions if d.records):
            event = {"event_id": uuid.uuid4().hex, "action": UNAPPROVE if decision.outcome == "unapprove" else APPROVE,
                     "unit_type": decision.unit_type, "unit_code": decision.unit_code, "period": decision.period,
                     "recorded_at": now, "recorded_by": request.by.strip(), "as_of": decision.as_of,
                     "note": request.note, "run_id": run_id}
            con.execute(f"insert into raw.approval_events ({', '.join(event)}) values ({', '.join('?' * len(event))})",
                        list(event.values()))
            for kind, scope, submission_id in sorted(decision.pins):
                con.execute("insert into raw.approval_pins (event_id, sheet_kind, scope, submission_id) "
                            "values (?, ?, ?, ?)", [event["event_id"], kind, scope, submission_id])
            events.append(event)
        if events:
            apply(con)
            store.bump_ledger_version(con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return events


# The latest event of each unit-month (event_rank 1), the same SQL on both engines.
LATEST_EVENTS = """
    select e.*, row_number() over (partition by e.unit_type, e.unit_code, e.period
                                   order by e.recorded_at desc, e.event_id desc) as event_rank
    from raw.approval_events as e
"""
# Each locked scope with the event whose pins count there: the unit-month's houses and grants while its latest
# event is an approve, and the poverty scopes those events pinned (the latest such event per scope).
LOCKS = f"""
    with approved as (
        select * from ({LATEST_EVENTS}) as e where e.event_rank = 1 and e.action = 'approve'
    ),
    months as (
        select a.event_id, a.unit_type || '/' || a.unit_code || '/' || cast(a.period as varchar) as scope
        from approved as a
    ),
    poverty as (
        select distinct on (p.scope) p.scope, p.event_id
        from raw.approval_pins as p
        join approved as a on a.event_id = p.event_id
        where p.sheet_kind = 'poverty'
        order by p.scope, a.recorded_at desc, a.event_id desc
    )
    select 'houses' as sheet_kind, scope, event_id from months
    union all
    select 'grants', scope, event_id from months
    union all
    select 'poverty', scope, event_id from poverty
"""


def apply(con) -> None:
    """raw.counting's counted and approval_status from the events: in a locked scope the pinned submissions count
    (approved), elsewhere what the supersession rules decided (provisional). Call after supersession.refresh."""
    con.execute("update raw.counting set counted = counts, approval_status = 'provisional'")
    con.execute(f"""
    update raw.counting as c
    set counted = l.pinned, approval_status = 'approved'
    from (
        select c2.sheet_kind, c2.scope, c2.submission_id, (p.submission_id is not null) as pinned
        from raw.counting as c2
        join ({LOCKS}) as locks on locks.sheet_kind = c2.sheet_kind and locks.scope = c2.scope
        left join raw.approval_pins as p
            on p.event_id = locks.event_id and p.sheet_kind = c2.sheet_kind and p.scope = c2.scope
            and p.submission_id = c2.submission_id
    ) as l
    where c.sheet_kind = l.sheet_kind and c.scope = l.scope and c.submission_id = l.submission_id
    """)
    supersession.mark_replaced(con)   # what the pinned full report replaced, not the pending one


# --- what waits -------------------------------------------------------------------------------------------------

def awaiting(con, submission_ids: list[str]) -> list[dict]:
    """Of these submissions, the (submission, sheet kind, scope) that would count but wait for the province's
    approval: their scope is locked and they are not pinned. With the ledger's unit and month."""
    if not submission_ids:
        return []
    marks = ", ".join("?" * len(submission_ids))
    cursor = con.execute(f"""
        select c.submission_id, c.sheet_kind, c.scope, c.commune_code, c.review_year, s.unit_type, s.unit_code,
               s.period
        from raw.counting as c join raw.submissions as s on s.submission_id = c.submission_id
        where c.counts and not coalesce(c.counted, c.counts) and c.submission_id in ({marks})
        order by c.submission_id, c.sheet_kind, c.scope""", list(submission_ids))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]
