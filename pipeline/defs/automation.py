"""The jobs, the nightly schedule and the inbox sensor.

The jobs run their steps in one process (the in-process executor), as the CLI does: a step per
process cost 4-5 s of start-up each (18 s of a 43 s run); the run still has its own process.
"""
import dagster as dg

from pipeline.config import LOCAL_TIMEZONE
from pipeline.defs.assets.completeness import submission_completeness
from pipeline.defs.assets.dbt import dbt_models
from pipeline.defs.assets.publish import bi_warehouse
from pipeline.defs.assets.report import provincial_report
from pipeline.defs.assets.signoff import sign_off
from pipeline.defs.assets.templates import monthly_templates
from pipeline.defs.resources import WarehouseResource
from pipeline.ingest import inbox

NIGHTLY_CRON, NIGHTLY_TIMEZONE = "0 1 * * *", LOCAL_TIMEZONE   # 01:00 in Son La
NO_REBUILD = {"ops": {"ingest_submissions": {"config": {"rebuild": False}}}}   # new files only: skip the rest if none

load_job = dg.define_asset_job(
    "load", selection=dg.AssetSelection.all() - dg.AssetSelection.assets(monthly_templates, sign_off),
    executor_def=dg.in_process_executor,
    description="Full load: ingest -> feedback, dbt build -> publish -> report. Launched by hand it rebuilds, "
                "publishes and reports even when no new file arrived (run config rebuild: true). Times in "
                f"{LOCAL_TIMEZONE}.")

# transform -> publish -> report without ingest: after a change to the dbt project, or to redo a
# report; a corrected workbook is reloaded by the load job (save it into the sources folder).
rebuild_job = dg.define_asset_job(
    "rebuild", selection=dg.AssetSelection.assets(dbt_models, bi_warehouse, submission_completeness,
                                                   provincial_report),
    executor_def=dg.in_process_executor,
    description="dbt build -> publish -> completeness and report, without reading any workbook (to reload a "
                "file, save a corrected version into the sources folder: the load job or the inbox sensor "
                "reads it)")

# the province signs off: record the approvals, then rebuild, publish and report as a load does
approve_job = dg.define_asset_job(
    "approve", selection=dg.AssetSelection.assets(sign_off, dbt_models, bi_warehouse, submission_completeness,
                                                   provincial_report),
    executor_def=dg.in_process_executor,
    description="Approve (or unapprove) reporting units' months, then dbt build -> publish -> completeness and report. "
                "Run config ops: sign_off: config: action (approve | unapprove), periods (YYYY-MM or a range "
                "YYYY-MM..YYYY-MM), units (codes; empty: every unit that sent something), by (the office), as_of "
                "(YYYY-MM-DD) or as_of_day, note. The same as `python -m pipeline approve`.")

nightly_load = dg.ScheduleDefinition(
    name="nightly_load", job=load_job, cron_schedule=NIGHTLY_CRON, execution_timezone=NIGHTLY_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    # rebuild and republish even on a quiet night, so the marts' freshness shows a missed night
    run_config={"ops": {"ingest_submissions": {"config": {"rebuild": True}}}},
    tags={"trigger": "nightly"},
    description=f"The nightly full load at 01:00 {NIGHTLY_TIMEZONE} (18:00 UTC the day before; rebuilds and "
                "republishes every night)",
)


@dg.sensor(job=load_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED,
           description="Starts a load when new or changed workbooks appear under the sources folder")
def inbox_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    """Looks only at the file system (never the warehouse); the cursor holds every (path, sha256) seen."""
    result = inbox.scan(warehouse.sources, context.cursor)
    if not result.new:
        return dg.SensorResult(skip_reason=f"no new or changed files among {result.files_seen}",
                               cursor=result.cursor)
    names = ", ".join(f.path for f in result.new[:5]) + (" …" if len(result.new) > 5 else "")
    context.log.info(f"{len(result.new)} new or changed file(s): {names}")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=result.run_key, run_config=NO_REBUILD,
                                    tags={"trigger": "inbox", "inbox_new_files": str(len(result.new))})],
        cursor=result.cursor,
    )


# The templates for the month just ended, on its first day, after the nightly load (01:00) has
# published that night's warehouse; on demand: materialize monthly_templates (config: period).
templates_job = dg.define_asset_job("templates", selection=dg.AssetSelection.assets(monthly_templates),
                                    description="Each reporting unit's workbook for the month being reported")
monthly_templates_schedule = dg.ScheduleDefinition(
    name="monthly_templates", job=templates_job, cron_schedule="0 5 1 * *", execution_timezone=NIGHTLY_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description=f"On the 1st at 05:00 {NIGHTLY_TIMEZONE}: the templates for the month just ended",
)
