"""feedback_workbooks: one workbook per submission with problems, for the reporting unit's clerk."""
import dagster as dg

from pipeline import feedback
from pipeline.defs import reporting
from pipeline.defs.policies import WAREHOUSE_POOL
from pipeline.defs.resources import WarehouseResource
from pipeline.warehouse import store


# After dbt: a figure far from its unit's history (audit.outliers) is a warning in the clerk's workbook too.
@dg.asset(deps=[["raw", "submissions"], ["raw", "rejected_rows"], ["raw", "warnings"], ["audit", "audit_outliers"]],
          group_name="feedback",
          pool=WAREHOUSE_POOL, kinds={"excel"})
def feedback_workbooks(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """<warehouse>/feedback/*.xlsx: this run's submissions with errors, warnings or figures to check (and
    any a killed load left unwritten, and earlier ones this run told something new), summary first, each
    problem with its sheet, cell and reason in VI and EN."""
    with warehouse.write_lock(), warehouse.connect() as con:
        written = feedback.feedback_for_run(con, warehouse.warehouse, context.run.run_id)
    context.log.info(f"{len(written)} feedback workbook(s) written")
    metadata = {"feedback_folder": str(store.feedback_dir(warehouse.warehouse)), "workbooks_written": len(written)}
    if written:   # the same summary the clerks get in their workbooks
        metadata["feedback_workbooks"] = dg.MetadataValue.md(reporting.feedback_markdown(written))
    return dg.MaterializeResult(metadata=metadata)
