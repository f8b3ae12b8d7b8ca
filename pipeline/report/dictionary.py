"""The data dictionary: `dbt docs generate --static` (one self-contained HTML page with the
models, their columns, descriptions, tests, exposures and lineage) published as
<warehouse>/report/data-dictionary.html.

dbt runs through pipeline/transform.py (in this process, from the prepared parse, reading the
internal warehouse's catalog with the same vars as the build). Call it holding the warehouse's
write lock: dbt opens the internal file.
"""
from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from pipeline import files, transform
from pipeline.warehouse import store


class DictionaryUnavailable(RuntimeError):
    """No internal warehouse here (e.g. a folder holding only a copied bi.duckdb)."""


def generate(warehouse_dir: Path, out_path: Path, as_of: dt.date | None = None, if_changed: bool = False) -> Path:
    """if_changed: keep the page already there when what it describes has not changed since (the
    load's report: a dbt run less, seconds, on every load that only brought new files)."""
    if not store.internal_path(warehouse_dir).exists():
        raise DictionaryUnavailable(f"no internal warehouse at {store.internal_path(warehouse_dir)}: "
                                    "the data dictionary is made from the dbt build's database")
    as_of = as_of or dt.date.today()
    inputs = describes(as_of)
    if if_changed and files.is_built_from(out_path, inputs):
        return out_path
    with files.atomic_output(out_path) as temp:
        write_docs_page(warehouse_dir, as_of, temp)
    files.mark_built(out_path, inputs)
    return out_path


def describes(as_of: dt.date) -> str:
    """What the page is made of: the dbt project and publish code, the raw layer's DDL, and as_of
    (transform.build_identity). The catalog holds names and types, no data."""
    return transform.build_identity(as_of)


def write_docs_page(warehouse_dir: Path, as_of: dt.date, page: Path) -> None:
    """`dbt docs generate --static` of this warehouse (its catalog read from the internal warehouse,
    the same vars as the build) written to `page`; dbt's own files go to a temporary folder, removed
    afterwards. Right after a full build it takes that build's compiled manifest instead of compiling
    again (~3 s -> ~0.2 s). Call it holding the warehouse's write lock: dbt opens the internal file."""
    with tempfile.TemporaryDirectory(prefix="dbt-docs-") as work:
        target = Path(work) / "target"
        # in this process, from the prepared parse (no dbt start-up, no parse); the CLI's way on failure to read it
        parsed = transform.parsed_manifest()
        if parsed is None:
            _reuse_parse(warehouse_dir, target)
        args = [*transform.docs_args(warehouse_dir, as_of, target, Path(work) / "logs"), "--quiet"]
        built = transform.built_manifest(warehouse_dir, as_of)
        if built is not None:
            # the load's full build compiled every node (same project, vars): its manifest gives the
            # page the same compiled SQL, and dbt only reads the catalog
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(built, target / "manifest.json")
            args.append("--no-compile")
        result = transform.invoke(args, parsed=parsed)
        generated = target / "static_index.html"
        if not result.success or not generated.exists():
            raise RuntimeError(f"dbt docs generate failed: {result.exception or 'see dbt log lines above'}")
        shutil.copyfile(generated, page)


def _reuse_parse(warehouse_dir: Path, target: Path) -> None:
    """Start from the build's partial_parse.msgpack (same project, same vars): dbt then skips a
    full parse of the project, seconds on every load. dbt re-parses by itself when it no longer fits."""
    built = transform.target_path(warehouse_dir) / "partial_parse.msgpack"
    if built.exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, target / built.name)
