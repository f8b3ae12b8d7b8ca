"""All Dagster wiring, in one place: ingest -> dbt (staging, intermediate, marts, audit) -> publish.

Everything computed lives in plain modules (ingest, rules, publish); the assets here only
call them, report metadata, and hold the warehouse's write lock.
"""

import datetime as dt
from pathlib import Path
from typing import Any, Mapping

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from pipeline import inbox, ingest, publish, settings, state, transform, warehouse
from pipeline.lock import warehouse_lock

WAREHOUSE_POOL = "warehouse"   # one writer at a time (see dagster.yaml for the limit of 1)
RAW_TABLES = ["submissions", "submission_sheets", "houses", "grants", "poverty", "rejected_rows", "warnings"]
RULE_KINDS = ["houses", "grants", "poverty"]
NIGHTLY_CRON, NIGHTLY_TIMEZONE = "0 1 * * *", "Asia/Ho_Chi_Minh"   # 01:00 in Son La
MARTS_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=dt.timedelta(hours=36))   # a missed night shows
PREVIEW_ROWS = 10
GRID_MONTHS = 12
GRID_SYMBOLS = {"on_time": "✓", "late": "L", "missing": "✗", "rejected_only": "R", "not_due": "·"}

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


class IngestConfig(dg.Config):
    """rebuild: run dbt build and publish even when nothing new arrived (the nightly schedule sets
    it, so the marts materialize every night and their freshness policy shows a missed night)."""

    rebuild: bool = False


def _needs_build(warehouse_dir: Path) -> bool:
    con = warehouse.connect(warehouse_dir)
    try:
        return not state.published_is_current(con, warehouse_dir)
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
def ingest_submissions(context: dg.AssetExecutionContext, config: IngestConfig, pipeline_settings: PipelineSettings):
    """Discover new workbooks, parse and validate them, load the raw layer (one transaction per batch)."""
    with warehouse_lock(pipeline_settings.warehouse, timeout=None):
        result = ingest.run_ingest(pipeline_settings.sources, pipeline_settings.warehouse, progress=context.log.info)
        if not config.rebuild and not _needs_build(pipeline_settings.warehouse):
            context.log.info("nothing new since the last published build: dbt and publish are skipped")
            for kind in RULE_KINDS:   # checks are reported every run; nothing new broke a rule
                for check in ("row_rules", "soft_rules"):
                    yield dg.AssetCheckResult(asset_key=["raw", kind], check_name=check, passed=True,
                                              severity=dg.AssetCheckSeverity.WARN, metadata={"new_rows": 0})
            return
        run_report = _run_report(pipeline_settings.warehouse, [e["submission_id"] for e in result.new_entries])
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
        if table == "submissions":
            metadata["files_by_status"] = dg.MetadataValue.md(run_report["files_by_status"])
            if result.new_entries:
                metadata["new_submissions"] = dg.MetadataValue.md(_submissions_markdown(result.new_entries))
        if table == "rejected_rows" and result.feedback:
            # the same summary the districts get in their feedback workbooks
            metadata["feedback_workbooks"] = dg.MetadataValue.md(_md_table(
                ["file", "district", "period", "status", "errors", "warnings", "feedback workbook"],
                [(f["file_name"], f["district"], f["period"], f["status"], f["errors"], f["warnings"],
                  Path(f["path"]).name) for f in result.feedback], limit=100))
            metadata["feedback_folder"] = str(pipeline_settings.warehouse / "feedback")
        if table in run_report["sheets"]:
            metadata["rows_by_submission"] = dg.MetadataValue.md(run_report["sheets"][table])
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


def _md_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        value = round(value, 4)
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_table(columns: list[str], rows: list[tuple], limit: int | None = None, total: int | None = None) -> str:
    """A markdown table (the UI renders MetadataValue.md)."""
    shown = rows if limit is None else rows[:limit]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in shown]
    total = len(rows) if total is None else total
    if total > len(shown):
        lines.append(f"\n… {total - len(shown)} more rows")
    return "\n".join(lines)


def _files_by_status(con, table: str) -> str:
    rows = con.execute(f"select status, count(*) from {table} group by 1 order by 2 desc, 1").fetchall()
    return _md_table(["status", "files"], rows)


