"""The report's figures, selected from the reporting layer (marts.rpt_*, built by dbt) and nothing else.

Every figure is computed once, in dbt (dbt_project/models/marts/reporting/), where BI users read
the same tables; here there are only `select ... where ... order by`, in SQL both DuckDB (the
published bi.duckdb) and PostgreSQL (the marts schema) run, and the shaping of rows into the
dicts the page and the JSON data island show. Values come back JSON-able: dates as ISO text,
whole numbers as int, other decimals as float.
"""
from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from pipeline.report.labels import Labels

RPT = "marts"
# what a whole-number figure of rpt_headline counts (its value column is decimal(20,2) for all)
WHOLE_UNITS = {"houses", "households", "people", "students", "vnd", "communes"}
REQUIRED = ("rpt_reporting_period", "rpt_headline", "rpt_houses_year", "rpt_grants_month", "rpt_completeness_month",
            "rpt_poverty_province", "rpt_poverty_district", "rpt_poverty_commune", "rpt_rejected_by_reason",
            "rpt_rejected_by_unit", "rpt_revisions", "rpt_pending_revisions")
REVISIONS_SHOWN = 30   # the report's list of revised figures; the rest are in marts.rpt_revisions


class NoReportingLayer(RuntimeError):
    """The warehouse was published before the reporting layer existed: a load rebuilds it."""


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


def check_layer(con) -> None:
    found = {name for (name,) in con.execute(
        "select table_name from information_schema.tables where table_schema = ?", [RPT]).fetchall()}
    missing = [name for name in REQUIRED if name not in found]
    if missing:
        raise NoReportingLayer(f"the published warehouse has no reporting layer ({RPT}.{missing[0]} and "
                               f"{len(missing) - 1} more missing): it was published by an older version; "
                               "run `python -m pipeline load` to rebuild it")


# -- the selects -------------------------------------------------------------------------------

def period(con) -> dict:
    found = rows(con, f"select * from {RPT}.rpt_reporting_period")
    return found[0] if found else {}


def headline_rows(con) -> list[dict]:
    return rows(con, f"select * from {RPT}.rpt_headline order by sort_order")


def houses_by_year(con) -> list[dict]:
    """The province's houses per calendar year (every year with a house started or completed)."""
    return rows(con, f"select * from {RPT}.rpt_houses_year where unit_level = 'province' order by year")


def poverty_province(con) -> list[dict]:
    return rows(con, f"select * from {RPT}.rpt_poverty_province order by review_year")


def _latest_commune_year(con) -> list[dict]:
    return rows(con, f"select * from {RPT}.rpt_poverty_commune where review_year = "
                     f"(select max(review_year) from {RPT}.rpt_poverty_commune) order by rank_in_year")


def tables(con) -> dict[str, Any]:
    return {
        "poverty_province": poverty_province(con),
        "poverty_district": rows(con, f"select * from {RPT}.rpt_poverty_district order by district_code, review_year"),
        "poverty_commune": _latest_commune_year(con),
        "houses_by_year": [r for r in houses_by_year(con) if r["houses_completed"]],
        "grants_by_month": rows(con, f"select period, programme, programme_label_vi, programme_label_en, "
                                     f"programme_order, beneficiary_unit, beneficiaries, amount_vnd, approval_status "
                                     f"from {RPT}.rpt_grants_month where unit_level = 'province' "
                                     "order by period, programme_order"),
        "completeness": rows(con, f"select * from {RPT}.rpt_completeness_month order by period"),
        "months_not_complete": rows(con, f"select period, units_missing as missing, units_rejected_only as "
                                         f"rejected_only, units_without_report as units from "
                                         f"{RPT}.rpt_completeness_month where units_without_report > 0 order by period"),
        "rejected_by_reason": rows(con, f"select * from {RPT}.rpt_rejected_by_reason "
                                        "order by rows_rejected desc, reason"),
        "rejected_by_unit": rows(con, f"select * from {RPT}.rpt_rejected_by_unit "
                                      "order by rows_rejected desc, unit_code nulls last"),
    }


PARTIAL_SQL = {
    "province": "select unit_code as code, unit_name as name, review_year, communes_reported, communes_due "
                "from {rpt}.rpt_poverty_province where is_partial order by review_year",
    "district": "select district_code as code, district_name as name, review_year, communes_reported, communes_due "
                "from {rpt}.rpt_poverty_district where is_partial order by review_year, district_code",
    "commune_2025": "select commune_2025_code as code, commune_2025_name as name, review_year, communes_reported, "
                    "communes_due from {rpt}.rpt_poverty_commune where is_partial and review_year = "
                    "(select max(review_year) from {rpt}.rpt_poverty_commune) order by commune_2025_code",
}


