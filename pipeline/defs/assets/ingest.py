"""raw/*: discover new workbooks, parse and validate them, load the raw layer (pipeline/ingest/batch.py)."""
import dagster as dg

from pipeline import feedback, rulebook
from pipeline.config import local_today
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
# Why a rule check shows "Skipped" in the UI (Dagster has no per-run reason for a check not run).
NOT_EVALUATED = ("Skipped when the run brought no new rows of this sheet: nothing to validate (a quiet night, or "
                 "new files without this sheet); the step's log says so. Failing: the first rows it rejected or "
                 "flagged, in the result's metadata (first_rows).")


def rule_check_description(sheet_kind: str, check: str) -> str:
    """What a rule check covers, from the rule book: its rules by name, with their English reasons."""
    severity = RULE_CHECKS[check]
    rules = [r for r in rulebook.judged(sheet_kind) if r.severity == severity]
    outcome = "failing rows are rejected" if severity == rulebook.ERROR else "findings are warnings, the rows load"
    lines = "\n".join(f"- `{r.name}`: {r.reason}" for r in rules) or "(none)"
    return (f"The rule book's {severity} rules on this run's new {sheet_kind} rows, judged by Great Expectations "
            f"({outcome}; pipeline/rulebook/). {NOT_EVALUATED}\n{lines}")


class IngestConfig(dg.Config):
    """rebuild: run dbt build, publish and the report even when nothing new arrived. True by default,
    so a run launched by hand (or the nightly schedule) never silently skips the work; the CLI and the
    inbox sensor set it false (they start a run for new files, and skip the rest when there are none)."""

    rebuild: bool = True


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
        def progress(message: str, **numbers) -> None:   # the numbers draw the CLI's progress bar
            context.log.info(message, extra={"progress": numbers} if numbers else None)

        result = batch.run_ingest(warehouse.sources, warehouse.warehouse, today=local_today(),
                                  run_id=context.run.run_id, progress=progress, warehouse_url=warehouse.warehouse_url)
        with warehouse.connect() as con:
            needs_build = not state.published_is_current(con, warehouse.warehouse)
            feedback_missing = bool(feedback.missing_feedback(con, warehouse.warehouse))
            if not (config.rebuild or needs_build or feedback_missing):
                context.log.info("nothing new since the last published build: dbt, publish and the report are "
                                 "skipped (run config rebuild: true runs them anyway)")
                return
            ledger = {"files_by_status": reporting.files_by_status(con, "raw.submissions"),
                      "problems": reporting.problem_files(con)}
            new_ids = [e["submission_id"] for e in result.new_entries]
            sheets = reporting.sheet_reports(con, new_ids)
            findings = reporting.rule_findings(con, new_ids)
    selected = context.selected_asset_keys
    for table in RAW_TABLES:
        key = dg.AssetKey(["raw", table])
        if key in selected:
            yield dg.MaterializeResult(asset_key=key, metadata=_table_metadata(table, result, ledger, sheets))
    yield from _rule_checks(context, result, findings)


def _table_metadata(table: str, result: batch.IngestResult, ledger: dict, sheets: dict) -> dict:
    metadata: dict = {}
    if table == "submissions":
        problems, problems_table = ledger["problems"]
        metadata.update(files_with_problems=dg.MetadataValue.md(problems_table), files_found=result.files_found,
                        new_ledger_entries=len(result.new_entries),
                        **{column: result.total(column)
                           for column in ("rows_read", "rows_loaded", "rows_rejected", "rows_skipped")},
                        **{f"files_{status}": n for status, n in sorted(result.by_status().items())},
                        files_with_problems_count=problems,
                        files_by_status=dg.MetadataValue.md(ledger["files_by_status"]))
        if result.new_entries:
            metadata["new_submissions"] = dg.MetadataValue.md(reporting.submissions_markdown(result.new_entries))
    if table in sheets:
        metadata["rows_by_submission"] = dg.MetadataValue.md(sheets[table])
    return metadata


def _rule_checks(context: dg.AssetExecutionContext, result: batch.IngestResult, findings: dict):
    """One result per rule check that had new rows to evaluate, with the first rows it rejected or
    flagged; none where nothing was validated (the log says which, and why)."""
    for kind in DATA_SHEETS:
        rules = result.rule_summary.get(kind)
        if not rules:
            context.log.info(f"row_rules and soft_rules of raw/{kind} not evaluated: no new {kind} rows in this run")
            continue
        for check, severity in RULE_CHECKS.items():
            if dg.AssetCheckKey(dg.AssetKey(["raw", kind]), check) not in context.selected_asset_check_keys:
                continue
            found = {name: c["unexpected"] for name, c in rules.items() if c["severity"] == severity}
            prefix = "rejected_by" if severity == "error" else "warnings"
            metadata = {f"{prefix}_{k}": v for k, v in found.items()}
            if (kind, severity) in findings:
                metadata["first_rows"] = dg.MetadataValue.md(findings[(kind, severity)])
            yield dg.AssetCheckResult(asset_key=["raw", kind], check_name=check, passed=not any(found.values()),
                                      severity=dg.AssetCheckSeverity.WARN, metadata=metadata)