def _run_report(warehouse_dir: Path, submission_ids: list[str], limit: int = 50) -> dict:
    """This run's rows read/loaded/rejected per submission, one markdown table per sheet kind,
    and the whole ledger's files by status. Called while the write lock is held."""
    con = warehouse.connect(warehouse_dir)
    try:
        report: dict[str, Any] = {"files_by_status": _files_by_status(con, "raw.submissions"), "sheets": {}}
        if not submission_ids:
            return report
        rows = con.execute(
            "select ss.sheet, s.file_name, s.district_code, strftime(s.period, '%Y-%m'), s.status, "
            "ss.rows_read, ss.rows_loaded, ss.rows_rejected, ss.rows_skipped, ss.warnings "
            "from raw.submission_sheets ss join raw.submissions s using (submission_id) "
            "where ss.submission_id in (select unnest(?)) "
            "order by ss.sheet, s.district_code, s.period, s.file_name", [submission_ids]).fetchall()
    finally:
        con.close()
    columns = ["file", "district", "period", "status", "read", "loaded", "rejected", "skipped", "warnings"]
    for kind in RULE_KINDS:
        kind_rows = [row[1:] for row in rows if row[0] == kind]
        if kind_rows:
            sums = tuple(sum(r[i] or 0 for r in kind_rows) for i in range(4, 9))
            totals = ("**total**", "", "", f"{len(kind_rows)} files", *sums)
            if len(kind_rows) <= limit:
                report["sheets"][kind] = _md_table(columns, [*kind_rows, totals])
            else:
                report["sheets"][kind] = _md_table(columns, kind_rows, limit=limit) + "\n\n" + _md_table(columns, [totals])
    return report


class Translator(DagsterDbtTranslator):
    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: Any) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if spec.group_name == "marts":   # published every night: stale after 36 h means a missed night
            spec = spec.replace_attributes(freshness_policy=MARTS_FRESHNESS)
        return spec

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


@dg.asset(deps=[dbt_models], group_name="publish", pool=WAREHOUSE_POOL, kinds={"duckdb", "parquet"},
          freshness_policy=MARTS_FRESHNESS)
def bi_warehouse(context: dg.AssetExecutionContext, pipeline_settings: PipelineSettings) -> dg.MaterializeResult:
    """<warehouse>/bi.duckdb (schemas marts and audit) and Parquet copies, replaced atomically."""
    warehouse_dir = pipeline_settings.warehouse
    with warehouse_lock(warehouse_dir, timeout=None):
        con = warehouse.connect(warehouse_dir)
        try:
            version = state.current_version(con)
        finally:
            con.close()
        path, tables = publish.publish(warehouse_dir)
        con = warehouse.connect(warehouse_dir)
        try:
            warehouse.set_state(con, "published_version", version)
        finally:
            con.close()
    context.log.info(f"published {path}")
    metadata: dict[str, Any] = {"path": str(path), "tables": ", ".join(tables),
                                "published_at": dt.datetime.now().isoformat(timespec="seconds")}
    metadata.update(_published_previews(path))
    return dg.MaterializeResult(metadata=metadata)


