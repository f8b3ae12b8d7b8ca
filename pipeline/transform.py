"""The transform stage: every use of dbt goes through this module (the one dbt adapter).

The rest of the pipeline asks it to prepare the project, build a warehouse (as Dagster events,
only what changed since the last build: pipeline/warehouse/changes.py) and run dbt for the data
dictionary (pipeline/report/dictionary.py); only this module imports dbt, dbt-duckdb or anything of
dagster-dbt beyond its public names (tests/test_code_shape.py checks).

Public APIs it stands on: dagster-dbt's `DbtProject` and `DbtCliResource.cli(...).stream()` (the
build on PostgreSQL), dbt's `dbtRunner` / `dbtRunnerResult` (every run in this process).
Internals it uses, each for a measured gain and each pinned by tests/test_transform_internals.py,
which fails when one of them changes:
- dbt's `Manifest.from_msgpack`: an in-process dbtRunner starts from the prepared parse (no dbt
  process, no parse per load: ~4 s and ~350 MB less per load than dagster-dbt's subprocess).
- dagster-dbt's subset selection and `DbtCoreCliEventMessage`: the in-process run reports its
  assets and checks through dagster-dbt's own mapping, as its subprocess route would.
- dbt-duckdb's connection manager: dbt keeps the warehouse file open after a run in this process.
- `DbtCliResource._cli_version`: dagster-dbt runs `dbt --version` (a Python start and dbt's imports,
  2-8 s) before each command; ours is the dbt installed beside this Python.

Nothing dbt writes goes into the source tree (a deployment may mount it read-only): the parsed
manifest is cached per version of the dbt project under the user's cache folder, and each
warehouse keeps one folder for dbt's run artifacts and logs (store.dbt_work_dir), reused by
every run, so nothing grows with the number of loads.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import logging
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from pipeline import files
from pipeline.config import DBT_PROJECT_DIR, cache_dir
from pipeline.streams import LinesToLog, environment
from pipeline.warehouse import changes, state, store

KEEP_MANIFESTS = 3   # cached manifests of older project versions kept (others are removed)
PARSE_FORMAT = 2     # how prepare() parses; a new value re-parses every cached project version
RESULT_EVENTS = {"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"}   # dagster-dbt's
INDIRECT_SELECTION_ENV = "DBT_INDIRECT_SELECTION"   # dbt's; set for a subset selecting some of a model's tests
NODE_DONE_EVENTS = RESULT_EVENTS | {"LogNodeNoOpResult", "SkippingDetails"}   # one per node of the run: "x of N"
FAILING_ROWS_SHOWN = 5   # first failing rows of a failed dbt test, in its check's metadata
_FINISHED = object()
# dbt's own lines (what its console prints) as Python log records: the CLI's console and the load's
# log file read them (pipeline/console.py); elsewhere nobody listens and forwarding costs a level check.
DBT_LOG = logging.getLogger("pipeline.dbt")
DBT_LOG.addHandler(logging.NullHandler())
_DBT_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}


# --- the project and its prepared parse -------------------------------------------------------

def manifest_dir() -> Path:
    """One folder per checkout (several may share a user's cache) and per version of its dbt project."""
    checkout = hashlib.sha256(str(DBT_PROJECT_DIR).encode()).hexdigest()[:10]
    return cache_dir() / "dbt" / checkout / f"{state.build_fingerprint()}-p{PARSE_FORMAT}"


@functools.cache
def dbt_project():
    from dagster_dbt import DbtProject

    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=manifest_dir())


def prepare_if_dev() -> None:
    """Under `dagster dev`, prepare at import (DbtProject.prepare_if_dev would look for dbt on PATH,
    which an unactivated venv lacks, and write into the source tree)."""
    if dbt_project().preparer.using_dagster_dev():
        prepare()


