"""Reading a built report back (its JSON data island) and checking its figures against the facts and
aggregates of the marts with SQL written here, independently of the reporting layer (marts.rpt_*,
which the report selects from) and of pipeline/report/queries.py."""
from __future__ import annotations

import datetime as dt
import decimal
import json
import re
from pathlib import Path

import duckdb

ISLAND = re.compile(r'<script type="application/json" id="report-data">\s*(.*?)\s*</script>', re.S)


def island(html: str) -> dict:
    found = ISLAND.search(html)
    assert found, "no JSON data island in the report"
    return json.loads(found.group(1))


def _plain(value):
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _rows(con, sql: str, params=None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [{n: _plain(v) for n, v in zip(names, row)} for row in cursor.fetchall()]


def _same(mine: dict, theirs: dict) -> bool:
    """Every column the two rows share holds the same value."""
    shared = set(mine) & set(theirs)
    return bool(shared) and all(mine[k] == theirs[k] for k in shared)


def assert_matches_marts(figures: dict, bi_path: Path) -> None:
    """Every figure of the island equals what the marts say."""
    con = duckdb.connect(str(bi_path), read_only=True)
    try:
        latest = con.execute("select max(period) from audit.submissions "
                             "where status in ('accepted', 'accepted_with_errors')").fetchone()[0]
        assert figures["period"]["latest_month"] == latest.isoformat()
        assert figures["period"]["loaded_at"] == _plain(con.execute("select max(received_at) from audit.submissions").fetchone()[0])
        last_full = latest.year if latest.month == 12 else latest.year - 1
        head = figures["headline"]

        houses, cost, first = con.execute(
            "select count(*), sum(total_vnd), min(year(completion_date)) from marts.fct_houses "
            "where status = 'completed' and year(completion_date) <= ?", [last_full]).fetchone()
        assert (head["houses_completed"]["houses"], head["houses_completed"]["total_vnd"]) == (houses, int(cost or 0))
        assert (head["houses_completed"]["from_year"], head["houses_completed"]["to_year"]) == (first, last_full)

        programme = head["programme"]   # the article's periods, whatever the latest month
        houses, cost = con.execute(
            "select count(*), sum(total_vnd) from marts.fct_houses "
            "where status = 'completed' and year(completion_date) between 2020 and 2024").fetchone()
        assert programme["houses_completed"] == {"from_year": 2020, "to_year": 2024, "houses": houses,
                                                 "total_vnd": int(cost or 0)}
        quarter = dict(con.execute("select status, count(*) from marts.fct_houses "
                                   "where start_date between date '2025-01-01' and date '2025-03-31' group by 1").fetchall())
        assert (programme["houses_started"]["cases"], programme["houses_started"]["completed"]) == \
            (sum(quarter.values()), quarter.get("completed", 0))

        start = dt.date(latest.year, 1, 1)
        end = (latest.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        started = dict(con.execute("select status, count(*) from marts.fct_houses where start_date between ? and ? "
                                   "group by 1", [start, end]).fetchall())
        got = head["houses_started"]
        assert got["cases"] == sum(started.values())
        assert (got["completed"], got["in_progress"], got["not_started"]) == \
            (started.get("completed", 0), started.get("in_progress", 0), started.get("not_started", 0))

        grants = {p: (int(n), int(a)) for p, n, a in con.execute(
            "select programme, sum(beneficiaries), sum(amount_vnd) from marts.fct_grants "
            "where period between ? and ? group by 1", [start, end]).fetchall()}
        shown = {r["programme"]: (r["beneficiaries"], r["amount_vnd"]) for r in head["grants_year_to_date"]["rows"]}
        assert {p: v for p, v in shown.items() if v != (0, 0)} == grants

        province = _rows(con, "select * from marts.agg_poverty_province_year order by review_year")
        newest = province[-1]
        assert (head["poverty"]["review_year"], head["poverty"]["poverty_rate_pct"], head["poverty"]["change_pp"]) == \
            (newest["review_year"], newest["poverty_rate_pct"], newest["change_pp"])
        assert (head["poverty"]["communes_reported"], head["poverty"]["communes_due"]) == \
            (newest["communes_reported"], newest["communes_total"])
        # the average change a year: within the standard of the latest change only, and it says which
        compared = [r for r in province if r["change_pp"] is not None]
        within = [r for r in compared if compared and r["poverty_standard"] == compared[-1]["poverty_standard"]]
        if within:
            changes = [r["change_pp"] for r in within]
            assert abs(head["poverty"]["average_change_pp"] - sum(changes) / len(changes)) < 0.006
            assert head["poverty"]["average_standard"] == within[0]["poverty_standard"]
            assert (head["poverty"]["changes_from"], head["poverty"]["changes_to"]) == (
                within[0]["review_year"] - 1, within[-1]["review_year"])
        assert all(r["change_pp"] is None for r in province if not r["comparable_with_previous"])
        for mine, theirs in zip(figures["poverty_province"], province, strict=True):
            assert _same(mine, theirs) and mine["communes_due"] == theirs["communes_total"]

        district = _rows(con, "select a.*, d.district_name from marts.agg_poverty_district_year a "
                              "left join marts.dim_district d using (district_code) order by district_code, review_year")
        first_rate = {}   # the change since the district's first year under the same poverty standard
        for mine, theirs in zip(figures["poverty_district"], district, strict=True):
            key = (theirs["district_code"], theirs["poverty_standard"])
            first_rate.setdefault(key, theirs["poverty_rate_pct"])
            assert _same(mine, theirs) and mine["communes_due"] == theirs["communes_total"]
            assert mine["change_since_first_pp"] == round(theirs["poverty_rate_pct"] - first_rate[key], 2)

        by_year = {(y, s): n for y, s, n in con.execute(
            "select year(completion_date), support_type, count(*) from marts.fct_houses "
            "where status = 'completed' group by all").fetchall()}
        assert {(r["year"], s): r[f"completed_{s}"] for r in figures["houses_by_year"] for s in ("new_build", "repair")
                if r[f"completed_{s}"]} == by_year
        cost = {y: tuple(int(x) for x in rest) for y, *rest in con.execute(
            "select year(completion_date), count(*), sum(central_budget_vnd), sum(local_budget_vnd), "
            "sum(social_contribution_vnd), sum(total_vnd) from marts.fct_houses where status = 'completed' "
            "group by 1").fetchall()}
        assert {r["year"]: (r["houses_completed"], r["completed_central_vnd"], r["completed_local_vnd"],
                            r["completed_social_vnd"], r["completed_vnd"]) for r in figures["houses_by_year"]} == cost

        monthly = {(p.isoformat(), g): (int(n), int(a)) for p, g, n, a in con.execute(
            "select period, programme, sum(beneficiaries), sum(amount_vnd) from marts.fct_grants group by all").fetchall()}
        assert {(r["period"], r["programme"]): (r["beneficiaries"], r["amount_vnd"])
                for r in figures["grants_by_month"]} == monthly
        # what Số đối tượng counts per programme (the submission format's grants sheet)
        units = {"production": "households", "medical": "people", "students": "students", "hardship_other": "households"}
        assert all(r["beneficiary_unit"] == units[r["programme"]] for r in figures["grants_by_month"])
        assert all(r["beneficiary_unit"] == units[r["programme"]] for r in head["grants_year_to_date"]["rows"])

        states = {(p.isoformat(), s): n for p, s, n in con.execute(
            "select period, state, count(*) from marts.agg_submission_completeness group by all").fetchall()}
        assert {(r["period"], s): r[f"units_{s}"] for r in figures["completeness"]
                for s in ("on_time", "late", "missing", "rejected_only", "not_due") if r[f"units_{s}"]} == states
        gaps = {}
        for (period, state), n in states.items():
            if state in ("missing", "rejected_only"):
                gaps[period] = gaps.get(period, 0) + n
        assert {r["period"]: r["units"] for r in figures["months_not_complete"]} == gaps

        reasons = dict(con.execute("select reason, count(*) from audit.rejected_rows group by 1").fetchall())
        assert {r["reason"]: r["rows_rejected"] for r in figures["rejected_by_reason"]} == reasons
        assert sum(r["rows_rejected"] for r in figures["rejected_by_unit"]) == sum(reasons.values())

        partial = [(r["review_year"], r["communes_reported"], r["communes_total"]) for r in province
                   if r["communes_reported"] < r["communes_total"]]
        partial += [(r["review_year"], r["communes_reported"], r["communes_total"]) for r in district
                    if r["communes_reported"] < r["communes_total"]]
        commune = _rows(con, "select * from marts.agg_poverty_commune_year where review_year = "
                             "(select max(review_year) from marts.agg_poverty_commune_year)")
        mine = sorted(figures["poverty_commune"], key=lambda r: r["commune_2025_code"])
        for mine_row, theirs in zip(mine, sorted(commune, key=lambda r: r["commune_2025_code"]), strict=True):
            assert _same(mine_row, theirs) and mine_row["communes_due"] == theirs["communes_expected"]
        rates = [r["poverty_rate_pct"] for r in figures["poverty_commune"] if r["poverty_rate_pct"] is not None]
        assert rates == sorted(rates, reverse=True)   # ranked
        assert [r["rank_in_year"] for r in figures["poverty_commune"]] == list(range(1, len(commune) + 1))
        partial += [(r["review_year"], r["communes_reported"], r["communes_expected"]) for r in commune
                    if r["communes_reported"] < r["communes_expected"]]
        assert sorted((r["review_year"], r["communes_reported"], r["communes_due"])
                      for r in figures["partial_reporting"]) == sorted(partial)
    finally:
        con.close()
