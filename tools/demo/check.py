"""Compare a real load of the demo with expected_figures(): SQL over the published bi.duckdb.

    python -m tools.demo.check [--warehouse warehouse]      # exit 1 on any difference

Uses only names of the warehouse contract (marts.fct_houses, marts.fct_grants,
marts.agg_poverty_province_year, audit.submissions). The published 2020-2025 figures are also
checked against their published ranges (funding.PUBLISHED_RANGES_2020_2025), not only the pinned values.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from pipeline.config import REPO_DIR

from .figures import expected_figures
from .funding import PUBLISHED_RANGES_2020_2025

DONE = "status = 'completed'"
QUERIES = {
    "houses_completed_2020_2024": f"select count(*) from marts.fct_houses where {DONE} "
                                  "and year(completion_date) between 2020 and 2024",
    "houses_amount_2020_2024": f"select sum(total_vnd) from marts.fct_houses where {DONE} "
                               "and year(completion_date) between 2020 and 2024",
    "houses_by_completion_year": f"select year(completion_date), count(*), sum(total_vnd) from marts.fct_houses "
                                 f"where {DONE} and year(completion_date) <= 2024 group by 1",
    "houses_started_2025q1": "select count(*) from marts.fct_houses "
                             "where start_date between date '2025-01-01' and date '2025-03-31'",
    "houses_started_by_year": "select year(start_date), count(*) from marts.fct_houses "
                              "where year(start_date) >= 2025 group by 1",
    "houses_completed_by_year": f"select year(completion_date), count(*), sum(total_vnd) from marts.fct_houses "
                                f"where {DONE} and year(completion_date) >= 2025 group by 1",
    "houses_completed_2025": f"select count(*), count(*) filter (where support_type = 'new_build'), "
                             "count(*) filter (where support_type = 'repair') from marts.fct_houses "
                             f"where {DONE} and year(completion_date) = 2025",
    "houses_cost_2020_2025": f"select count(*), sum(total_vnd), sum(social_contribution_vnd), "
                             "sum(central_budget_vnd + local_budget_vnd) from marts.fct_houses "
                             f"where {DONE} and year(completion_date) between 2020 and 2025",
    "houses_cost_by_completion_year": "select year(completion_date), sum(central_budget_vnd), sum(local_budget_vnd), "
                                      f"sum(social_contribution_vnd) from marts.fct_houses where {DONE} group by 1",
    "houses_open_at_2026_10": f"select count(*), sum(total_vnd) from marts.fct_houses where not ({DONE})",
    # first reported by a district, last reported by a commune (after 2025-06)
    "houses_crossing_the_reform": f"select count(*), count(*) filter (where {DONE}), sum(total_vnd) "
                                  "from marts.fct_houses where district_code is not null "
                                  "and reported_period >= date '2025-07-01'",
    "grants_amount_by_year": "select year(period), sum(amount_vnd) from marts.fct_grants group by 1",
    "poverty": "select review_year, communes_reported, total_households, poor_households, near_poor_households, "
               "poverty_rate_pct from marts.agg_poverty_province_year",
    "statuses": "select status, count(*) from audit.submissions group by 1",
}


def measured(bi: Path) -> dict:
    con = duckdb.connect(str(bi), read_only=True)
    try:
        q = {k: con.execute(sql).fetchall() for k, sql in QUERIES.items()}
    finally:
        con.close()
    one = lambda k: q[k][0][0]  # noqa: E731
    fig = {k: one(k) for k in ("houses_completed_2020_2024", "houses_amount_2020_2024", "houses_started_2025q1")}
    fig["houses_by_completion_year"] = {y: {"cases": n, "amount": a} for y, n, a in sorted(q["houses_by_completion_year"])}
    fig["houses_started_by_year"] = dict(sorted(q["houses_started_by_year"]))
    fig["houses_completed_by_year"] = {y: {"cases": n, "amount": a} for y, n, a in sorted(q["houses_completed_by_year"])}
    n, new, repair = q["houses_completed_2025"][0]
    fig["houses_completed_2025"] = {"cases": n, "new_build": new, "repair": repair}
    n, amount, social, state = q["houses_cost_2020_2025"][0]
    fig["houses_completed_2020_2025"] = n
    fig["houses_cost_2020_2025"] = {"amount": amount, "social": social, "state": state}
    fig["houses_cost_by_completion_year"] = {y: {"central": c, "local": lo, "social": so}
                                             for y, c, lo, so in sorted(q["houses_cost_by_completion_year"])}
    n, a = q["houses_open_at_2026_10"][0]
    fig["houses_open_at_2026_10"] = {"cases": n, "amount": a or 0}
    n, done, a = q["houses_crossing_the_reform"][0]
    fig["houses_crossing_the_reform"] = {"cases": n, "completed": done, "amount": a or 0}
    fig["grants_amount_by_year"] = dict(sorted(q["grants_amount_by_year"]))
    fig["poverty_rate_pct"] = {y: float(r) for y, _, _, _, _, r in sorted(q["poverty"])}
    fig["poverty_households"] = {y: {"communes": c, "total": t, "poor": p, "near_poor": nr}
                                 for y, c, t, p, nr, _ in sorted(q["poverty"])}
    statuses = dict(q["statuses"])
    fig["ledger_counts"] = {"duplicate": statuses.get("duplicate", 0), "rejected": statuses.get("rejected", 0),
                            "superseded": statuses.get("superseded", 0)}
    return fig


def outside_the_published_ranges(cost: dict) -> list[str]:
    """The province says "over 628 billion, of which over 443 ... and over 185 ...": [X, X + 1) billion."""
    return [f"houses_cost_2020_2025 {k}: {cost[k]:,} outside the published [{lo:,}, {hi:,})"
            for k, (lo, hi) in PUBLISHED_RANGES_2020_2025.items() if not lo <= cost[k] < hi]


def compare(fig: dict) -> list[str]:
    exp = expected_figures()
    exp["ledger_counts"] = {k: exp["ledger_counts"][k] for k in fig["ledger_counts"]}
    return ([f"{k}: loaded {fig[k]!r}, expected {exp[k]!r}" for k in fig if fig[k] != exp[k]]
            + outside_the_published_ranges(fig["houses_cost_2020_2025"]))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.demo.check", description=__doc__.splitlines()[0])
    ap.add_argument("--warehouse", default=str(REPO_DIR / "warehouse"))
    a = ap.parse_args(argv)
    fig = measured(Path(a.warehouse) / "bi.duckdb")
    for k, v in fig.items():
        print(f"{k}: {v}")
    diffs = compare(fig)
    print("\n".join(["", "DIFFERENCES:"] + diffs) if diffs else "\nthe load gives expected_figures()")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
