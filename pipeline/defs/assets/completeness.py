"""submission_completeness: who has reported which month, for the operators (read from bi.duckdb)."""
import dagster as dg

from pipeline.defs import reporting
from pipeline.defs.assets.publish import bi_warehouse
from pipeline.defs.resources import WarehouseResource


@dg.asset(deps=[bi_warehouse], group_name="ops", kinds={"duckdb"})
def submission_completeness(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Which unit has reported which month (marts.agg_submission_completeness, read from what BI
    reads: bi.duckdb or the database on PostgreSQL): the district era (to 2025-06) as a district x
    month grid of its latest 12 months; the commune era (75 communes from 2025-07) as counts per
    month plus the communes that are late or missing; and the counts."""
    with warehouse.published() as con:
        rows = con.execute("select unit_code, period, state from marts.agg_submission_completeness "
                           "where unit_type = 'district' order by 1, 2").fetchall()
        communes = con.execute(
            "select c.unit_code, u.unit_name, c.period, c.state from marts.agg_submission_completeness as c "
            "left join marts.dim_reporting_unit as u on c.unit_type = u.unit_type and c.unit_code = u.unit_code "
            "where c.unit_type = 'commune' order by 1, 3").fetchall()
        problems = con.execute(
            "select unit_code, period, state, submitted_on, due_date "
            "from marts.agg_submission_completeness where state not in ('on_time', 'not_due') "
            "order by period desc, unit_type desc, unit_code").fetchall()
    problems = [(unit, f"{period:%Y-%m}", *rest) for unit, period, *rest in problems]
    all_states = [r[2] for r in rows] + [r[3] for r in communes]
    periods = [r[1] for r in rows] + [r[2] for r in communes]
    states: dict[str, int] = {}
    for unit_state in all_states:
        states[unit_state] = states.get(unit_state, 0) + 1
    era = {"communes": dg.MetadataValue.md(reporting.commune_era_summary(communes))} if communes else {}
    return dg.MaterializeResult(metadata={
        "grid": dg.MetadataValue.md(reporting.completeness_grid(rows)),
        **era,
        "not_on_time": dg.MetadataValue.md(reporting.md_table(["unit", "month", "state", "submitted on", "due"],
                                                              problems, limit=50)),
        "window": f"{min(periods):%Y-%m} … {max(periods):%Y-%m}" if periods else "",
        **{f"months_{name}": count for name, count in sorted(states.items())},
    })
