"""What counts today: supersession per sheet kind, recomputed over the whole ledger after each batch.

The submission format's "A file against what the unit sent before", as SQL over the raw layer
(the same on DuckDB and PostgreSQL), in one place:

- Houses and grants count per reporting unit and month, poverty per commune (as reported) and
  review year, whatever month carries it: each is a *scope*. A submission carries a scope when a
  row of that kind loaded from it (an empty sheet, or one whose every row was rejected, carries
  nothing: like a rejected file, it replaces nothing).
- In each scope the submissions carrying it are ranked latest first (the format's "latest" rule:
  reporting month, Lần gửi, arrival, modification time). The latest full report and every
  supplement (Loại báo cáo = Bổ sung) after it count; their rows merge by key, the latest wins.
  Poverty: a whole-commune row, or village rows over a whole-commune figure, replace rather than
  merge (a commune's figure is its row or the sum of its villages, never both).
- The rows the full report of what counts replaced: the previous full report and the supplements after it,
  `replaced` (what counted until it came: a figure standing on fewer villages than those is partial). What counts
  is the marts' (`counted`: in a scope the province approved, the pinned submissions; pipeline/warehouse/
  approvals.py), so an approved figure keeps what it replaced whatever arrives later (mark_replaced).
- A submission is `superseded` when none of the kinds it carries counts any more (one carrying
  nothing: when a later one for its unit and month arrived).

raw.counting holds the result, one row per submission and scope it carries; raw.submissions
gets status, kinds_carried and kinds_counting. dbt reads raw.counting (int_counting_submissions).
What each batch's replacements drop, a submission number claimed by two files, and a sheet whose every row
was rejected (it replaces nothing: the earlier file's figures still count) are found here too (replaced_rows,
version_claims, unreplaced_kinds): the rule book words them (pipeline/rulebook/history.py).
"""
from __future__ import annotations

import functools

import yaml

from pipeline.config import DBT_PROJECT_DIR


def recency(ledger: str = "") -> str:
    """The format's "latest" rule (dbt: var submission_recency_order), latest first, over the ledger's columns
    (`ledger`: the alias of raw.submissions in the query, when it needs one)."""
    prefix = f"{ledger}." if ledger else ""
    return ", ".join(f"{prefix}{term}" for term in _recency_terms())


