"""bi_warehouse: the marts and audit schemas as <warehouse>/bi.duckdb (+ Parquet), replaced atomically; the
headline figures it publishes recorded first (pipeline/warehouse/figures.py)."""
import datetime as dt

import dagster as dg

from pipeline.defs import reporting
from pipeline.defs.assets.dbt import dbt_models
from pipeline.defs.policies import WAREHOUSE_POOL
from pipeline.defs.resources import WarehouseResource
from pipeline.warehouse import figures, publish, state, store


@dg.asset(deps=[dbt_models], group_name="publish", pool=WAREHOUSE_POOL, kinds={"duckdb", "parquet"})
def bi_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """<warehouse>/bi.duckdb (schemas marts and audit) and Parquet copies, replaced atomically; on
    PostgreSQL, the schemas marts and audit swapped in at once and granted to the BI role."""
    with warehouse.write_lock():
        if warehouse.on_postgres:
            where, tables, published_at = _publish_postgres(context, warehouse)
        else:
            with warehouse.connect() as con:
                version = state.current_version(con)
                published_at = figures.record(con)
            path, tables = publish.publish(warehouse.warehouse)
            with warehouse.connect() as con:
                store.set_state(con, "published_version", version)
            where = str(path)
    context.log.info(f"published {where}" + (f"; headline figures recorded as published at {published_at}"
                                               if published_at else ""))
    with warehouse.published() as con:
        previews = reporting.published_previews(con)
    return dg.MaterializeResult(metadata={
        "path": where, "tables": ", ".join(tables),
        "figures_published_at": str(published_at or "no figure changed"),
        "published_at": dt.datetime.now().isoformat(timespec="seconds"),
        **previews,
    })


def _publish_postgres(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """marts__build/audit__build swapped in as marts/audit in one transaction, SELECT granted to the BI role;
    (where, tables, when the figures were recorded as published)."""
    from pipeline.warehouse import pg, pg_publish

    with warehouse.connect() as con:
        version = state.current_version(con)
        published_at = figures.record(con, marts=f"marts{pg_publish.BUILD_SUFFIX}")
        tables, role = pg_publish.publish(con)
        store.set_state(con, "published_version", version)
    if role is None:
        context.log.warning(f"role {pg_publish.bi_role()} does not exist: marts and audit granted to nobody")
    where = f"{pg.display_url(warehouse.warehouse_url)} (schemas marts, audit; SELECT for {role or 'nobody'})"
    return where, tables, published_at
