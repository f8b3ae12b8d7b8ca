"""The internals of dbt, dbt-duckdb and dagster-dbt the one dbt adapter (pipeline/transform.py) relies on,
each for a measured gain: this file fails when an upgrade changes one of them, before a load does.

What each gives and how it is used is in transform.py's docstring. The behaviour they produce (a
build's assets and checks, a subset, the file released, the dictionary from the build's manifest)
is tested with real dbt runs in tests/test_dbt_inprocess.py and tests/test_dbt_cli.py.
"""
from __future__ import annotations

import functools
import inspect

import pytest

from pipeline import transform


def _parameters(function) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_dbt_runs_in_process_from_the_prepared_parse():
    from dbt.cli.main import dbtRunner, dbtRunnerResult
    from dbt.contracts.graph.manifest import Manifest

    assert {"manifest", "callbacks"} <= set(_parameters(dbtRunner.__init__))
    assert {"success", "exception", "result"} <= set(inspect.signature(dbtRunnerResult).parameters)
    parsed = transform.parsed_manifest()   # Manifest.from_msgpack of the prepared partial_parse.msgpack
    assert isinstance(parsed, Manifest)
    assert any(node.startswith("model.son_la.fct_houses") for node in parsed.nodes)


def test_dbt_events_reach_the_callback_as_dagster_dbt_reads_them():
    """The callback turns dbt's event objects into the dicts dagster-dbt parses from the CLI's JSON lines."""
    from dbt_common.events.functions import msg_to_dict

    assert _parameters(msg_to_dict) == ["msg"]


def test_dagster_dbt_selection_of_a_subset():
    from dagster_dbt import asset_utils

    from pipeline.defs.assets.dbt import Translator, dbt_models

    assert dbt_models.op.tags[asset_utils.DAGSTER_DBT_SELECT_METADATA_KEY] == "fqn:*"
    for key in ("DAGSTER_DBT_EXCLUDE_METADATA_KEY", "DAGSTER_DBT_SELECTOR_METADATA_KEY"):   # read from the same tags
        assert getattr(asset_utils, key).startswith("dagster_dbt/"), key
    assert asset_utils.DBT_INDIRECT_SELECTION_ENV == transform.INDIRECT_SELECTION_ENV
    assert _parameters(asset_utils.get_subset_selection_for_context) == [
        "context", "manifest", "select", "exclude", "selector", "dagster_dbt_translator",
        "current_dbt_indirect_selection_env"]
    manifest, translator, _ = asset_utils.get_manifest_and_translator_from_dbt_assets([dbt_models])
    assert isinstance(translator, Translator) and "model.son_la.fct_houses" in manifest["nodes"]


def test_dagster_dbt_turns_a_dbt_result_into_dagster_events():
    from dagster_dbt import DbtCliEventMessage
    from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

    assert issubclass(DbtCoreCliEventMessage, DbtCliEventMessage)
    assert {"manifest", "dagster_dbt_translator", "context", "target_path"} <= set(
        _parameters(DbtCoreCliEventMessage.to_default_asset_events))
    result = {"info": {"name": "LogModelResult"}, "data": {"node_info": {"unique_id": "model.son_la.fct_houses"}}}
    assert DbtCoreCliEventMessage(raw_event=result, event_history_metadata={}).is_result_event
    debug = {"info": {"name": "SQLQuery"}, "data": {"node_info": {"unique_id": "model.son_la.fct_houses"}}}
    assert not DbtCoreCliEventMessage(raw_event=debug, event_history_metadata={}).is_result_event
    assert transform.RESULT_EVENTS == {"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"}


def test_dbt_duckdb_environment_can_be_closed():
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.adapters.duckdb.environments import Environment

    for name in ("env", "close_all_connections"):
        assert inspect.ismethod(getattr(DuckDBConnectionManager, name)), name   # classmethods
    assert callable(Environment.close)
    with pytest.raises(Exception, match="environment requested before creation"):
        DuckDBConnectionManager.close_all_connections()
        DuckDBConnectionManager.env()
    transform.release_database()   # nothing open: nothing to do, no error


def test_dagster_dbt_asks_for_the_version_we_answer():
    """dagster-dbt's cli() reads `_cli_version` (a cached property running `dbt --version`); the
    adapter's resource answers it for the venv's dbt (tests/test_dbt_cli.py: the same answer)."""
    from dagster_dbt import DbtCliResource

    assert isinstance(inspect.getattr_static(DbtCliResource, "_cli_version"), functools.cached_property)
    assert "self._cli_version" in inspect.getsource(DbtCliResource.cli)
    resource = transform.cli_resource()
    assert isinstance(resource, DbtCliResource)
    assert isinstance(inspect.getattr_static(type(resource), "_cli_version"), functools.cached_property)
