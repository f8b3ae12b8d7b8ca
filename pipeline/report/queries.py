"""Every figure of the report, as SQL over the published warehouse (bi.duckdb, read-only).

Nothing is typed in: periods too come from the data (the latest month any reporting unit sent
an accepted file), except the programme's headline periods of the article (config.ARTICLE_*). Every function takes an open connection and returns plain Python values
(JSON-able: dates as ISO text, decimals as floats, sums as ints), so the same values fill the
charts, the tables under them and the JSON data island the tests compare with the marts.

Tables that only exist in newer warehouses (marts.dim_enumeration, marts.agg_poverty_commune_year,
the reform's unit_type / unit_code columns) are used when they are there; the report says
"not available yet" where a section needs one that is not.
"""
from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from pipeline import enumerations
from pipeline.config import ARTICLE_QUARTER, ARTICLE_YEARS

ACCEPTED = ("accepted", "accepted_with_errors")


# -- helpers ---------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def rows(con, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [{n: _plain(v) for n, v in zip(names, row)} for row in cursor.fetchall()]


def one(con, sql: str, params: list | None = None) -> dict:
    found = rows(con, sql, params)
    return found[0] if found else {}


def table_exists(con, schema: str, table: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_schema = ? "
                            "and table_name = ?", [schema, table]).fetchone()[0])


def column_exists(con, schema: str, table: str, column: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.columns where table_schema = ? "
                            "and table_name = ? and column_name = ?", [schema, table, column]).fetchone()[0])


# -- labels ----------------------------------------------------------------------------------

def labels(con) -> dict:
    """domain -> [{code, label_vi, label_en}] in form order, from marts.dim_enumeration when the
    warehouse publishes it, else from pipeline.enumerations (the module its seed is written from)."""
    if table_exists(con, "marts", "dim_enumeration"):
        found = rows(con, "select domain, code, label_vi, label_en from marts.dim_enumeration "
                          "order by domain, sort_order, code")
        source = "marts.dim_enumeration"
    else:
        found = [{"domain": d, "code": c, "label_vi": vi, "label_en": en}
                 for d, c, vi, en, _ in enumerations.seed_rows()]
        source = "pipeline.enumerations"
    by_domain: dict[str, list[dict]] = {}
    for row in found:
        by_domain.setdefault(row["domain"], []).append(
            {"code": row["code"], "label_vi": row["label_vi"], "label_en": row["label_en"]})
    return {"source": source, "domains": by_domain}


# -- the period the headlines speak of ---------------------------------------------------------

PERIODS_SQL = """
with latest as (
    select max(period) as latest_month
    from audit.submissions
    where status in ('accepted', 'accepted_with_errors') and period is not null
)
select
    latest_month,
    -- the last calendar year every month of which has been due
    case when month(latest_month) = 12 then year(latest_month) else year(latest_month) - 1 end as last_full_year,
    cast(date_trunc('year', latest_month) as date) as year_to_date_from,
    cast(last_day(latest_month) as date) as year_to_date_to,
    (select max(received_at) from audit.submissions) as loaded_at,
    (select count(*) from audit.submissions) as files_received
from latest
"""


def periods(con) -> dict:
    return one(con, PERIODS_SQL)


# -- headline figures -------------------------------------------------------------------------

HOUSES_COMPLETED_SQL = """
select
    min(year(completion_date)) as from_year,
    cast(? as integer) as to_year,
    count(*) as houses,
    cast(coalesce(sum(total_vnd), 0) as bigint) as total_vnd
from marts.fct_houses
where status = 'completed' and year(completion_date) <= ?
"""

HOUSES_STARTED_SQL = """
select
    cast(? as date) as date_from,
    cast(? as date) as date_to,
    count(*) as cases,
    count(*) filter (where status = 'completed') as completed,
    count(*) filter (where status = 'in_progress') as in_progress,
    count(*) filter (where status = 'not_started') as not_started
from marts.fct_houses
where start_date between ? and ?
"""

HOUSES_COMPLETED_IN_YEARS_SQL = """
select
    cast(? as integer) as from_year,
    cast(? as integer) as to_year,
    count(*) as houses,
    cast(coalesce(sum(total_vnd), 0) as bigint) as total_vnd
from marts.fct_houses
where status = 'completed' and year(completion_date) between ? and ?
"""

GRANTS_YTD_SQL = """
select
    programme,
    cast(sum(beneficiaries) as bigint) as beneficiaries,
    cast(sum(amount_vnd) as bigint) as amount_vnd
from marts.fct_grants
where period between ? and ?
group by programme
"""