@functools.cache
def _recency_terms() -> list[str]:
    """The var's one home is dbt_project.yml; the raw layer reads it from there."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return project["vars"]["submission_recency_order"]


RECENCY = recency()
# Raise when what counts changes: each warehouse recounts its whole ledger once, at its next write (store.connect).
RULE_VERSION = "3"   # 2: raw.counting.replaced; 3: replaced by what the marts count (can_start)

# received_at is UTC (the run that first saw the file); days are Son La's (UTC+7, no daylight saving)
RECEIVED_ON = "cast({ledger}.received_at + interval '7 hours' as date)"


def dated_by(ledger: str, day) -> str:
    """The ledger row (alias `ledger`) was received, or prepared (Ngày lập), on or before `day` (a date)."""
    literal = f"cast('{day.isoformat()}' as date)"
    return f"({RECEIVED_ON.format(ledger=ledger)} <= {literal} or {ledger}.prepared_on <= {literal})"
COUNTED = "('accepted', 'accepted_with_errors')"
UNIT_MONTH = "s.unit_type || '/' || s.unit_code || '/' || cast(s.period as varchar)"
COMMUNE_YEAR = "coalesce(p.commune_list, '-') || '/' || p.commune_code || '/' || cast(p.review_year as varchar)"
COLUMNS = ("sheet_kind", "scope", "submission_id", "commune_list", "commune_code", "review_year", "recency",
           "counts", "anchor", "can_start")


def _scoped_sql(left_out: str) -> str:
    """CTEs ending in `scoped`: every scope each accepted submission carries, with its shape."""
    return f"""
    accepted as (
        select s.submission_id, s.unit_type, s.unit_code, s.period, s.version, s.received_at, s.file_mtime,
               coalesce(s.report_type, 'full') as report_type
        from raw.submissions as s
        where s.outcome in {COUNTED} {left_out}
    ),
    unit_months as (
        select k.sheet as sheet_kind, {UNIT_MONTH} as scope, s.*, cast(null as varchar) as commune_list,
               cast(null as varchar) as commune_code, cast(null as integer) as review_year, 'rows' as shape
        from accepted as s
        join raw.submission_sheets as k on k.submission_id = s.submission_id
        where k.sheet in ('houses', 'grants') and k.rows_loaded > 0
    ),
    commune_years as (
        select 'poverty' as sheet_kind, {COMMUNE_YEAR} as scope, s.submission_id, s.unit_type, s.unit_code,
               s.period, s.version, s.received_at, s.file_mtime, s.report_type, p.commune_list, p.commune_code,
               p.review_year,
               case when count(p.village) = count(*) then 'villages' else 'commune' end as shape
        from accepted as s
        join raw.poverty as p on p.submission_id = s.submission_id
        group by s.submission_id, s.unit_type, s.unit_code, s.period, s.version, s.received_at, s.file_mtime,
                 s.report_type, p.commune_list, p.commune_code, p.review_year
    ),
    scoped as (
        select sheet_kind, scope, submission_id, period, version, received_at, file_mtime, report_type,
               commune_list, commune_code, review_year, shape
        from unit_months
        union all
        select sheet_kind, scope, submission_id, period, version, received_at, file_mtime, report_type,
               commune_list, commune_code, review_year, shape
        from commune_years
    )"""


def counting_sql(exclude: str | None = None, as_of=None) -> str:
    """select COLUMNS: every scope each accepted submission carries, ranked, with whether it counts.
    exclude: a table of submission_ids left out (what counted before a batch); as_of (a date): only the
    submissions received or prepared on or before that day (what counted then: pipeline/warehouse/approvals.py)."""
    left_out = f"and s.submission_id not in (select submission_id from {exclude})" if exclude else ""
    if as_of is not None:
        left_out += f" and {dated_by('s', as_of)}"
    return f"""
    with {_scoped_sql(left_out)},
    ranked as (
        select scoped.*,
               row_number() over (partition by sheet_kind, scope order by {RECENCY}) as recency,
               lead(shape) over (partition by sheet_kind, scope order by {RECENCY}) as older_shape
        from scoped
    ),
    starts as (
        -- where a scope's counting rows may start: a full report, a whole-commune figure, a change of
        -- shape, or else the oldest submission (supplements sent alone)
        select ranked.*,
               report_type = 'full' or shape = 'commune' or older_shape is null or older_shape <> shape as can_start
        from ranked
    ),
    anchored as (
        -- the latest start counts with the supplements after it
        select starts.*,
               min(case when can_start then recency end) over (partition by sheet_kind, scope) as anchor_recency
        from starts
    )
    select sheet_kind, scope, submission_id, commune_list, commune_code, review_year, cast(recency as integer) as recency,
           recency <= anchor_recency as counts, recency = anchor_recency as anchor, can_start
    from anchored
    """


STATUS_SQL = f"""
update raw.submissions as s
set status = case
        when s.outcome not in {COUNTED} then s.outcome
        when k.carried is null then case when k.month_rank = 1 then s.outcome else 'superseded' end
        when k.counting is null then 'superseded'
        else s.outcome end,
    kinds_carried = k.carried,
    kinds_counting = k.counting
from (
    select a.submission_id, a.month_rank, kinds.carried, kinds.counting
    from (
        select submission_id,
               row_number() over (partition by unit_type, unit_code, period order by {RECENCY}) as month_rank
        from raw.submissions
        where outcome in {COUNTED}
    ) as a
    left join (
        select submission_id,
               string_agg(distinct sheet_kind, ',' order by sheet_kind) as carried,
               string_agg(distinct case when counts then sheet_kind end, ','
                          order by case when counts then sheet_kind end) as counting
        from raw.counting
        group by submission_id
    ) as kinds on kinds.submission_id = a.submission_id
) as k
where s.submission_id = k.submission_id
"""


# What the full report of the counting rows replaced: the rows from the start before it (a full report, a
# whole-commune figure, a change of shape, or the oldest) up to it. The counting rows are the marts' (counted,
# set by pipeline/warehouse/approvals.py; before it has: counts); the oldest of them is their full report.
REPLACED_SQL = """
update raw.counting as c
set replaced = coalesce(r.recency > r.anchor_recency and r.recency <= r.previous_start, false)
from (
    select sheet_kind, scope, submission_id, recency, anchor_recency,
           min(case when can_start and recency > anchor_recency then recency end)
               over (partition by sheet_kind, scope) as previous_start
    from (
        select sheet_kind, scope, submission_id, recency, can_start,
               max(case when coalesce(counted, counts) then recency end)
                   over (partition by sheet_kind, scope) as anchor_recency
        from raw.counting
    ) as counting
) as r
where c.sheet_kind = r.sheet_kind and c.scope = r.scope and c.submission_id = r.submission_id
"""


def refresh(con) -> None:
    """raw.counting and every accepted submission's status and kinds, from the whole ledger."""
    con.execute("delete from raw.counting")
    con.execute(f"insert into raw.counting ({', '.join(COLUMNS)}) {counting_sql()}")
    con.execute(STATUS_SQL)
    mark_replaced(con)


