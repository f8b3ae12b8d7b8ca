"""The data dictionary: `dbt docs generate --static` (one self-contained HTML page with the
models, their columns, descriptions, tests, exposures and lineage) published as
<warehouse>/report/data-dictionary.html.

dbt runs through pipeline/transform.py (in this process, from the prepared parse, reading the
internal warehouse's catalog with the same vars as the build). Call it holding the warehouse's
write lock: dbt opens the internal file.
"""
from __future__ import annotations

import datetime as dt
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
        transform.write_docs_page(warehouse_dir, as_of, temp)
    files.mark_built(out_path, inputs)
    return out_path


def describes(as_of: dt.date) -> str:
    """What the page is made of: the dbt project and publish code, the raw layer's DDL, and as_of
    (transform.build_identity). The catalog holds names and types, no data."""
    return transform.build_identity(as_of)
