"""dbt inside this process (dbtRunner), its results turned into Dagster events the way dagster-dbt does.

A dbt CLI subprocess per load paid a Python start, dbt's imports and a parse of the project
(4-5 s and ~350 MB beside this process). In-process, dbt starts from the manifest that
`python -m pipeline prepare` parsed (transform.parsed_manifest) and parses nothing.
dagster-dbt still owns the mapping: which --select a subsetted run needs, and which asset or
check each dbt result is (DbtCoreCliEventMessage.to_default_asset_events).
"""
from __future__ import annotations

import contextlib
import os
import queue
import threading
from pathlib import Path

import dagster as dg
from dagster_dbt.asset_utils import (
    DAGSTER_DBT_EXCLUDE_METADATA_KEY,
    DAGSTER_DBT_SELECT_METADATA_KEY,
    DAGSTER_DBT_SELECTOR_METADATA_KEY,
    DBT_INDIRECT_SELECTION_ENV,
    get_manifest_and_translator_from_dbt_assets,
    get_subset_selection_for_context,
)
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

_FINISHED = object()
RESULT_EVENTS = {"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"}   # dagster-dbt's


def selection(context: dg.AssetExecutionContext) -> tuple[dict, object, list[str], str | None]:
    """(manifest, translator, --select/--exclude args, DBT_INDIRECT_SELECTION) of this run's subset."""
    manifest, translator, _ = get_manifest_and_translator_from_dbt_assets([context.assets_def])
    tags = context.op_execution_context.op.tags
    args, indirect = get_subset_selection_for_context(
        context=context, manifest=manifest, select=tags.get(DAGSTER_DBT_SELECT_METADATA_KEY),
        exclude=tags.get(DAGSTER_DBT_EXCLUDE_METADATA_KEY), selector=tags.get(DAGSTER_DBT_SELECTOR_METADATA_KEY),
        dagster_dbt_translator=translator, current_dbt_indirect_selection_env=os.getenv(DBT_INDIRECT_SELECTION_ENV))
    return manifest, translator, args, indirect


def stream(context: dg.AssetExecutionContext, args: list[str], *, target_path: Path, parsed_manifest=None):
    """Run `dbt <args>` for this run's subset and yield its assets' and checks' events as they finish.

    dbt runs in a thread of this process (so its events reach Dagster while it works); its own
    console lines are printed as the CLI prints them. Raises dg.Failure when dbt fails.
    """
    from dbt_common.events.functions import msg_to_dict

    from pipeline import transform

    manifest, translator, select, indirect = selection(context)
    full = [*args, *select, "--target-path", str(target_path)]
    context.log.info(f"Running dbt command: `dbt {' '.join(full)}` (in this process)")
    events: queue.Queue = queue.Queue()
    outcome: dict = {}

    def results_only(event) -> None:
        # dbt calls back for each of its ~5,000 events per build (debug lines included): only its
        # ~220 results cross to the asset's thread, which would otherwise wake for every one
        if event.info.name in RESULT_EVENTS:
            events.put(event)

    def run() -> None:
        try:
            outcome["result"] = transform.invoke(full, callbacks=[results_only], parsed=parsed_manifest)
        except BaseException as error:   # handed to the asset's thread, raised there
            outcome["error"] = error
        finally:
            events.put(_FINISHED)

    with environment({DBT_INDIRECT_SELECTION_ENV: indirect} if indirect else {}):
        worker = threading.Thread(target=run, name="dbt", daemon=True)
        worker.start()
        while (event := events.get()) is not _FINISHED:
            message = DbtCoreCliEventMessage(raw_event=msg_to_dict(event), event_history_metadata={})
            if message.is_result_event:
                yield from message.to_default_asset_events(manifest=manifest, dagster_dbt_translator=translator,
                                                           context=context, target_path=target_path)
        worker.join()
    _raise_on_failure(outcome, full)


def _raise_on_failure(outcome: dict, args: list[str]) -> None:
    if "error" in outcome:
        raise dg.Failure(f"dbt {args[0]} failed: {type(outcome['error']).__name__}: {outcome['error']}") \
            from outcome["error"]
    result = outcome.get("result")
    if result is None or not result.success:
        why = f": {result.exception}" if result is not None and result.exception else " (see its lines above)"
        raise dg.Failure(f"dbt {args[0]} failed{why}")


@contextlib.contextmanager
def environment(values: dict[str, str]):
    """Set these variables for the duration (dbt reads the PostgreSQL target's from the environment)."""
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
