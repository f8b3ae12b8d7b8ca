"""The dbt project as Dagster sees it, with its manifest prepared wherever the code runs."""
from __future__ import annotations

from pathlib import Path

from dagster_dbt import DbtProject

from pipeline.settings import DBT_PROJECT_DIR


def dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def _newest_source_mtime(project_dir: Path) -> float:
    newest = 0.0
    for folder in ("models", "seeds", "macros", "tests"):
        for path in (project_dir / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return max(newest, (project_dir / "dbt_project.yml").stat().st_mtime)


def prepare(project: DbtProject) -> Path:
    """`dbt parse` when the manifest is missing or older than the project's files.

    prepare_if_dev() only does this under `dagster dev`; the CLI, tests and CI need it too.
    """
    manifest = project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(project.project_dir):
        # The preparer's own DbtCliResource looks for `dbt` on PATH, which an unactivated
        # venv does not have: parse with the venv's dbt instead.
        from dagster_dbt import DbtCliResource

        dbt = DbtCliResource(project_dir=project, profiles_dir=str(project.project_dir),
                             dbt_executable=dbt_executable())
        dbt.cli(["parse", "--quiet"], target_path=project.target_path).wait()
    return manifest


def dbt_executable() -> str:
    """The dbt next to this Python (the venv's), so PATH does not matter."""
    import shutil
    import sys

    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")