def dbt_executable() -> str:
    """The dbt next to this Python (the venv's), so PATH does not matter."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def prepare() -> Path:
    """`dbt parse` into the manifest cache when this version of the project has no manifest yet.

    DbtProject.prepare_if_dev() only does this under `dagster dev`; the CLI, tests and CI call
    this (`python -m pipeline prepare`) before the definitions are imported. dbt parses into a
    folder of its own, renamed into place whole: two processes preparing at once (the test
    workers) never read each other's half-written manifest.
    """
    target = manifest_dir()
    manifest = target / "manifest.json"
    if manifest.exists():
        return manifest
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{target.name}-", dir=target.parent) as work:
        # parsed for a file named like every warehouse's internal one: dbt-duckdb names the database
        # after the file, and the in-process build (parsed_manifest) runs on exactly this parse
        parse_vars = {"warehouse_db": str(target / store.internal_path(target).name)}
        command = [dbt_executable(), "parse", "--quiet", "--vars", json.dumps(parse_vars), "--project-dir",
                   str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", work,
                   "--log-path", work]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0 or not (Path(work) / "manifest.json").exists():
            raise RuntimeError(f"dbt parse failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
        with contextlib.suppress(OSError):   # another process renamed its own parse into place first
            os.rename(work, target)
    _remove_old_manifests(target.parent, keep=target)
    return manifest


def _remove_old_manifests(folder: Path, keep: Path) -> None:
    others = sorted((p for p in folder.iterdir() if p.is_dir() and p != keep and not p.name.startswith(".")),
                    key=lambda p: p.stat().st_mtime)
    for old in others[:max(0, len(others) - (KEEP_MANIFESTS - 1))]:
        shutil.rmtree(old, ignore_errors=True)


def parsed_manifest():
    """The prepared parse as dbt's own Manifest (its partial_parse.msgpack) for an in-process dbtRunner on a
    DuckDB warehouse: nothing is parsed per run. None when it cannot be read (dbt then parses by itself).
    Read afresh for every run: dbt fills in compiled SQL on the object it is given."""
    from dbt.contracts.graph.manifest import Manifest   # internal: see the module's docstring

    try:
        return Manifest.from_msgpack((manifest_dir() / "partial_parse.msgpack").read_bytes())
    except Exception:   # a missing or foreign-version file: correct, only slower
        return None


# --- a build's arguments and what it was built from (pure) --------------------------------------

def build_args(warehouse_dir: Path, as_of: dt.date, command: str = "build", warehouse_url: str | None = None,
               published_at: dt.datetime | None = None) -> list[str]:
    """The dbt command line for one build of this warehouse (pure: tested without running dbt).

    dbt's unit tests (fixed inputs -> expected rows) are a development check, not a property
    of the night's data: the build skips them (tests/test_dbt_project.py runs them).
    """
    work = store.dbt_work_dir(warehouse_dir)
    args = [command, "--vars", _vars(warehouse_dir, as_of, published_at), "--log-path", str(work / "logs")]
    if command in ("build", "test"):
        args += ["--exclude-resource-type", "unit_test"]
    if warehouse_url:
        args += ["--target", "postgres"]   # profiles.yml; the connection comes from dbt_env()
    return args


def docs_args(warehouse_dir: Path, as_of: dt.date, target: Path, logs: Path) -> list[str]:
    """`dbt docs generate --static` of this warehouse (the data dictionary), into target and logs:
    folders the caller chose outside the source tree (pure: tested without running dbt)."""
    return ["docs", "generate", "--static", "--vars", _vars(warehouse_dir, as_of),
            "--target-path", str(target), "--log-path", str(logs)]


def _vars(warehouse_dir: Path, as_of: dt.date, published_at: dt.datetime | None = None) -> str:
    """dbt's vars: the warehouse file, the day completeness is judged on, DuckDB's memory limit and folder to
    spill to, and (a build to be published) when the publish happens: the time fct_published_figures gives
    the figures this build adds (Son La time)."""
    settings = store.duckdb_settings(warehouse_dir)
    variables = {"warehouse_db": str(store.internal_path(warehouse_dir).resolve()), "as_of": as_of.isoformat(),
                 "duckdb_memory_limit": settings["memory_limit"], "duckdb_temp_directory": settings["temp_directory"]}
    if published_at is not None:
        variables["published_at"] = published_at.isoformat(sep=" ", timespec="microseconds")
    return json.dumps(variables, sort_keys=True)


def dbt_env(warehouse_url: str | None) -> dict[str, str]:
    """The environment dbt's postgres target reads (profiles.yml): the URL's parts, the password
    under dbt's DBT_ENV_SECRET_ prefix so it stays out of dbt's logs. Empty for DuckDB."""
    if not warehouse_url:
        return {}
    from pipeline.warehouse.pg import url_parts

    parts = url_parts(warehouse_url)
    return {"PIPELINE_PG_HOST": parts["host"], "PIPELINE_PG_PORT": parts["port"], "PIPELINE_PG_USER": parts["user"],
            "PIPELINE_PG_DBNAME": parts["dbname"], "DBT_ENV_SECRET_PIPELINE_PG_PASSWORD": parts["password"]}


def target_path(warehouse_dir: Path) -> Path:
    """dbt's run artifacts for this warehouse (one folder, overwritten by each run)."""
    return store.dbt_work_dir(warehouse_dir) / "target"


