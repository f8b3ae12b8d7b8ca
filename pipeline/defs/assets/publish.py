"""bi_warehouse: the marts and audit schemas as <warehouse>/bi.duckdb (+ Parquet), replaced atomically."""
import datetime as dt

import dagster as dg

from pipeline.defs import reporting
from pipeline.defs.assets.dbt import dbt_models
from pipeline.defs.policies import WAREHOUSE_POOL
from pipeline.defs.resources import WarehouseResource
from pipeline.warehouse import publish, state, store


@dg.asset(deps=[dbt_models], group_name="publish", pool=WAREHOUSE_POOL, kinds={"duckdb", "parquet"})
def bi_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """<warehouse>/bi.duckdb (schemas marts and audit) and Parquet copies, replaced atomically."""
    with warehouse.write_lock():
        with warehouse.connect() as con:
            version = state.current_version(con)
        path, tables = publish.publish(warehouse.warehouse)
        with warehouse.connect() as con:
            store.set_state(con, "published_version", version)
    context.log.info(f"published {path}")
    return dg.MaterializeResult(metadata={
        "path": str(path), "tables": ", ".join(tables),
        "published_at": dt.datetime.now().isoformat(timespec="seconds"),
        **reporting.published_previews(path),
    })
