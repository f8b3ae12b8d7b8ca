"""The dbt project as Dagster sees it: where its manifest lives, how it is prepared, the build's arguments.

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
import shutil
import subprocess
import sys
from pathlib import Path

from pipeline.config import DBT_PROJECT_DIR, cache_dir
from pipeline.warehouse import state, store

KEEP_MANIFESTS = 3   # cached manifests of older project versions kept (others are removed)
PARSE_FORMAT = 2     # how prepare() parses; a new value re-parses every cached project version


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
    this (`python -m pipeline prepare`) before the definitions are imported.
    """
    target = manifest_dir()
    manifest = target / "manifest.json"
    if not manifest.exists():
        target.mkdir(parents=True, exist_ok=True)
        # parsed for a file named like every warehouse's internal one: dbt-duckdb names the database
        # after the file, and the in-process build (parsed_manifest) runs on exactly this parse
        parse_vars = {"warehouse_db": str(target / store.internal_path(target).name)}
        command = [dbt_executable(), "parse", "--quiet", "--vars", json.dumps(parse_vars), "--project-dir",
                   str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target),
                   "--log-path", str(target)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0 or not manifest.exists():
            raise RuntimeError(f"dbt parse failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
        _remove_old_manifests(target.parent, keep=target)
    return manifest


def parsed_manifest():
    """The prepared parse as dbt's own Manifest (its partial_parse.msgpack) for an in-process dbtRunner on a
    DuckDB warehouse: nothing is parsed per run. None when it cannot be read (dbt then parses by itself).
    Read afresh for every run: dbt fills in compiled SQL on the object it is given."""
    from dbt.contracts.graph.manifest import Manifest

    try:
        return Manifest.from_msgpack((manifest_dir() / "partial_parse.msgpack").read_bytes())
    except Exception:   # a missing or foreign-version file: correct, only slower
        return None


def invoke(args: list[str], callbacks: list | None = None, parsed=None):
    """`dbt <args>` inside this process (dbtRunner) on the project, from the prepared parse when given;
    dbt's connections are closed afterwards. Returns dbt's result (.success, .exception)."""
    from dbt.cli.main import dbtRunner

    full = [*args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    try:
        with contextlib.chdir(DBT_PROJECT_DIR):
            return dbtRunner(manifest=parsed, callbacks=callbacks or []).invoke(full)
    finally:
        release_database()


def release_database() -> None:
    """Close what dbt left open in this process: dbt-duckdb keeps the warehouse file attached after a
    run, and the next step (another connection, another configuration) must open it."""
    from dbt.adapters.factory import cleanup_connections

    cleanup_connections()
    duckdb_connections = sys.modules.get("dbt.adapters.duckdb.connections")
    if duckdb_connections is not None:
        manager = duckdb_connections.DuckDBConnectionManager
        with manager._LOCK:
            if manager._ENV is not None:
                manager._ENV.close()
            manager.close_all_connections()


def _remove_old_manifests(folder: Path, keep: Path) -> None:
    others = sorted((p for p in folder.iterdir() if p.is_dir() and p != keep), key=lambda p: p.stat().st_mtime)
    for old in others[:max(0, len(others) - (KEEP_MANIFESTS - 1))]:
        shutil.rmtree(old, ignore_errors=True)


def build_args(warehouse_dir: Path, as_of: dt.date, command: str = "build", warehouse_url: str | None = None,
               ) -> list[str]:
    """The dbt command line for one build of this warehouse (pure: tested without running dbt).

    dbt's unit tests (fixed inputs -> expected rows) are a development check, not a property
    of the night's data: the build skips them (tests/test_dbt_project.py runs them).
    """
    work = store.dbt_work_dir(warehouse_dir)
    variables = {"warehouse_db": str(store.internal_path(warehouse_dir).resolve()), "as_of": as_of.isoformat()}
    args = [command, "--vars", json.dumps(variables, sort_keys=True), "--log-path", str(work / "logs")]
    if command in ("build", "test"):
        args += ["--exclude-resource-type", "unit_test"]
    if warehouse_url:
        args += ["--target", "postgres"]   # profiles.yml; the connection comes from dbt_env()
    return args


def dbt_env(warehouse_url: str | None) -> dict[str, str]:
    """The environment dbt's postgres target reads (profiles.yml): the URL's parts, the password
    under dbt's DBT_ENV_SECRET_ prefix so it stays out of dbt's logs. Empty for DuckDB."""
    if not warehouse_url:
        return {}
    from pipeline.warehouse.pg import url_parts

    parts = url_parts(warehouse_url)
    return {"PIPELINE_PG_HOST": parts["host"], "PIPELINE_PG_PORT": parts["port"], "PIPELINE_PG_USER": parts["user"],
            "PIPELINE_PG_DBNAME": parts["dbname"], "DBT_ENV_SECRET_PIPELINE_PG_PASSWORD": parts["password"]}


def docs_args(warehouse_dir: Path, as_of: dt.date, target: Path, logs: Path) -> list[str]:
    """`dbt docs generate --static` of this warehouse (the data dictionary), into target and logs:
    folders the caller chose outside the source tree (pure: tested without running dbt)."""
    variables = {"warehouse_db": str(store.internal_path(warehouse_dir).resolve()), "as_of": as_of.isoformat()}
    return ["docs", "generate", "--static", "--vars", json.dumps(variables, sort_keys=True),
            "--target-path", str(target), "--log-path", str(logs)]


def target_path(warehouse_dir: Path) -> Path:
    """dbt's run artifacts for this warehouse (one folder, overwritten by each run)."""
    return store.dbt_work_dir(warehouse_dir) / "target"


BUILT_MARKER = "built-for"   # in a warehouse's target folder: what its manifest.json is the full build of


def build_identity(as_of: dt.date) -> str:
    """What a build's compiled manifest depends on: the dbt project and publish code
    (state.build_fingerprint), the raw layer's DDL, and as_of (compiled into a model's SQL)."""
    raw = hashlib.sha256(store.RAW_SCHEMA_SQL.encode()).hexdigest()[:16]
    return f"{state.build_fingerprint()}:{raw}:{as_of.isoformat()}"


def forget_build(warehouse_dir: Path) -> None:
    """Before a build: its manifest.json is rewritten, so it describes no finished full build yet."""
    (target_path(warehouse_dir) / BUILT_MARKER).unlink(missing_ok=True)


def mark_built(warehouse_dir: Path, as_of: dt.date) -> None:
    """After a successful build of every node: its manifest.json holds the compiled SQL of all of them."""
    (target_path(warehouse_dir) / BUILT_MARKER).write_text(build_identity(as_of), encoding="utf-8")


def built_manifest(warehouse_dir: Path, as_of: dt.date) -> Path | None:
    """The manifest.json of this warehouse's last full build when it is of this project, raw layer and
    as_of (the data dictionary then needs no compile of its own), else None."""
    target = target_path(warehouse_dir)
    marker, manifest = target / BUILT_MARKER, target / "manifest.json"
    try:
        current = marker.read_text(encoding="utf-8") == build_identity(as_of)
    except OSError:
        return None
    return manifest if current and manifest.exists() else None