def build_identity(as_of: dt.date) -> str:
    """What a build's compiled manifest (and the data dictionary) depends on: the dbt project and
    publish code (state.build_fingerprint), the raw layer's DDL, and as_of (compiled into a model's SQL)."""
    raw = hashlib.sha256(store.RAW_SCHEMA_SQL.encode()).hexdigest()[:16]
    return f"{state.build_fingerprint()}:{raw}:{as_of.isoformat()}"


def built_manifest(warehouse_dir: Path, as_of: dt.date) -> Path | None:
    """The manifest.json of this warehouse's last full build when it is of this project, raw layer and
    as_of (files.mark_built; the data dictionary then needs no compile of its own), else None."""
    manifest = target_path(warehouse_dir) / "manifest.json"
    return manifest if files.is_built_from(manifest, build_identity(as_of)) else None


# --- the build, as Dagster events -------------------------------------------------------------

def build(context, dbt, warehouse_dir: Path, as_of: dt.date, warehouse_url: str | None = None,
          published_at: dt.datetime | None = None, everything: bool = False):
    """`dbt build` of this warehouse for the asset's run; yields its assets' and checks' events as they
    finish, raises dg.Failure when dbt fails.

    DuckDB: in this process, from the prepared parse. A run of every dbt asset builds only the models
    downstream of what changed since the last build (pipeline/warehouse/changes.py; `everything`: all
    of them) and reports the others current; a subset builds what it selected. A full build marks its
    manifest.json as built from this project, raw layer and as_of. PostgreSQL: the prepared parse
    names the DuckDB file's database, so dbt parses for itself, in dagster-dbt's subprocess (`dbt`,
    the resource), and builds everything selected.
    """
    args = build_args(warehouse_dir, as_of, warehouse_url=warehouse_url, published_at=published_at)
    target = target_path(warehouse_dir)
    if warehouse_url:
        # the subprocess inherits this when it starts (cli); its JSON lines on stdout are its events,
        # whatever level a console asked of dbt in this process
        with environment({**dbt_env(warehouse_url), "DBT_LOG_LEVEL": "info"}):
            invocation = dbt.cli(args, context=context, target_path=target)
        # dagster-dbt echoes dbt's lines on stdout: to pipeline.dbt instead when someone listens (the CLI)
        listening = DBT_LOG.isEnabledFor(logging.INFO)
        with contextlib.redirect_stdout(LinesToLog(DBT_LOG)) if listening else contextlib.nullcontext():
            yield from invocation.stream()
        return
    manifest = target / "manifest.json"
    files.remove_stale_temps(target)   # a mark half-written by a killed run (we hold the write lock)
    files.forget_built(manifest)   # rewritten by this run: it describes no finished full build yet
    selection = _selection(context)
    plan, inputs = (None, None) if context.is_subset else changes.plan_build(
        warehouse_dir, build_identity(as_of).rsplit(":", 1)[0], as_of, selection[0], everything)
    events = () if plan is not None and plan.nothing else _stream_in_process(
        context, args, target, parsed_manifest(), warehouse_dir, selection, plan)
    yield from events if plan is None or plan.full else _with_current(context, events, plan)
    if plan is not None:   # reached only on success (a failed build raises)
        changes.record(warehouse_dir, inputs)
    if plan is not None and plan.full:
        files.mark_built(manifest, build_identity(as_of))