def signoff(con) -> dict:
    """Sign-off: the months the province approved, the figures revised by the latest publish that changed any
    (province first), the files that await its approval."""
    revised = rows(con, f"select * from {RPT}.rpt_revisions where since_last_report order by unit_scope <> "
                        "'province', unit_scope, sort_order, programme nulls first, period_type desc, period, "
                        "review_year")
    months = rows(con, f"select period, units, units_approved, units_pending from {RPT}.rpt_completeness_month "
                       "order by period")
    approved = [m["period"] for m in months if m["units"] and m["units_approved"] + m["units_pending"] == m["units"]]
    return {"revisions": revised[:REVISIONS_SHOWN], "revisions_count": len(revised),
            "official_revisions": sum(1 for r in revised if r["is_official_revision"]),
            "revised_at": revised[0]["revised_at"] if revised else None,
            "months_approved": len(approved), "latest_month_approved": approved[-1] if approved else None,
            "months_with_approvals": sum(1 for m in months if m["units_approved"] + m["units_pending"]),
            "pending": rows(con, f"select * from {RPT}.rpt_pending_revisions order by period, unit_type desc, "
                                 "unit_code, sheet_kind, file_name")}


def partial_reporting(con) -> list[dict]:
    """Every poverty figure of the report standing on partial reporting (is_partial): the province's
    and the districts' years, and today's communes in the year the report shows."""
    return [{"level": level, **row} for level, sql in PARTIAL_SQL.items() for row in rows(con, sql.format(rpt=RPT))]


# -- shaping rpt_headline's rows for the page ------------------------------------------------------

def _figures(found: list[dict]) -> dict[tuple, dict]:
    out = {}
    for row in found:
        value = row["value"]
        if value is not None and row["value_unit"] in WHOLE_UNITS:
            value = int(value)
        out[(row["figure"], row["programme"])] = {**row, "value": value}
    return out


def _year(day: str | None) -> int | None:
    return int(day[:4]) if day else None


def headline(found: list[dict]) -> dict:
    """The headline cards' figures by name (rows of rpt_headline); {} before the first accepted file."""
    if not found:
        return {}
    figures = _figures(found)

    def value(name: str, programme: str | None = None):
        return figures[(name, programme)]["value"] if (name, programme) in figures else None

    def houses(name: str) -> dict:
        row = figures[(name, None)]
        return {"from_year": _year(row["period_from"]), "to_year": _year(row["period_to"]),
                "houses": row["value"], "total_vnd": value(f"{name}_vnd")}

    def started(name: str, *breakdown: str) -> dict:
        row = figures[(name, None)]
        return {"date_from": row["period_from"], "date_to": row["period_to"], "cases": row["value"],
                **{part: value(f"{name}_{part}") for part in breakdown}}

    out = {"programme": {"houses_completed": houses("programme_houses_completed"),
                         "houses_started": started("programme_houses_started", "completed")},
           "houses_completed": houses("houses_completed"),
           "houses_started": started("houses_started", "completed", "in_progress", "not_started")}
    beneficiaries = [row for row in found if row["figure"] == "grants_beneficiaries"]
    out["grants_year_to_date"] = {
        "date_from": beneficiaries[0]["period_from"] if beneficiaries else None,
        "date_to": beneficiaries[0]["period_to"] if beneficiaries else None,
        "rows": [{"programme": row["programme"], "label_vi": row["programme_label_vi"],
                  "label_en": row["programme_label_en"], "beneficiaries": int(row["value"]),
                  "beneficiary_unit": row["value_unit"], "beneficiary_unit_label_vi": row["value_unit_label_vi"],
                  "beneficiary_unit_label_en": row["value_unit_label_en"],
                  "amount_vnd": value("grants_vnd", row["programme"])}
                 for row in beneficiaries]}
    out["poverty"] = _poverty(figures)
    return out


def _poverty(figures: dict[tuple, dict]) -> dict:
    if ("poverty_rate_pct", None) not in figures:
        return {}
    average = figures.get(("poverty_average_change_pp", None))
    change = figures.get(("poverty_change_pp", None))
    names = {"poverty_rate_pct": "poverty_rate_pct", "change_pp": "poverty_change_pp",
             "poor_households": "poor_households", "total_households": "total_households",
             "communes_reported": "poverty_communes_reported", "communes_due": "poverty_communes_due"}
    return {"review_year": figures[("poverty_rate_pct", None)]["review_year"],
            **{key: figures[(name, None)]["value"] for key, name in names.items() if (name, None) in figures},
            "change_like_for_like": change["like_for_like"] if change else None,
            "poverty_standard": figures[("poverty_rate_pct", None)]["poverty_standard"],
            "average_change_pp": average["value"] if average else None,
            "changes_from": _year(average["period_from"]) if average else None,
            "changes_to": _year(average["period_to"]) if average else None,
            "average_standard": average["poverty_standard"] if average else None,
            "average_like_for_like": average["like_for_like"] if average else None}


def labels(figures: dict) -> Labels:
    """The labels the reporting layer's rows carry (programmes), over the enumerations' own."""
    found = Labels.defaults()
    for row in [*figures["grants_by_month"], *figures["headline"].get("grants_year_to_date", {}).get("rows", [])]:
        code = row["programme"]
        found.add("programme", code, row.get("programme_label_vi") or row.get("label_vi"),
                  row.get("programme_label_en") or row.get("label_en"))
    return found


def collect(con) -> dict:
    """All the report's figures from an open read-only connection to what BI reads."""
    check_layer(con)
    figures = {"period": period(con), "headline": headline(headline_rows(con))}
    figures.update(tables(con))
    figures["partial_reporting"] = partial_reporting(con)
    figures["signoff"] = signoff(con)
    figures["labels"] = labels(figures).as_dict()
    return figures
