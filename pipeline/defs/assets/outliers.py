"""figures_near_history: an asset check on audit.outliers (warns, never blocks): this load's figures far from
their unit's own history, listed in its metadata for the province to check."""
import dagster as dg

from pipeline.defs import reporting
from pipeline.defs.policies import WAREHOUSE_POOL
from pipeline.defs.resources import WarehouseResource
from pipeline.warehouse import store

OUTLIERS = dg.AssetKey(["audit", "audit_outliers"])
LISTED = 50
COLUMNS = ("unit", "month / review", "measure", "value", "usually", "score", "file")


@dg.asset_check(asset=OUTLIERS, name="figures_near_history", blocking=False, pool=WAREHOUSE_POOL,
                description="The figures this load brought that are far from their unit's own history (audit.outliers: "
                            "a modified z-score beyond 3.5 against the unit's previous 12 months, or a poverty count "
                            "beyond ±10/40/40 % of the previous review). They load; the clerk is asked to check them. "
                            "Warns, never blocks.")
def figures_near_history(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.write_lock(), warehouse.connect() as con:
        outliers = f"{store.built_schema(con, 'audit')}.outliers"   # what dbt just built (PostgreSQL: before publish)
        total = con.execute(f"select count(*) from {outliers}").fetchone()[0]
        found = con.execute(
            "select o.unit_code, o.period, o.review_year, o.measure, o.value, o.median, o.score, s.file_name "
            f"from {outliers} as o join raw.submissions as s on s.submission_id = o.submission_id "
            "where s.run_id = ? order by abs(o.score) desc", [context.run.run_id]).fetchall()
    rows = [(unit, f"{period:%Y-%m}" if period else str(year), measure, f"{value:,.0f}", f"{usual:,.0f}",
             f"{score:.2f}", file_name) for unit, period, year, measure, value, usual, score, file_name in found]
    context.log.info(f"{len(rows)} figure(s) of this load far from their unit's history ({total} in all)")
    return dg.AssetCheckResult(
        passed=not rows, severity=dg.AssetCheckSeverity.WARN,
        metadata={"outliers_this_load": len(rows), "outliers_in_all": total,
                  "outliers": dg.MetadataValue.md(reporting.md_table(list(COLUMNS), rows, limit=LISTED))})
