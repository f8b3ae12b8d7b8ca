"""The Dagster definitions: wiring only. Each concept lives in pipeline/defs/."""
import dagster as dg

from pipeline.defs import policies
from pipeline.defs.assets.completeness import submission_completeness
from pipeline.defs.assets.dbt import dbt_models
from pipeline.defs.assets.feedback import feedback_workbooks
from pipeline.defs.assets.ingest import ingest_submissions
from pipeline.defs.assets.outliers import figures_near_history
from pipeline.defs.assets.publish import bi_warehouse
from pipeline.defs.assets.report import provincial_report
from pipeline.defs.assets.signoff import sign_off
from pipeline.defs.assets.templates import monthly_templates
from pipeline.defs.automation import (approve_job, inbox_sensor, load_job, monthly_templates_schedule, nightly_load,
                                      rebuild_job, report_after_load, report_job, templates_job)
from pipeline.defs.resources import dbt_resource, default_warehouse

defs = dg.Definitions(
    assets=[ingest_submissions, feedback_workbooks, dbt_models, bi_warehouse, submission_completeness,
            provincial_report, monthly_templates, sign_off],
    asset_checks=[figures_near_history],
    jobs=[load_job, rebuild_job, report_job, templates_job, approve_job],
    schedules=[nightly_load, monthly_templates_schedule],
    sensors=[inbox_sensor, report_after_load],
    resources={"warehouse": default_warehouse(), "dbt": dbt_resource()},
).map_resolved_asset_specs(func=policies.with_freshness)