POVERTY_LATEST_SQL = """
select
    review_year,
    poverty_rate_pct,
    change_pp,
    poor_households,
    total_households,
    communes_reported,
    communes_total,
    (select min(review_year) from marts.agg_poverty_province_year where change_pp is not null) as changes_from,
    (select round(avg(change_pp), 2) from marts.agg_poverty_province_year where change_pp is not null)
        as average_change_pp
from marts.agg_poverty_province_year
order by review_year desc
limit 1
"""


def headline(con, period: dict, label_map: dict) -> dict:
    out: dict[str, Any] = {}
    if period.get("latest_month") is None:
        return out
    last_full = period["last_full_year"]
    houses = one(con, HOUSES_COMPLETED_SQL, [last_full, last_full])
    out["houses_completed"] = houses if houses.get("houses") else {**houses, "from_year": None}
    ytd = [period["year_to_date_from"], period["year_to_date_to"]]
    out["houses_started"] = one(con, HOUSES_STARTED_SQL, ytd + ytd)
    grants = {r["programme"]: r for r in rows(con, GRANTS_YTD_SQL, ytd)}
    out["grants_year_to_date"] = {
        "date_from": ytd[0], "date_to": ytd[1],
        "rows": [{"programme": code, **{k: grants.get(code, {}).get(k, 0) for k in ("beneficiaries", "amount_vnd")}}
                 for code in ordered_codes(label_map, "programme", grants)],
    }
    out["poverty"] = one(con, POVERTY_LATEST_SQL)
    out["programme"] = programme(con)
    return out


def programme(con) -> dict:
    """The article's periods (config.ARTICLE_YEARS, ARTICLE_QUARTER), whatever the latest month."""
    years, quarter = list(ARTICLE_YEARS), list(ARTICLE_QUARTER)
    return {"houses_completed": one(con, HOUSES_COMPLETED_IN_YEARS_SQL, years + years),
            "houses_started": one(con, HOUSES_STARTED_SQL, quarter + quarter)}


def ordered_codes(label_map: dict, domain: str, present) -> list[str]:
    """The domain's codes in form order, then any code the data holds that the labels lack."""
    known = [item["code"] for item in label_map["domains"].get(domain, [])]
    return known + sorted(c for c in present if c not in known and c is not None)


# -- tables behind the charts -------------------------------------------------------------------

POVERTY_PROVINCE_SQL = """
select review_year, total_households, poor_households, near_poor_households, poverty_rate_pct,
       near_poor_rate_pct, change_pp, communes_reported, communes_total
from marts.agg_poverty_province_year
order by review_year
"""

POVERTY_DISTRICT_SQL = """
select a.district_code, d.district_name, a.review_year, a.total_households, a.poor_households,
       a.poverty_rate_pct, a.change_pp,
       a.poverty_rate_pct - first_value(a.poverty_rate_pct) over (
           partition by a.district_code order by a.review_year) as change_since_first_pp,
       a.communes_reported, a.communes_total
from marts.agg_poverty_district_year as a
left join marts.dim_district as d using (district_code)
order by a.district_code, a.review_year
"""

POVERTY_COMMUNE_SQL = """
select commune_2025_code, commune_2025_name, review_year, total_households, poor_households,
       near_poor_households, poverty_rate_pct, change_pp, communes_reported, communes_expected, mapping
from marts.agg_poverty_commune_year
where review_year = (select max(review_year) from marts.agg_poverty_commune_year)
order by poverty_rate_pct desc nulls last, commune_2025_code
"""

HOUSES_BY_YEAR_SQL = """
select year(completion_date) as year, support_type, count(*) as houses,
       cast(sum(total_vnd) as bigint) as total_vnd
from marts.fct_houses
where status = 'completed' and completion_date is not null
group by all
order by year, support_type
"""

HOUSES_COST_SQL = """
select year(completion_date) as year,
       count(*) as houses,
       cast(sum(central_budget_vnd) as bigint) as central_vnd,
       cast(sum(local_budget_vnd) as bigint) as local_vnd,
       cast(sum(social_contribution_vnd) as bigint) as social_vnd,
       cast(sum(total_vnd) as bigint) as total_vnd
from marts.fct_houses
where status = 'completed' and completion_date is not null
group by all
order by year
"""

GRANTS_BY_MONTH_SQL = """
select period, programme, cast(sum(beneficiaries) as bigint) as beneficiaries,
       cast(sum(amount_vnd) as bigint) as amount_vnd
from marts.fct_grants
group by all
order by period, programme
"""

GRANTS_MONTH_TOTALS_SQL = """
select period, cast(sum(beneficiaries) as bigint) as beneficiaries, cast(sum(amount_vnd) as bigint) as amount_vnd
from marts.fct_grants
group by period
order by period
"""

