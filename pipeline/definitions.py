"""All Dagster wiring, in one place: ingest -> dbt (staging, intermediate, marts, audit) -> publish.

Everything computed lives in plain modules (ingest, rules, publish); the assets here only
call them, report metadata, and hold the warehouse's write lock.
"""

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any, Mapping

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from pipeline import ingest, publish, settings, transform, warehouse
from pipeline.lock import warehouse_lock

WAREHOUSE_POOL = "warehouse"   # one writer at a time (see dagster.yaml for the limit of 1)
RAW_TABLES = ["submissions", "submission_sheets", "houses", "grants", "poverty", "rejected_rows", "warnings"]
RULE_KINDS = ["houses", "grants", "poverty"]

settings.export_dbt_env(settings.warehouse_dir())
DBT_PROJECT = transform.dbt_project()
transform.prepare(DBT_PROJECT)


class PipelineSettings(dg.ConfigurableResource):
    sources_dir: str
    warehouse_dir: str

    @property
    def sources(self) -> Path:
        return Path(self.sources_dir)

    @property
    def warehouse(self) -> Path:
        return Path(self.warehouse_dir)


def build_fingerprint() -> str:
    """Changes when the transformation code changes, so a new version rebuilds the marts."""
    digest = hashlib.sha256()
    files = sorted(p for folder in ("models", "seeds", "macros", "tests")
                   for p in (settings.DBT_PROJECT_DIR / folder).rglob("*") if p.is_file())
    for path in [*files, settings.DBT_PROJECT_DIR / "dbt_project.yml", Path(publish.__file__)]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _needs_build(warehouse_dir: Path) -> bool:
    con = warehouse.connect(warehouse_dir)
    try:
        current = f"{warehouse.get_state(con, 'ledger_version')}:{build_fingerprint()}"
        return current != warehouse.get_state(con, "published_version") or not (warehouse_dir / "bi.duckdb").exists()
    finally:
        con.close()


@dg.multi_asset(
    name="ingest_submissions",
    specs=[dg.AssetSpec(["raw", table], skippable=True, group_name="ingest", kinds={"python", "duckdb"},
                        description=f"Raw layer table raw.{table}, loaded from the district workbooks")
           for table in RAW_TABLES],
    check_specs=[
        *[dg.AssetCheckSpec("row_rules", asset=["raw", kind],
                            description="Great Expectations row rules (required, enumerations, ranges, "
                                        "cross-field, duplicates) on this run's new rows; failing rows are rejected")
          for kind in RULE_KINDS],
        *[dg.AssetCheckSpec("soft_rules", asset=["raw", kind],
                            description="Soft rules (programme-norm outliers, rate and total-row mismatches): warnings")
          for kind in RULE_KINDS],
    ],
    pool=WAREHOUSE_POOL,
    can_subset=False,
)
def ingest_submissions(context: dg.AssetExecutionContext, pipeline_settings: PipelineSettings):
    """Discover new workbooks, parse and validate them, load the raw layer (one transaction per batch)."""
    with warehouse_lock(pipeline_settings.warehouse, timeout=None):
        result = ingest.run_ingest(pipeline_settings.sources, pipeline_settings.warehouse, progress=context.log.info)
        if not _needs_build(pipeline_settings.warehouse):
            context.log.info("nothing new since the last published build: dbt and publish are skipped")
            for kind in RULE_KINDS:   # checks are reported every run; nothing new broke a rule
                for check in ("row_rules", "soft_rules"):
                    yield dg.AssetCheckResult(asset_key=["raw", kind], check_name=check, passed=True,
                                              severity=dg.AssetCheckSeverity.WARN, metadata={"new_rows": 0})
            return
    statuses = dict(result.by_status())
    summary = {
        "files_found": result.files_found,
        "new_ledger_entries": len(result.new_entries),
        "rows_read": result.total("rows_read"),
        "rows_loaded": result.total("rows_loaded"),
        "rows_rejected": result.total("rows_rejected"),
        "rows_skipped": result.total("rows_skipped"),
        **{f"files_{status}": count for status, count in sorted(statuses.items())},
    }
    for table in RAW_TABLES:
        metadata: dict[str, Any] = dict(summary) if table == "submissions" else {}
        if table == "submissions" and result.new_entries:
            metadata["new_submissions"] = dg.MetadataValue.md(_submissions_markdown(result.new_entries))
        yield dg.MaterializeResult(asset_key=["raw", table], metadata=metadata)
    for kind in RULE_KINDS:
        rules = result.rule_summary.get(kind, {})
        errors = {name: c["unexpected"] for name, c in rules.items() if c["severity"] == "error"}
        soft = {name: c["unexpected"] for name, c in rules.items() if c["severity"] == "warning"}
        yield dg.AssetCheckResult(asset_key=["raw", kind], check_name="row_rules",
                                  passed=not any(errors.values()), severity=dg.AssetCheckSeverity.WARN,
                                  metadata={f"rejected_by_{k}": v for k, v in errors.items()})
        yield dg.AssetCheckResult(asset_key=["raw", kind], check_name="soft_rules",
                                  passed=not any(soft.values()), severity=dg.AssetCheckSeverity.WARN,
                                  metadata={f"warnings_{k}": v for k, v in soft.items()})


