"""The data dictionary: `dbt docs generate --static` (one self-contained HTML page with the
models, their columns, descriptions, tests, exposures and lineage) published as
<warehouse>/report/data-dictionary.html.

dbt reads the internal warehouse (the catalog of every model) with the same vars as the build
(pipeline/transform.py) and writes its files into a temporary folder outside the source tree,
removed afterwards. Call it holding the warehouse's write lock: dbt opens the internal file.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from pipeline import transform
from pipeline.config import DBT_PROJECT_DIR
from pipeline.warehouse import store

TIMEOUT_S = 600


class DictionaryUnavailable(RuntimeError):
    """No internal warehouse here (e.g. a folder holding only a copied bi.duckdb)."""


def generate(warehouse_dir: Path, out_path: Path, as_of: dt.date | None = None) -> Path:
    if not store.internal_path(warehouse_dir).exists():
        raise DictionaryUnavailable(f"no internal warehouse at {store.internal_path(warehouse_dir)}: "
                                    "the data dictionary is made from the dbt build's database")
    with tempfile.TemporaryDirectory(prefix="dbt-docs-") as work:
        target = Path(work) / "target"
        _reuse_parse(warehouse_dir, target)
        command = [transform.dbt_executable(), *transform.docs_args(warehouse_dir, as_of or dt.date.today(),
                                                                     target, Path(work) / "logs"),
                   "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, cwd=DBT_PROJECT_DIR)
        page = target / "static_index.html"
        if done.returncode != 0 or not page.exists():
            raise RuntimeError(f"dbt docs generate failed (exit {done.returncode}):\n"
                               f"{done.stdout[-3000:]}{done.stderr[-2000:]}")
        out_path.parent.mkdir(parents=True, exist_ok=True)
        temp = out_path.with_name(f".{out_path.name}.tmp-{os.getpid()}")
        shutil.copyfile(page, temp)
    os.replace(temp, out_path)
    return out_path


def _reuse_parse(warehouse_dir: Path, target: Path) -> None:
    """Start from the build's partial_parse.msgpack (same project, same vars): dbt then skips a
    full parse of the project, seconds on every load. dbt re-parses by itself when it no longer fits."""
    built = transform.target_path(warehouse_dir) / "partial_parse.msgpack"
    if built.exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, target / built.name)