def mark_replaced(con) -> None:
    """raw.counting.replaced, by what counts now (again after an approval decides what the marts count)."""
    con.execute(REPLACED_SQL)


# Each kind's rows as (scope, key, the key's columns): what a replacement may drop, keys only.
_KEYS = "household_id, commune_list, commune_code, programme, funding_source, review_year, village"
ROWS_SQL = {
    "houses": f"""select h.submission_id, h.excel_row, {UNIT_MONTH} as scope, h.household_id as row_key,
        h.household_id, h.commune_list, h.commune_code, cast(null as varchar) as programme,
        cast(null as varchar) as funding_source, cast(null as integer) as review_year, cast(null as varchar) as village
        from raw.houses as h join raw.submissions as s on s.submission_id = h.submission_id""",
    "grants": f"""select g.submission_id, g.excel_row, {UNIT_MONTH} as scope,
        coalesce(g.commune_list, '-') || '/' || g.commune_code || '/' || g.programme || '/' || g.funding_source as row_key,
        cast(null as varchar) as household_id, g.commune_list, g.commune_code, g.programme, g.funding_source,
        cast(null as integer) as review_year, cast(null as varchar) as village
        from raw.grants as g join raw.submissions as s on s.submission_id = g.submission_id""",
    "poverty": f"""select p.submission_id, p.excel_row, {COMMUNE_YEAR} as scope, lower(trim(coalesce(p.village, ''))) as row_key,
        cast(null as varchar) as household_id, p.commune_list, p.commune_code, cast(null as varchar) as programme,
        cast(null as varchar) as funding_source, p.review_year, p.village
        from raw.poverty as p""",
}


def replaced_rows(con, batch: str) -> list[dict]:
    """Rows that counted before this batch (`batch`: a table of its submission_ids) and no longer do, with the
    new full report that replaced them: keys only (never a name or an ID number)."""
    con.execute("drop table if exists counting_before")
    con.execute(f"create temp table counting_before as {counting_sql(exclude=batch)}")
    try:
        found = []
        for sheet_kind, rows in ROWS_SQL.items():
            cursor = con.execute(f"""
            with touched as (
                select distinct scope from raw.counting
                where sheet_kind = ? and submission_id in (select submission_id from {batch})
            ),
            kind_rows as ({rows}),
            before as (
                select r.*, row_number() over (partition by r.scope, r.row_key order by b.recency) as pick
                from kind_rows as r
                join counting_before as b on b.submission_id = r.submission_id and b.scope = r.scope
                where b.sheet_kind = ? and b.counts and r.scope in (select scope from touched)
            ),
            after as (
                select distinct r.scope, r.row_key
                from kind_rows as r
                join raw.counting as c on c.submission_id = r.submission_id and c.scope = r.scope
                where c.sheet_kind = ? and c.counts and r.scope in (select scope from touched)
            )
            select anchor.submission_id, before.submission_id as replaced_submission_id, before.scope,
                   before.excel_row, {', '.join('before.' + k for k in _KEYS.split(', '))}
            from before
            join raw.counting as anchor
                on anchor.sheet_kind = ? and anchor.scope = before.scope and anchor.anchor and anchor.counts
            where before.pick = 1
              and anchor.submission_id in (select submission_id from {batch})
              and not exists (select 1 from after where after.scope = before.scope and after.row_key = before.row_key)
            order by anchor.submission_id, before.scope, before.excel_row
            """, [sheet_kind] * 4)
            names = [d[0] for d in cursor.description]
            found += [{"sheet_kind": sheet_kind, **dict(zip(names, row))} for row in cursor.fetchall()]
        return found
    finally:
        con.execute("drop table if exists counting_before")


