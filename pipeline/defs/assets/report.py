"""provincial_report: the nightly report of the published warehouse (HTML, PDF, data dictionary)."""
import dagster as dg

from pipeline.defs.assets.publish import bi_warehouse
from pipeline.defs.policies import WAREHOUSE_POOL
from pipeline.defs.resources import WarehouseResource


@dg.asset(deps=[bi_warehouse], group_name="report", pool=WAREHOUSE_POOL, kinds={"html", "pdf"})
def provincial_report(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """<warehouse>/report/index.html (self-contained, charts and tables, every figure selected from
    the reporting layer marts.rpt_* of what BI reads: bi.duckdb, or the PostgreSQL warehouse),
    report.pdf (the same page printed by headless Chromium) and data-dictionary.html (dbt docs
    generate --static, from the DuckDB build). In the warehouse pool: dbt reads the internal warehouse."""
    from pipeline.report import build

    with warehouse.write_lock():
        # the data dictionary only when the dbt project, raw layer or day changed (new files change none)
        result = build.build_report(warehouse.warehouse, url=warehouse.warehouse_url, dictionary_if_changed=True)
    context.log.info(f"charts drawn by {result.chart_workers} worker process(es)")
    if result.memory_mb:
        before, after = result.memory_mb
        context.log.info(f"memory before Chromium: {before:.0f} MB, {after:.0f} MB after releasing freed memory")
    for what, why in result.skipped.items():
        context.log.warning(f"{what} not written: {why}")
    head = result.figures.get("headline", {})
    poverty = head.get("poverty") or {}
    houses = head.get("houses_completed") or {}
    metadata = {
        "report": dg.MetadataValue.path(str(result.html)),
        "pdf": dg.MetadataValue.path(str(result.pdf)) if result.pdf else f"not written: {result.skipped.get('pdf')}",
        "data_dictionary": (dg.MetadataValue.path(str(result.dictionary)) if result.dictionary
                            else f"not written: {result.skipped.get('dictionary')}"),
        "latest_month": str(result.figures["period"].get("latest_month")),
        "figures_on_partial_reporting": len(result.figures["partial_reporting"]),
        "commune_section": "available" if result.figures["poverty_commune"] else "no figures yet",
    }
    if houses.get("from_year") is not None:
        metadata[f"houses_completed_{houses['from_year']}_{houses['to_year']}"] = houses["houses"]
        metadata[f"houses_cost_vnd_{houses['from_year']}_{houses['to_year']}"] = houses["total_vnd"]
    if poverty.get("review_year") is not None:
        metadata[f"poverty_rate_pct_{poverty['review_year']}"] = poverty["poverty_rate_pct"]
    return dg.MaterializeResult(metadata=metadata)
