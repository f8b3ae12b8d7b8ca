"""SIGKILL a real load (the CLI, in its own process group) at several moments, then finish it.

One warehouse goes through a chain of interrupted loads, each killed at a different phase
(decided from the progress lines the CLI prints, or from the publish temp file appearing):

  1. early (0.5 s after start, before anything was written),
  2. a complete load of part of the sources (so an old bi.duckdb exists),
  3. more sources arrive; killed during ingest (parse workers running, duplicates recorded),
  4. killed during dbt build,
  5. killed during publish (as soon as the temp copy of bi.duckdb appears),
  6. a load run to completion.

After every kill bi.duckdb, when it exists, must open and be complete (the old version or the
new one). At the end every mart table and the ledger (without received_at) must equal those
of a clean, uninterrupted load of the same sources into a fresh warehouse, and no temp debris
may be left.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import psutil
import pytest

from runner import REPO, run_load

pytestmark = pytest.mark.slow   # real CLI loads: the full tier only

DEMO = REPO / "sources" / "demo"
YEARS = ("2024", "2025")   # 30 workbooks: enough for the phases, small enough to stay quick
EXPECTED_TABLES = {"marts.dim_district", "marts.dim_commune", "marts.fct_houses", "marts.fct_grants",
                   "marts.fct_poverty_rates", "marts.agg_poverty_district_year",
                   "marts.agg_poverty_province_year", "audit.submissions", "audit.rejected_rows"}
# every publish's figures and their revisions: a chain of interrupted loads publishes more often than one clean load
PUBLISH_HISTORY = {"marts.fct_published_figures", "marts.fct_revisions", "marts.rpt_revisions"}
TIME_LIMIT = 600   # seconds any one load may take on a loaded 2-core machine: only turns a hang into a failure


class Load:
    """`python -m pipeline load --verbose` in its own session (the steps' own lines tell where it is);
    stderr read line by line as it comes (also used by tests/test_postgres.py, with --warehouse-url)."""

    def __init__(self, sources: Path, warehouse: Path, *extra: str):
        env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "PYTHONUNBUFFERED": "1"}
        env.pop("DAGSTER_HOME", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "load", "--verbose", "--sources", str(sources), "--warehouse", str(warehouse),
             *extra],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.started = time.monotonic()

    def _read(self):
        for line in self.proc.stderr:
            self.lines.append(line)

    def wait_for(self, predicate, what: str) -> None:
        while not predicate():
            if self.proc.poll() is not None:
                self._reader.join(5)
                pytest.fail(f"the load ended (rc {self.proc.returncode}) before {what}:\n{''.join(self.lines)[-3000:]}")
            if time.monotonic() - self.started > TIME_LIMIT:
                self.kill()
                pytest.fail(f"gave up waiting for {what}")
            time.sleep(0.01)

    def saw(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))

    def kill(self) -> None:
        """SIGKILL the whole tree: the process group, and any descendant that left it."""
        try:
            family = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            family = []
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for child in family:
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass
        self.proc.wait(30)
        psutil.wait_procs(family, timeout=30)
        self._reader.join(5)


def copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, copy_function=shutil.copy2, dirs_exist_ok=True)   # keeps mtimes


def add_district_116(sources: Path) -> None:
    for year in YEARS:
        copy_tree(DEMO / "116" / year, sources / "116" / year)


def add_district_118(sources: Path) -> None:
    for year in YEARS:
        copy_tree(DEMO / "118" / year, sources / "118" / year)
    original = sorted((DEMO / "118" / "2025").glob("*.xlsx"))[-1]
    (sources / "zz_inbox").mkdir(exist_ok=True)
    shutil.copy2(original, sources / "zz_inbox" / "copy_of_118.xlsx")   # same bytes: a duplicate


def snapshot(warehouse: Path) -> dict[str, list]:
    con = duckdb.connect(str(warehouse / "bi.duckdb"), read_only=True)
    try:
        tables = con.execute("select table_schema || '.' || table_name from information_schema.tables "
                             "where table_schema = 'marts' order by 1").fetchall()
        out = {}
        for (table,) in tables:
            if table in PUBLISH_HISTORY:
                continue
            # received_at, and the reporting layer's loaded_at: when a file arrived, not what it holds
            columns = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema || '.' || table_name = ? "
                "and column_name not in ('received_at', 'loaded_at') order by ordinal_position", [table]).fetchall()]
            quoted = ", ".join(f'"{c}"' for c in columns)
            out[table] = con.execute(f"select {quoted} from {table} order by all").fetchall()
        ledger_columns = [c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_schema = 'audit' "
            "and table_name = 'submissions' and column_name <> 'received_at' order by column_name").fetchall()]
        quoted = ", ".join(f'"{c}"' for c in ledger_columns)
        out["ledger"] = con.execute(f"select {quoted} from audit.submissions order by all").fetchall()
        out["rejected_rows"] = con.execute("select * from audit.rejected_rows order by all").fetchall()
        return out
    finally:
        con.close()


def assert_published_complete(warehouse: Path) -> dict | None:
    """bi.duckdb, if there, opens and holds every table; returns its snapshot."""
    if not (warehouse / "bi.duckdb").exists():
        return None
    con = duckdb.connect(str(warehouse / "bi.duckdb"), read_only=True)
    try:
        tables = {f"{s}.{t}" for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall()}
        assert EXPECTED_TABLES <= tables, EXPECTED_TABLES - tables
        for table in tables:
            con.execute(f"select count(*) from {table}").fetchone()
        assert con.execute("select count(*) from marts.dim_district").fetchone()[0] == 12
    finally:
        con.close()
    return snapshot(warehouse)


def ledger_outcomes(warehouse: Path) -> dict[str, str]:
    """file -> outcome, read from the internal ledger (what the killed load had committed)."""
    con = duckdb.connect(str(warehouse / "internal" / "warehouse.duckdb"), read_only=True)
    try:
        return dict(con.execute("select file_name, outcome from raw.submissions").fetchall())
    finally:
        con.close()


def debris(warehouse: Path) -> list[Path]:
    return [p for p in warehouse.rglob("*") if ".tmp-" in p.name]


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    root = tmp_path_factory.mktemp("clean")
    sources = root / "sources"
    add_district_116(sources)
    add_district_118(sources)
    result = run_load(sources, root / "warehouse")
    assert result.returncode == 0, result.stderr[-3000:]
    return snapshot(root / "warehouse")


def test_sigkill_at_every_phase_then_finish_equals_clean_run(tmp_path, clean):
    sources, warehouse = tmp_path / "sources", tmp_path / "warehouse"
    add_district_116(sources)

    # 1. early: right after start
    load = Load(sources, warehouse)
    time.sleep(0.5)
    load.kill()
    assert assert_published_complete(warehouse) is None

    # 2. a complete load of district 116 only: the old published version
    first = run_load(sources, warehouse)
    assert first.returncode == 0, first.stderr[-3000:]
    old = assert_published_complete(warehouse)
    assert old is not None and old["ledger"]

    # 3. district 118 and a duplicate copy arrive; killed while the new files are parsed
    add_district_118(sources)
    load = Load(sources, warehouse)
    # killed as soon as the duplicate copy is committed: the worker processes that parse the new
    # files are only starting then (a fixed sleep raced the ingest once it got faster)
    load.wait_for(lambda: load.saw("duplicate file(s) in the ledger"), "the duplicate recorded")
    load.kill()
    assert not load.saw("Running dbt command"), "the load got past the ingest before the kill"
    assert ledger_outcomes(warehouse).get("zz_inbox/copy_of_118.xlsx") == "duplicate"   # killed mid-ingest
    assert assert_published_complete(warehouse) == old

    # 4. killed during dbt build
    load = Load(sources, warehouse)
    load.wait_for(lambda: load.saw("Running dbt command"), "dbt started")
    time.sleep(2.0)
    assert not load.saw("bi_warehouse: published"), "the load got past dbt before the kill"
    load.kill()
    assert assert_published_complete(warehouse) == old

    # 5. killed during publish: as soon as the temp copy of bi.duckdb appears
    load = Load(sources, warehouse)
    load.wait_for(lambda: any(warehouse.glob(".bi.duckdb.tmp-*")), "publish started")
    load.kill()
    after_publish_kill = assert_published_complete(warehouse)
    assert after_publish_kill in (old, clean), "bi.duckdb is neither the old nor the new version"

    # 6. run to completion
    final = run_load(sources, warehouse)
    assert final.returncode == 0, final.stderr[-3000:]
    result = snapshot(warehouse)
    assert set(result) == set(clean)
    for table in clean:
        assert result[table] == clean[table], f"{table} differs from the clean run's"
    counts = duckdb.connect(str(warehouse / "bi.duckdb"), read_only=True).execute(
        "select count(*), count(distinct file_name) from audit.submissions").fetchone()
    assert counts[0] == counts[1] == len([p for p in sources.rglob("*.xlsx")])
    assert not debris(warehouse), debris(warehouse)
    # the Parquet copies are the new version too
    for table in [t for t in clean if t.startswith("marts.")]:
        rows = duckdb.connect().execute(
            f"select count(*) from '{warehouse / 'parquet' / (table + '.parquet')}'").fetchone()[0]
        assert rows == len(clean[table]), table
