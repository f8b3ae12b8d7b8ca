"""The dbt project as assets: seeds, staging views, intermediate models, marts and audit, with their tests.
How dbt runs (in this process, from the prepared parse) is pipeline/transform.py's business."""
import datetime as dt
from typing import Any, Mapping

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from pipeline import transform
from pipeline.config import local_now, local_today
from pipeline.defs.check_descriptions import describe_test
from pipeline.defs.policies import WAREHOUSE_POOL
from pipeline.defs.resources import WarehouseResource

transform.prepare_if_dev()   # under `dagster dev`; the CLI, tests and CI run `python -m pipeline prepare`
DBT_PROJECT = transform.dbt_project()


class Translator(DagsterDbtTranslator):
    """Groups from the dbt folder (staging, intermediate, marts, audit); seeds are 'reference'; the
    reporting layer (marts/reporting: the rpt_ tables the report reads) is 'rpt'.
    dbt source raw.<table> has the asset key raw/<table>: lineage joins the ingest asset."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props.get("resource_type") == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        if fqn[1:3] == ["marts", "reporting"] and len(fqn) > 3:
            return "rpt"
        return fqn[1] if len(fqn) > 2 else "dbt"

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project):
        """dagster-dbt's check, described in words (its own reads only meta.description)."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return spec._replace(description=describe_test(manifest["nodes"][unique_id]))


# A run with this tag builds every model (the job rebuild carries it), not only what changed since the last build.
BUILD_TAG, BUILD_EVERYTHING = "pipeline/build", "everything"


class DbtConfig(dg.Config):
    """as_of: the day completeness is judged on (default: today in Son La, Asia/Ho_Chi_Minh), so a rerun can
    reproduce a past build. build_all: build every model, not only those downstream of what changed since
    the last build (pipeline/warehouse/changes.py; the job rebuild's runs do, by their tag)."""

    as_of: str | None = None
    build_all: bool = False


@dbt_assets(manifest=DBT_PROJECT.manifest_path, project=DBT_PROJECT, dagster_dbt_translator=Translator(),
            pool=WAREHOUSE_POOL)
def dbt_models(context: dg.AssetExecutionContext, config: DbtConfig, dbt: DbtCliResource,
               warehouse: WarehouseResource):
    """dbt build of this warehouse: seeds, staging views, intermediate models, marts and audit tables, tests;
    only what the changes since the last build reach (the rest is reported current, not rebuilt)."""
    as_of = dt.date.fromisoformat(config.as_of) if config.as_of else local_today()
    with warehouse.write_lock():
        # the figures this build adds to fct_published_figures carry the build's start (the publish step records them)
        published_at = local_now().replace(tzinfo=None)
        yield from transform.build(context, dbt, warehouse.warehouse, as_of, warehouse.warehouse_url, published_at,
                                   everything=config.build_all or context.run.tags.get(BUILD_TAG) == BUILD_EVERYTHING)
