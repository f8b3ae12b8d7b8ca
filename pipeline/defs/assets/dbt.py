"""The dbt project as assets: seeds, staging views, intermediate models, marts and audit, with their tests."""
import contextlib
import datetime as dt
import os
from typing import Any, Mapping

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from pipeline import transform
from pipeline.defs.policies import WAREHOUSE_POOL
from pipeline.defs.resources import WarehouseResource

transform.prepare_if_dev()   # under `dagster dev`; the CLI, tests and CI run `python -m pipeline prepare`
DBT_PROJECT = transform.dbt_project()


class Translator(DagsterDbtTranslator):
    """Groups from the dbt folder (staging, intermediate, marts, audit); seeds are 'reference'.
    dbt source raw.<table> has the asset key raw/<table>: lineage joins the ingest asset."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props.get("resource_type") == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


class DbtConfig(dg.Config):
    """as_of: the day completeness is judged on (default today), so a rerun can reproduce a past build."""

    as_of: str | None = None


@dbt_assets(manifest=DBT_PROJECT.manifest_path, project=DBT_PROJECT, dagster_dbt_translator=Translator(),
            pool=WAREHOUSE_POOL)
def dbt_models(context: dg.AssetExecutionContext, config: DbtConfig, dbt: DbtCliResource,
               warehouse: WarehouseResource):
    """dbt build of this warehouse: seeds, staging views, intermediate models, marts and audit tables, tests."""
    as_of = dt.date.fromisoformat(config.as_of) if config.as_of else dt.date.today()
    args = transform.build_args(warehouse.warehouse, as_of, warehouse_url=warehouse.warehouse_url)
    with warehouse.write_lock():
        # dbt runs in a subprocess that inherits this environment when it starts (the cli call)
        with _environment(transform.dbt_env(warehouse.warehouse_url)):
            invocation = dbt.cli(args, context=context, target_path=transform.target_path(warehouse.warehouse))
        yield from invocation.stream()


@contextlib.contextmanager
def _environment(values: dict[str, str]):
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