def _submissions_markdown(entries: list[dict], limit: int = 50) -> str:
    lines = ["| file | district | period | v | status | read | loaded | rejected | skipped |",
             "|---|---|---|---|---|---|---|---|---|"]
    for e in entries[:limit]:
        period = e["period"].strftime("%Y-%m") if e["period"] else ""
        lines.append(f"| {e['file_name']} | {e['district_code'] or ''} | {period} | {e['version'] or ''} | "
                     f"{e['outcome']} | {e['rows_read']} | {e['rows_loaded']} | {e['rows_rejected']} | {e['rows_skipped']} |")
    if len(entries) > limit:
        lines.append(f"\n… and {len(entries) - limit} more")
    return "\n".join(lines)


class Translator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props.get("resource_type") == "seed":
            return "reference"
        return fqn[1] if len(fqn) > 2 else "dbt"


@dbt_assets(manifest=DBT_PROJECT.manifest_path, project=DBT_PROJECT, dagster_dbt_translator=Translator(),
            pool=WAREHOUSE_POOL)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, pipeline_settings: PipelineSettings):
    """dbt build: seeds, staging views, intermediate models, marts and audit tables, and their tests."""
    settings.export_dbt_env(pipeline_settings.warehouse)
    with warehouse_lock(pipeline_settings.warehouse, timeout=None):
        yield from dbt.cli(["build"], context=context).stream()


@dg.asset(deps=[dbt_models], group_name="publish", pool=WAREHOUSE_POOL, kinds={"duckdb", "parquet"})
def bi_warehouse(context: dg.AssetExecutionContext, pipeline_settings: PipelineSettings) -> dg.MaterializeResult:
    """<warehouse>/bi.duckdb (schemas marts and audit) and Parquet copies, replaced atomically."""
    warehouse_dir = pipeline_settings.warehouse
    with warehouse_lock(warehouse_dir, timeout=None):
        con = warehouse.connect(warehouse_dir)
        try:
            version = f"{warehouse.get_state(con, 'ledger_version')}:{build_fingerprint()}"
        finally:
            con.close()
        path, tables = publish.publish(warehouse_dir)
        con = warehouse.connect(warehouse_dir)
        try:
            warehouse.set_state(con, "published_version", version)
        finally:
            con.close()
    context.log.info(f"published {path}")
    return dg.MaterializeResult(metadata={"path": str(path), "tables": ", ".join(tables),
                                          "published_at": dt.datetime.now().isoformat(timespec="seconds")})


load_job = dg.define_asset_job("load", selection=dg.AssetSelection.all(),
                               description="Full load: ingest -> dbt build -> publish")

defs = dg.Definitions(
    assets=[ingest_submissions, dbt_models, bi_warehouse],
    jobs=[load_job],
    resources={
        "pipeline_settings": PipelineSettings(sources_dir=str(settings.sources_dir()),
                                              warehouse_dir=str(settings.warehouse_dir())),
        "dbt": DbtCliResource(project_dir=DBT_PROJECT, profiles_dir=str(settings.DBT_PROJECT_DIR),
                              dbt_executable=transform.dbt_executable()),
    },
)
