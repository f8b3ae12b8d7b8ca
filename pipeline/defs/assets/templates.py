"""monthly_templates: each reporting unit's workbook for the month being reported (wiring only:
pipeline/templates/build.py does the work)."""
import datetime as dt

import dagster as dg

from pipeline.defs.assets.publish import bi_warehouse
from pipeline.defs.policies import WAREHOUSE_POOL
from pipeline.defs.resources import WarehouseResource


class TemplatesConfig(dg.Config):
    period: str = ""   # YYYY-MM; empty: the month before today (on 1 December, November's templates)


@dg.asset(deps=[bi_warehouse], group_name="templates", pool=WAREHOUSE_POOL, kinds={"excel"})
def monthly_templates(context: dg.AssetExecutionContext, config: TemplatesConfig,
                      warehouse: WarehouseResource) -> dg.MaterializeResult:
    """<warehouse>/templates/<YYYY-MM>/: one workbook per reporting unit in force that month, pre-filled
    with its open house cases from the published warehouse (no personal data), with dropdowns and
    checks. In the warehouse pool: without a published bi.duckdb it reads the working warehouse, which
    must not be mid-write."""
    from pipeline.templates import build

    today = dt.date.today()
    period = build.parse_period(config.period) if config.period else build.previous_month(today)
    run = build.build_templates(period, warehouse.warehouse, today=today, url=warehouse.warehouse_url)
    context.log.info(f"{len(run.files)} templates for {period:%m/%Y} in {run.out_dir}")
    for warning in run.warnings():
        context.log.warning(warning)
    return dg.MaterializeResult(metadata={
        "period": f"{period:%Y-%m}", "due": f"{run.due:%d/%m/%Y}", "folder": dg.MetadataValue.path(str(run.out_dir)),
        "workbooks": len(run.files), "open_cases_prefilled": sum(run.open_cases.values()),
        "cases_reported_since": sum(run.reported_since.values()),
        "files": dg.MetadataValue.md("\n".join(f"- {line.strip()}" for line in run.lines())),
    })