def _with_current(context, events, plan):
    """The build's events with an output for each asset it did not rebuild (current: its inputs did not change
    since the build that made it; reported so that the publish after it runs and its freshness holds), each
    in the asset graph's order; a check's result once its asset is told."""
    import dagster as dg

    unique_ids = {spec.key: spec.metadata["dagster_dbt/unique_id"] for spec in context.assets_def.specs}
    current = {key for key in context.selected_asset_keys if unique_ids.get(key) not in plan.nodes}
    order, held = changes.InOrder(context.assets_def.asset_deps, current), {}

    def told(keys):
        for key in keys:
            yield dg.Output(None, output_name=key.to_python_identifier(),
                            metadata={"rebuilt": False, "current": f"not rebuilt: {plan.why}"})
            yield from held.pop(key, [])
    yield from told(order.told_now())
    for event in events:
        key = getattr(event, "asset_key", None)
        if isinstance(event, dg.Output):
            yield event
            yield from told(order.told_now(context.assets_def.keys_by_output_name[event.output_name]))
            yield from held.pop(context.assets_def.keys_by_output_name[event.output_name], [])
        elif key is not None and key not in order.told:
            held.setdefault(key, []).append(event)
        else:
            yield event
    yield from told(order.told_now())
    yield from (event for waiting in held.values() for event in waiting)