MONTHS_NOT_COMPLETE_SQL = """
select period,
       count(*) filter (where state = 'missing') as missing,
       count(*) filter (where state = 'rejected_only') as rejected_only,
       count(*) filter (where state in ('missing', 'rejected_only')) as units
from marts.agg_submission_completeness
group by period
having count(*) filter (where state in ('missing', 'rejected_only')) > 0
order by period
"""

COMPLETENESS_SQL = """
select period, state, count(*) as units
from marts.agg_submission_completeness
group by all
order by period, state
"""

REJECTED_BY_REASON_SQL = """
select reason, max(reason_vi) as reason_vi, count(*) as rows_rejected,
       count(distinct submission_id) as files
from audit.rejected_rows
group by reason
order by rows_rejected desc, reason
"""


def _unit_sql(con) -> str:
    """Rejected rows by reporting unit: districts before the reform, communes after (unit_code)."""
    reform = column_exists(con, "audit", "submissions", "unit_code")
    unit_code = "coalesce(s.unit_code, s.district_code)" if reform else "s.district_code"
    if reform and table_exists(con, "marts", "dim_reporting_unit"):
        names = ("left join (select unit_code, max(unit_name) as unit_name from marts.dim_reporting_unit "
                 "group by unit_code) as u on u.unit_code = units.unit_code")
    else:
        names = ("left join (select district_code as unit_code, district_name as unit_name "
                 "from marts.dim_district) as u on u.unit_code = units.unit_code")
    return f"""
with units as (
    select {unit_code} as unit_code, r.submission_id
    from audit.rejected_rows as r
    left join audit.submissions as s using (submission_id)
)
select units.unit_code, u.unit_name, count(*) as rows_rejected,
       count(distinct units.submission_id) as files
from units
{names}
group by all
order by rows_rejected desc, units.unit_code nulls last
"""


def tables(con) -> dict[str, Any]:
    out: dict[str, Any] = {
        "poverty_province": rows(con, POVERTY_PROVINCE_SQL),
        "poverty_district": rows(con, POVERTY_DISTRICT_SQL),
        "houses_by_year": rows(con, HOUSES_BY_YEAR_SQL),
        "houses_cost": rows(con, HOUSES_COST_SQL),
        "grants_by_month": rows(con, GRANTS_BY_MONTH_SQL),
        "grants_month_totals": rows(con, GRANTS_MONTH_TOTALS_SQL),
        "completeness": rows(con, COMPLETENESS_SQL),
        "months_not_complete": rows(con, MONTHS_NOT_COMPLETE_SQL),
        "rejected_by_reason": rows(con, REJECTED_BY_REASON_SQL),
        "rejected_by_unit": rows(con, _unit_sql(con)),
    }
    # today's map (75 communes), once the reform's mart is published
    out["poverty_commune"] = (rows(con, POVERTY_COMMUNE_SQL)
                              if table_exists(con, "marts", "agg_poverty_commune_year") else None)
    return out


# -- which figures stand on partial reporting ---------------------------------------------------

PARTIAL_SQL = """
select 'province' as level, null as code, null as name, review_year, communes_reported,
       communes_total as communes_due
from marts.agg_poverty_province_year
where communes_reported < communes_total
union all
select 'district', a.district_code, d.district_name, a.review_year, a.communes_reported, a.communes_total
from marts.agg_poverty_district_year as a
left join marts.dim_district as d using (district_code)
where a.communes_reported < a.communes_total
"""

PARTIAL_COMMUNE_SQL = """
union all
select 'commune_2025', commune_2025_code, commune_2025_name, review_year, communes_reported, communes_expected
from marts.agg_poverty_commune_year
where communes_reported < communes_expected
  and review_year = (select max(review_year) from marts.agg_poverty_commune_year)
"""


def partial_reporting(con) -> list[dict]:
    """Every poverty figure of the report whose communes_reported falls short of the communes due
    (communes_total; communes_expected on today's map, in the year the report shows)."""
    sql = PARTIAL_SQL
    if table_exists(con, "marts", "agg_poverty_commune_year"):
        sql += PARTIAL_COMMUNE_SQL
    return rows(con, f"select * from ({sql}) order by level desc, review_year, code")


def collect(con) -> dict:
    """All the report's figures from an open (read-only) connection to bi.duckdb."""
    label_map = labels(con)
    period = periods(con)
    figures = {"period": period, "labels": label_map}
    figures["headline"] = headline(con, period, label_map)
    figures.update(tables(con))
    figures["partial_reporting"] = partial_reporting(con)
    return figures
