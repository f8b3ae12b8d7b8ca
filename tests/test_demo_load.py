"""The committed demo through the real load: the article's figures unchanged, the reforms' figures
as the demo generator wrote them (tools/demo/figures.py), and both printed at the end of the load."""
from __future__ import annotations

import pytest

from tools.demo import expected_figures
from tools.demo.check import compare, measured

pytestmark = pytest.mark.slow   # a real CLI load of the whole demo (shared: conftest.demo_load)


def test_the_demo_load_gives_the_expected_figures(demo_load):
    warehouse, _ = demo_load
    assert compare(measured(warehouse / "bi.duckdb")) == []


def test_the_load_prints_the_article_and_the_new_figures(demo_load):
    _, done = demo_load
    expected = expected_figures()
    out = done.stdout
    assert "  houses completed 2020–2024: 9,317 for 441,287,000,000 VND; started in Q1 2025: 2,337" in out
    cost = expected["houses_cost_2020_2025"]
    by_source = {k: sum(expected["houses_cost_by_completion_year"][y][k] for y in range(2020, 2026))
                 for k in ("central", "local")}
    assert (f"  houses completed 2020–2025: 12,667 for {cost['amount']:,} VND: social contributions "
            f"{cost['social']:,}, state budget {cost['state']:,} (central {by_source['central']:,}, "
            f"local {by_source['local']:,})") in out
    completed_2025 = expected["houses_completed_by_year"][2025]
    assert f"2025 {completed_2025['cases']:,} ({completed_2025['amount']:,} VND)" in out
    assert f"2025 {expected['houses_started_by_year'][2025]:,}" in out
    rates = ", ".join(f"{year} {rate:.2f} %" for year, rate in sorted(expected["poverty_rate_pct"].items()))
    assert f"  poverty rate at the end of each review: {rates}" in out
    assert "2021 21.66 %, 2022 17.90 %, 2023 14.41 %, 2024 10.89 %" in out
    # the 2020 rate stands on the 2016-2020 standard: the average change a year is taken from 2021 on only
    # ((8.47 - 21.66) / 4, not the (8.47 - 24.52) / 5 = -3.21 a single line from 2020 would give)
    assert ("  poverty standards (rates of two are not comparable): 2020 2016-2020, 2021–2025 2022-2025; "
            "average change a year within 2022-2025: -3.30 points 2021–2025") in out


def test_the_demo_flags_few_unit_months_as_far_from_their_history(demo_load):
    """Issue 24: at most 2 % of the demo's unit-months flagged (audit.outliers), the count pinned so a
    change of threshold or method shows here (README, "Figures far from a unit's history")."""
    import duckdb

    warehouse, _ = demo_load
    con = duckdb.connect(str(warehouse / "bi.duckdb"), read_only=True)
    try:
        unit_months = con.execute(
            "select count(*) from (select unit_code, period from marts.rpt_houses_month where unit_level = 'commune' "
            "union select unit_code, period from marts.rpt_grants_month where unit_level = 'commune')").fetchone()[0]
        flagged = con.execute("select count(distinct (unit_type, unit_code, period)) from audit.outliers "
                              "where period is not null").fetchone()[0]
        reviews = con.execute("select count(distinct (unit_code, review_year)) from audit.outliers "
                              "where review_year is not null").fetchone()[0]
    finally:
        con.close()
    assert (flagged, unit_months, reviews) == (23, 5822, 35)
    assert flagged / unit_months <= 0.02