def version_claims(con, batch: str) -> list[dict]:
    """A new submission that replaces (in a kind both carry) another file claiming the same Lần gửi for the
    same unit and month, or is merged into it (a supplement): the new one, its report type, the other file,
    the kinds they share."""
    cursor = con.execute(f"""
    with carried as (
        select c.submission_id, c.sheet_kind, s.unit_type, s.unit_code, s.period, s.version, s.file_sha256,
               s.file_name, s.received_at, s.file_mtime, coalesce(s.report_type, 'full') as report_type
        from (select distinct submission_id, sheet_kind from raw.counting) as c
        join raw.submissions as s on s.submission_id = c.submission_id
    ),
    ranked as (
        select submission_id,
               row_number() over (partition by unit_type, unit_code, period order by {RECENCY}) as month_rank
        from raw.submissions where outcome in {COUNTED}
    )
    select new.submission_id, new.version, new.period, new.report_type, other.submission_id as other_submission_id,
           other.file_name as other_file_name, other.received_at as other_received_at,
           string_agg(distinct new.sheet_kind, ',' order by new.sheet_kind) as kinds
    from carried as new
    join carried as other
        on other.unit_type = new.unit_type and other.unit_code = new.unit_code and other.period = new.period
        and other.version = new.version and other.sheet_kind = new.sheet_kind
        and other.submission_id <> new.submission_id and other.file_sha256 <> new.file_sha256
    join ranked as new_rank on new_rank.submission_id = new.submission_id
    join ranked as other_rank on other_rank.submission_id = other.submission_id
    where new.submission_id in (select submission_id from {batch}) and new_rank.month_rank < other_rank.month_rank
    group by new.submission_id, new.version, new.period, new.report_type, other.submission_id, other.file_name,
             other.received_at
    order by new.submission_id, other.file_name
    """)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def unreplaced_kinds(con, batch: str) -> list[dict]:
    """A new submission whose sheet of a kind holds data rows, every one rejected: it carries nothing of that kind
    and replaces nothing in it, so an earlier submission's figures for the same scope (unit × month; for poverty,
    commune × review year as the rejected rows give them, any year where it could not be read) still count. One
    row per new submission, kind and earlier file still counting: its name and Lần gửi, the scopes (poverty:
    'commune/year', comma-separated)."""
    cursor = con.execute(f"""
    with ranked as (
        select submission_id, row_number() over (order by {RECENCY}) as recency
        from raw.submissions where outcome in {COUNTED}
    ),
    emptied as (
        select k.submission_id, k.sheet as sheet_kind, k.sheet_name, s.unit_type, s.unit_code, s.period
        from raw.submission_sheets as k
        join raw.submissions as s on s.submission_id = k.submission_id
        where k.submission_id in (select submission_id from {batch}) and s.outcome in {COUNTED}
          and k.sheet in ('houses', 'grants', 'poverty') and k.rows_loaded = 0 and k.rows_rejected > 0
    ),
    still_counting as (
        select e.submission_id, e.sheet_kind, e.sheet_name, e.period, c.submission_id as other_submission_id,
               cast(null as varchar) as commune_code, cast(null as integer) as review_year
        from emptied as e
        join raw.submissions as s on s.submission_id = e.submission_id
        join raw.counting as c on c.sheet_kind = e.sheet_kind and c.scope = {UNIT_MONTH} and c.counts
        where e.sheet_kind in ('houses', 'grants')
        union all
        select e.submission_id, e.sheet_kind, e.sheet_name, e.period, c.submission_id as other_submission_id,
               c.commune_code, c.review_year
        from emptied as e
        join raw.rejected_poverty_rows as p on p.submission_id = e.submission_id
        join raw.counting as c
            on c.sheet_kind = 'poverty' and c.counts and c.commune_code = p.commune_code
            and (p.review_year is null
                 or (c.review_year = p.review_year and coalesce(c.commune_list, '-') = coalesce(p.commune_list, '-')))
        where e.sheet_kind = 'poverty'
    )
    select w.submission_id, w.sheet_kind, w.sheet_name, w.period, w.other_submission_id,
           other.file_name as other_file_name, other.version as other_version,
           string_agg(distinct w.commune_code || '/' || cast(w.review_year as varchar), ','
                      order by w.commune_code || '/' || cast(w.review_year as varchar)) as scopes
    from still_counting as w
    join raw.submissions as other on other.submission_id = w.other_submission_id
    join ranked as new_rank on new_rank.submission_id = w.submission_id
    join ranked as other_rank on other_rank.submission_id = w.other_submission_id
    where w.other_submission_id <> w.submission_id and new_rank.recency < other_rank.recency
    group by w.submission_id, w.sheet_kind, w.sheet_name, w.period, w.other_submission_id, other.file_name,
             other.version
    order by w.submission_id, w.sheet_kind, other.file_name
    """)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]