def invoke(args: list[str], callbacks: list | None = None, parsed=None):
    """`dbt <args>` inside this process (dbtRunner) on the project, from the prepared parse when given;
    dbt's connections are closed afterwards. Returns dbt's dbtRunnerResult (.success, .exception)."""
    from dbt.cli.main import dbtRunner

    full = [*args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    try:
        with contextlib.chdir(DBT_PROJECT_DIR):
            return dbtRunner(manifest=parsed, callbacks=[forward_to_logging, *(callbacks or [])]).invoke(full)
    finally:
        release_database()


def forward_to_logging(event) -> None:
    """One dbt event as a record of the logger pipeline.dbt (its console line; for a node that finished,
    `dbt_node`: index, total, status, name, so a console can count "x of N")."""
    level = _DBT_LEVELS.get(event.info.level, logging.DEBUG)
    if not DBT_LOG.isEnabledFor(level):
        return
    extra = {}
    if event.info.name in NODE_DONE_EVENTS:
        data = event.data
        status = {"LogNodeNoOpResult": "no-op", "SkippingDetails": "skipped"}.get(event.info.name, data.status)
        extra["dbt_node"] = {"index": data.index, "total": getattr(data, "total", 0) or getattr(data, "num_models", 0),
                             "status": str(status).lower(), "name": data.node_info.node_name}
    DBT_LOG.log(level, event.info.msg, extra=extra)


def release_database() -> None:
    """Close what dbt left open in this process: dbt-duckdb keeps the warehouse file attached after a
    run (its connection manager's environment outlives dbt's connections), and the next step (another
    connection, another configuration) must open it."""
    from dbt.adapters.factory import cleanup_connections

    cleanup_connections()
    duckdb_connections = sys.modules.get("dbt.adapters.duckdb.connections")   # loaded only if dbt used DuckDB
    if duckdb_connections is not None:
        manager = duckdb_connections.DuckDBConnectionManager   # internal: see the module's docstring
        with contextlib.suppress(Exception):   # env() raises when no run made an environment
            manager.env().close()
        manager.close_all_connections()   # forgets the environment: the next run makes a new one


def _selection(context) -> tuple[dict, object, list[str], str | None]:
    """(manifest, translator, --select/--exclude args, DBT_INDIRECT_SELECTION) of this run's subset,
    computed by dagster-dbt as its own cli() does."""
    from dagster_dbt.asset_utils import (   # internal: see the module's docstring
        DAGSTER_DBT_EXCLUDE_METADATA_KEY,
        DAGSTER_DBT_SELECT_METADATA_KEY,
        DAGSTER_DBT_SELECTOR_METADATA_KEY,
        get_manifest_and_translator_from_dbt_assets,
        get_subset_selection_for_context,
    )

    manifest, translator, _ = get_manifest_and_translator_from_dbt_assets([context.assets_def])
    tags = context.op_execution_context.op.tags
    args, indirect = get_subset_selection_for_context(
        context=context, manifest=manifest, select=tags.get(DAGSTER_DBT_SELECT_METADATA_KEY),
        exclude=tags.get(DAGSTER_DBT_EXCLUDE_METADATA_KEY), selector=tags.get(DAGSTER_DBT_SELECTOR_METADATA_KEY),
        dagster_dbt_translator=translator, current_dbt_indirect_selection_env=os.getenv(INDIRECT_SELECTION_ENV))
    return manifest, translator, args, indirect


def _stream_in_process(context, args: list[str], target: Path, parsed, warehouse_dir: Path, selection, plan):
    """Run `dbt <args>` for this run's subset (narrowed to the plan's selection when it has one) in a
    thread of this process (so its events reach Dagster while it works; dbt prints its console lines as
    the CLI does) and yield its assets' and checks' events as they finish. Raises dg.Failure when dbt fails."""
    from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage   # internal: see the module's docstring
    from dbt_common.events.functions import msg_to_dict

    manifest, translator, select, indirect = selection
    if plan is not None and not plan.full:
        select = ["--select", *plan.select(manifest)]
        context.log.info(f"only what changed is built ({plan.why}): {len(plan.nodes)} models and seeds")
    full = [*args, *select, "--target-path", str(target)]
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
            outcome["result"] = invoke(full, callbacks=[results_only], parsed=parsed)
        except BaseException as error:   # handed to the asset's thread, raised there
            outcome["error"] = error
        finally:
            events.put(_FINISHED)

    failed_checks = []   # yielded at the end with their first failing rows, read once dbt let go of the file
    with environment({INDIRECT_SELECTION_ENV: indirect} if indirect else {}):
        worker = threading.Thread(target=run, name="dbt", daemon=True)
        worker.start()
        while (event := events.get()) is not _FINISHED:
            message = DbtCoreCliEventMessage(raw_event=msg_to_dict(event), event_history_metadata={})
            if message.is_result_event:
                for asset_event in message.to_default_asset_events(manifest=manifest, context=context,
                                                                   dagster_dbt_translator=translator,
                                                                   target_path=target):
                    if getattr(asset_event, "passed", True) is False:
                        failed_checks.append(asset_event)
                    else:
                        yield asset_event
        worker.join()
    yield from _with_failing_rows(failed_checks, outcome.get("result"), warehouse_dir)
    _raise_on_failure(outcome, full)


def _with_failing_rows(checks: list, result, warehouse_dir: Path):
    """Failed dbt tests' check results with the first rows their SQL selects (dbt's compiled test, run
    again on the warehouse; personal columns left out), so the UI shows what failed, not only a count."""
    from dagster import AssetCheckResult, MetadataValue

    from pipeline.warehouse import samples

    compiled = {r.node.unique_id: getattr(r.node, "compiled_code", None)
                for r in (getattr(getattr(result, "result", None), "results", None) or [])}
    for check in checks:
        unique_id = getattr(check.metadata.get("unique_id"), "value", None)
        sql = compiled.get(unique_id)
        rows = samples.first_rows_markdown(warehouse_dir, sql, FAILING_ROWS_SHOWN) if sql else None
        if rows is not None:
            check = AssetCheckResult(asset_key=check.asset_key, check_name=check.check_name, passed=check.passed,
                                     severity=check.severity, description=check.description,
                                     metadata={**check.metadata, "failing_rows": MetadataValue.md(rows)})
        yield check


def _raise_on_failure(outcome: dict, args: list[str]) -> None:
    import dagster as dg

    if "error" in outcome:
        raise dg.Failure(f"dbt {args[0]} failed: {type(outcome['error']).__name__}: {outcome['error']}") \
            from outcome["error"]
    result = outcome.get("result")
    if result is None or not result.success:
        why = f": {result.exception}" if result is not None and result.exception else " (see its lines above)"
        raise dg.Failure(f"dbt {args[0]} failed{why}")


# --- the dbt resource ---------------------------------------------------------------------------

def cli_resource():
    """dagster-dbt's DbtCliResource on this project with the venv's dbt, minus the `dbt --version`
    subprocess dagster-dbt starts before every command (the build on PostgreSQL uses it)."""
    return _local_cli_resource_class()(project_dir=dbt_project(), profiles_dir=str(DBT_PROJECT_DIR),
                                       dbt_executable=dbt_executable())


@functools.cache
def _local_cli_resource_class():
    """Made on first use: importing dagster-dbt costs ~1.5 s, which `python -m pipeline prepare` and
    the report command need not pay."""
    from dagster_dbt import DbtCliResource
    from packaging import version

    class LocalDbtCliResource(DbtCliResource):
        """The version of the dbt beside this Python is the dbt-core installed here: known without asking
        (internal: dagster-dbt's `_cli_version`, see the module's docstring). Any other executable is asked."""

        @functools.cached_property
        def _cli_version(self) -> version.Version:
            from importlib.metadata import version as installed_version

            if Path(self.dbt_executable).parent == Path(sys.executable).parent:
                return version.parse(installed_version("dbt-core"))
            return super()._cli_version

    return LocalDbtCliResource
