"""The jobs, the nightly schedule, the inbox sensor, and the report's run after each load.

The jobs run their steps in one process (the in-process executor), as the CLI does: a step per
process cost 4-5 s of start-up each (18 s of a 43 s run); the run still has its own process.
A load (or a rebuild) ends when the warehouse is published; the provincial report (charts, HTML,
PDF through Chromium, the data dictionary) is a run of its own, started by report_after_load when
that run succeeded: the load's process never holds Chromium beside dbt and its data.
"""
import dagster as dg

from pipeline.config import LOCAL_TIMEZONE
from pipeline.defs.assets.completeness import submission_completeness
from pipeline.defs.assets.dbt import BUILD_EVERYTHING, BUILD_TAG, dbt_models
from pipeline.defs.assets.publish import bi_warehouse
from pipeline.defs.assets.report import provincial_report
from pipeline.defs.assets.signoff import sign_off
from pipeline.defs.assets.templates import monthly_templates
from pipeline.defs.resources import WarehouseResource
from pipeline.ingest import inbox

NIGHTLY_CRON, NIGHTLY_TIMEZONE = "0 1 * * *", LOCAL_TIMEZONE   # 01:00 in Son La
NO_REBUILD = {"ops": {"ingest_submissions": {"config": {"rebuild": False}}}}   # new files only: skip the rest if none

# a CLI load builds its report itself, in another process (pipeline/cli.py): its run carries this tag
REPORT_TAG, REPORTED_BY_COMMAND_LINE = "pipeline/report", "command_line"

load_job = dg.define_asset_job(
    "load", selection=dg.AssetSelection.all() - dg.AssetSelection.assets(monthly_templates, sign_off, provincial_report),
    executor_def=dg.in_process_executor,
    description="Full load: ingest -> feedback, dbt build -> publish (the report follows in a run of its own, "
                "job report). Launched by hand it rebuilds and publishes even when no new file arrived (run config "
                f"rebuild: true). Times in {LOCAL_TIMEZONE}.")

# transform -> publish without ingest: after a change to the dbt project; a corrected workbook is
# reloaded by the load job (save it into the sources folder). The report follows, as after a load.
rebuild_job = dg.define_asset_job(
    "rebuild", selection=dg.AssetSelection.assets(dbt_models, bi_warehouse, submission_completeness),
    executor_def=dg.in_process_executor, tags={BUILD_TAG: BUILD_EVERYTHING},
    description="dbt build of every model -> publish -> completeness, without reading any workbook (the report "
                "follows in a run of its own; to reload a file, save a corrected version into the sources folder: "
                "the load job or the inbox sensor reads it)")

report_job = dg.define_asset_job(
    "report", selection=dg.AssetSelection.assets(provincial_report), executor_def=dg.in_process_executor,
    description="The provincial report of the published warehouse (HTML, PDF, data dictionary): started by "
                "report_after_load when a load, rebuild or approval has published; launch it by hand to redo it")

# the province signs off: record the approvals, then build, publish and report as a load does (the report
# follows in a run of its own)
approve_job = dg.define_asset_job(
    "approve", selection=dg.AssetSelection.assets(sign_off, dbt_models, bi_warehouse, submission_completeness),
    executor_def=dg.in_process_executor,
    description="Approve (or unapprove) reporting units' months, then dbt build -> publish -> completeness (the "
                "report follows in a run of its own). "
                "Run config ops: sign_off: config: action (approve | unapprove), periods (YYYY-MM or a range "
                "YYYY-MM..YYYY-MM), units (codes; empty: every unit that sent something), by (the office), as_of "
                "(YYYY-MM-DD) or as_of_day, note. The same as `python -m pipeline approve`.")


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[load_job, rebuild_job, approve_job],
    request_job=report_job, default_status=dg.DefaultSensorStatus.RUNNING, minimum_interval_seconds=30,
    description="After a load, rebuild or approval that published the warehouse, the report in a run of its own "
                "(a run of the command line builds its report itself; a run that published nothing needs none)")
def report_after_load(context: dg.RunStatusSensorContext):
    """Reads only the instance's records of the run (never the warehouse): did it materialize bi_warehouse?"""
    run = context.dagster_run
    if run.tags.get(REPORT_TAG) == REPORTED_BY_COMMAND_LINE:
        return dg.SkipReason(f"run {run.run_id} was a command-line load: it builds its own report")
    published = context.instance.get_records_for_run(
        run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    if not any(r.event_log_entry.dagster_event.asset_key == bi_warehouse.key for r in published):
        return dg.SkipReason(f"run {run.run_id} published nothing new: the report is current")
    return dg.RunRequest(run_key=run.run_id, tags={"trigger": "after_load", "after_run": run.run_id})


nightly_load = dg.ScheduleDefinition(
    name="nightly_load", job=load_job, cron_schedule=NIGHTLY_CRON, execution_timezone=NIGHTLY_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    # build what changed (the day, at least) and republish even on a quiet night: the marts' freshness
    # shows a missed night
    run_config={"ops": {"ingest_submissions": {"config": {"rebuild": True}}}},
    tags={"trigger": "nightly"},
    description=f"The nightly full load at 01:00 {NIGHTLY_TIMEZONE} (18:00 UTC the day before; builds what changed "
                "and republishes every night)",
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
