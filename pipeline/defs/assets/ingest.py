"""raw/*: discover new workbooks, parse and validate them, load the raw layer (pipeline/ingest/batch.py)."""
import dagster as dg

from pipeline import feedback, rulebook
from pipeline.defs import reporting
from pipeline.defs.policies import WAREHOUSE_POOL
from pipeline.defs.resources import WarehouseResource
from pipeline.form import DATA_SHEETS
from pipeline.ingest import batch
from pipeline.warehouse import state

RAW_TABLES = ["submissions", "submission_sheets", "houses", "grants", "poverty", "rejected_rows", "warnings",
              "skipped_rows", "rejected_poverty_rows"]
# One check per severity of the rule book's set-wise rules (judged by Great Expectations) on this run's new rows.
RULE_CHECKS = {"row_rules": rulebook.ERROR, "soft_rules": rulebook.WARNING}


def rule_check_description(sheet_kind: str, check: str) -> str:
    """What a rule check covers, from the rule book: its rules by name, with their English reasons."""
    severity = RULE_CHECKS[check]
    rules = [r for r in rulebook.judged(sheet_kind) if r.severity == severity]
    outcome = "failing rows are rejected" if severity == rulebook.ERROR else "findings are warnings, the rows load"
    lines = "\n".join(f"- `{r.name}`: {r.reason}" for r in rules) or "(none)"
    return (f"The rule book's {severity} rules on this run's new {sheet_kind} rows, judged by Great Expectations "
            f"({outcome}; pipeline/rulebook/):\n{lines}")


class IngestConfig(dg.Config):
    """rebuild: run dbt build and publish even when nothing new arrived (the nightly schedule sets
    it, so the marts materialize every night and their freshness policy shows a missed night)."""

    rebuild: bool = False


@dg.multi_asset(
    name="ingest_submissions",
    specs=[dg.AssetSpec(["raw", table], skippable=True, group_name="ingest", kinds={"python", "duckdb"},
                        description=f"Raw layer table raw.{table}, loaded from the reporting units' workbooks")
           for table in RAW_TABLES],
    check_specs=[dg.AssetCheckSpec(check, asset=["raw", kind], description=rule_check_description(kind, check))
                 for kind in DATA_SHEETS for check in RULE_CHECKS],
    pool=WAREHOUSE_POOL,
    can_subset=True,   # also makes the checks optional: a run with no new rows reports none
)
def ingest_submissions(context: dg.AssetExecutionContext, config: IngestConfig, warehouse: WarehouseResource):
    """Discover new workbooks, parse and validate them, load the raw layer (one transaction per batch)."""
    with warehouse.write_lock():
        result = batch.run_ingest(warehouse.sources, warehouse.warehouse, run_id=context.run.run_id,
                                  progress=context.log.info, warehouse_url=warehouse.warehouse_url)
        with warehouse.connect() as con:
            needs_build = not state.published_is_current(con, warehouse.warehouse)
            feedback_missing = bool(feedback.missing_feedback(con, warehouse.warehouse))
            if not (config.rebuild or needs_build or feedback_missing):
                context.log.info("nothing new since the last published build: dbt and publish are skipped")
                return
            files_by_status = reporting.files_by_status(con, "raw.submissions")
            sheets = reporting.sheet_reports(con, [e["submission_id"] for e in result.new_entries])
    selected = context.selected_asset_keys
    for table in RAW_TABLES:
        key = dg.AssetKey(["raw", table])
        if key in selected:
            yield dg.MaterializeResult(asset_key=key, metadata=_table_metadata(table, result, files_by_status, sheets))
    yield from _rule_checks(result, context.selected_asset_check_keys)


def _table_metadata(table: str, result: batch.IngestResult, files_by_status: str, sheets: dict) -> dict:
    metadata: dict = {}
    if table == "submissions":
        metadata.update(files_found=result.files_found, new_ledger_entries=len(result.new_entries),
                        **{column: result.total(column)
                           for column in ("rows_read", "rows_loaded", "rows_rejected", "rows_skipped")},
                        **{f"files_{status}": n for status, n in sorted(result.by_status().items())},
                        files_by_status=dg.MetadataValue.md(files_by_status))
        if result.new_entries:
            metadata["new_submissions"] = dg.MetadataValue.md(reporting.submissions_markdown(result.new_entries))
    if table in sheets:
        metadata["rows_by_submission"] = dg.MetadataValue.md(sheets[table])
    return metadata


def _rule_checks(result: batch.IngestResult, selected_checks):
    """One result per rule check that had new rows to evaluate; none where nothing was validated."""
    for kind in DATA_SHEETS:
        rules = result.rule_summary.get(kind)
        if not rules:
            continue
        for check, severity in RULE_CHECKS.items():
            if dg.AssetCheckKey(dg.AssetKey(["raw", kind]), check) not in selected_checks:
                continue
            found = {name: c["unexpected"] for name, c in rules.items() if c["severity"] == severity}
            prefix = "rejected_by" if severity == "error" else "warnings"
            yield dg.AssetCheckResult(asset_key=["raw", kind], check_name=check, passed=not any(found.values()),
                                      severity=dg.AssetCheckSeverity.WARN,
                                      metadata={f"{prefix}_{k}": v for k, v in found.items()})