def _published_previews(path: Path) -> dict[str, Any]:
    """Files by status and the first rows of every mart, read from the published copy (read-only)."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        metadata: dict[str, Any] = {"files_by_status": dg.MetadataValue.md(_files_by_status(con, "audit.submissions"))}
        marts = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1").fetchall()]
        for table in marts:
            cursor = con.execute(f'select * from marts."{table}" limit {PREVIEW_ROWS}')
            columns = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
            total = con.execute(f'select count(*) from marts."{table}"').fetchone()[0]
            metadata[f"preview_{table}"] = dg.MetadataValue.md(_md_table(columns, rows, total=total))
            metadata[f"rows_{table}"] = total
        return metadata
    finally:
        con.close()


def completeness_grid(rows: list[tuple], months: int = GRID_MONTHS) -> str:
    """rows: (district_code, period, state) -> markdown grid, districts x the latest `months` months."""
    periods = sorted({r[1] for r in rows})[-months:]
    cells = {(r[0], r[1]): r[2] for r in rows}
    districts = sorted({r[0] for r in rows})
    lines = ["| district | " + " | ".join(p.strftime("%Y-%m") for p in periods) + " |",
             "|---|" + "---|" * len(periods)]
    for district in districts:
        marks = [GRID_SYMBOLS.get(cells.get((district, p), ""), "?") for p in periods]
        lines.append(f"| {district} | " + " | ".join(marks) + " |")
    lines.append("\n✓ on time · L late · ✗ missing · R only rejected files · · not due yet")
    return "\n".join(lines)


@dg.asset(deps=[bi_warehouse], group_name="ops", kinds={"duckdb"})
def submission_completeness(context: dg.AssetExecutionContext, pipeline_settings: PipelineSettings):
    """Which district has reported which month (marts.agg_submission_completeness, read from the
    published bi.duckdb): a district x month grid of the latest 12 months, plus the counts."""
    import duckdb

    path = pipeline_settings.warehouse / "bi.duckdb"
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("select district_code, period, state from marts.agg_submission_completeness "
                           "order by 1, 2").fetchall()
        problems = con.execute(
            "select district_code, strftime(period, '%Y-%m'), state, submitted_on, due_date "
            "from marts.agg_submission_completeness where state not in ('on_time', 'not_due') "
            "order by period desc, district_code").fetchall()
    finally:
        con.close()
    states: dict[str, int] = {}
    for _, _, state in rows:
        states[state] = states.get(state, 0) + 1
    return dg.MaterializeResult(metadata={
        "grid": dg.MetadataValue.md(completeness_grid(rows)),
        "not_on_time": dg.MetadataValue.md(_md_table(["district", "month", "state", "submitted on", "due"],
                                                     problems, limit=50)),
        "window": f"{min(r[1] for r in rows):%Y-%m} … {max(r[1] for r in rows):%Y-%m}" if rows else "",
        **{f"months_{state}": count for state, count in sorted(states.items())},
    })


load_job = dg.define_asset_job("load", selection=dg.AssetSelection.all(),
                               description="Full load: ingest -> dbt build -> publish")

nightly_load = dg.ScheduleDefinition(
    name="nightly_load", job=load_job, cron_schedule=NIGHTLY_CRON, execution_timezone=NIGHTLY_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    # rebuild and republish even on a quiet night, so the marts' freshness shows a missed night
    run_config={"ops": {"ingest_submissions": {"config": {"rebuild": True}}}},
    tags={"trigger": "nightly"},
    description="The nightly full load at 01:00 Asia/Ho_Chi_Minh (rebuilds and republishes every night)",
)


@dg.sensor(job=load_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED,
           description="Starts a load when new or changed workbooks appear under the sources folder")
def inbox_sensor(context: dg.SensorEvaluationContext, pipeline_settings: PipelineSettings):
    """Looks only at the file system (never the warehouse); the cursor holds every (path, sha256) seen."""
    result = inbox.scan(pipeline_settings.sources, context.cursor)
    if not result.new:
        return dg.SensorResult(skip_reason=f"no new or changed files among {result.files_seen}",
                               cursor=result.cursor)
    names = ", ".join(f.path for f in result.new[:5]) + (" …" if len(result.new) > 5 else "")
    context.log.info(f"{len(result.new)} new or changed file(s): {names}")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=result.run_key,
                                    tags={"trigger": "inbox", "inbox_new_files": str(len(result.new))})],
        cursor=result.cursor,
    )


defs = dg.Definitions(
    assets=[ingest_submissions, dbt_models, bi_warehouse, submission_completeness],
    jobs=[load_job],
    schedules=[nightly_load],
    sensors=[inbox_sensor],
    resources={
        "pipeline_settings": PipelineSettings(sources_dir=str(settings.sources_dir()),
                                              warehouse_dir=str(settings.warehouse_dir())),
        "dbt": DbtCliResource(project_dir=DBT_PROJECT, profiles_dir=str(settings.DBT_PROJECT_DIR),
                              dbt_executable=transform.dbt_executable()),
    },
)
