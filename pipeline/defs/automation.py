"""The job, the nightly schedule and the inbox sensor."""
import dagster as dg

from pipeline.defs.assets.templates import monthly_templates
from pipeline.defs.resources import WarehouseResource
from pipeline.ingest import inbox

NIGHTLY_CRON, NIGHTLY_TIMEZONE = "0 1 * * *", "Asia/Ho_Chi_Minh"   # 01:00 in Son La

load_job = dg.define_asset_job("load", selection=dg.AssetSelection.all() - dg.AssetSelection.assets(monthly_templates),
                               description="Full load: ingest -> feedback, dbt build -> publish -> report")

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
def inbox_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    """Looks only at the file system (never the warehouse); the cursor holds every (path, sha256) seen."""
    result = inbox.scan(warehouse.sources, context.cursor)
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


# The templates for the month just ended, on its first day, after the nightly load (01:00) has
# published that night's warehouse; on demand: materialize monthly_templates (config: period).
templates_job = dg.define_asset_job("templates", selection=dg.AssetSelection.assets(monthly_templates),
                                    description="Each reporting unit's workbook for the month being reported")
monthly_templates_schedule = dg.ScheduleDefinition(
    name="monthly_templates", job=templates_job, cron_schedule="0 5 1 * *", execution_timezone=NIGHTLY_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="On the 1st at 05:00 Asia/Ho_Chi_Minh: the templates for the month just ended",
)
