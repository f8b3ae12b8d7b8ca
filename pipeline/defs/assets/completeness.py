"""submission_completeness: who has reported which month, for the operators (read from bi.duckdb)."""
import dagster as dg

from pipeline.defs import reporting
from pipeline.defs.assets.publish import bi_warehouse
from pipeline.defs.resources import WarehouseResource


@dg.asset(deps=[bi_warehouse], group_name="ops", kinds={"duckdb"})
def submission_completeness(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Which district has reported which month (marts.agg_submission_completeness, read from the
    published bi.duckdb): a district x month grid of the latest 12 months, plus the counts."""
    with warehouse.published() as con:
        rows = con.execute("select district_code, period, state from marts.agg_submission_completeness "
                           "order by 1, 2").fetchall()
        problems = con.execute(
            "select district_code, period, state, submitted_on, due_date "
            "from marts.agg_submission_completeness where state not in ('on_time', 'not_due') "
            "order by period desc, district_code").fetchall()
    problems = [(unit, f"{period:%Y-%m}", *rest) for unit, period, *rest in problems]
    states: dict[str, int] = {}
    for _, _, unit_state in rows:
        states[unit_state] = states.get(unit_state, 0) + 1
    return dg.MaterializeResult(metadata={
        "grid": dg.MetadataValue.md(reporting.completeness_grid(rows)),
        "not_on_time": dg.MetadataValue.md(reporting.md_table(["district", "month", "state", "submitted on", "due"],
                                                              problems, limit=50)),
        "window": f"{min(r[1] for r in rows):%Y-%m} … {max(r[1] for r in rows):%Y-%m}" if rows else "",
        **{f"months_{name}": count for name, count in sorted(states.items())},
    })
