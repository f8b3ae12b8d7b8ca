"""A BI client holding bi.duckdb open during a load, and two loads started at once."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import duckdb

from runner import REPO, query, run_load
from workbooks import house, submission
import pytest

pytestmark = pytest.mark.slow   # real CLI loads: the full tier only

FIGURES = ("select count(*), coalesce(sum(total_vnd), 0) from marts.fct_houses")


def figures_in_new_process(warehouse) -> list:
    """What a BI client that connects now sees (a fresh process: no shared DuckDB instance)."""
    script = ("import duckdb, json, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
              f"print(json.dumps([list(r) for r in con.execute({FIGURES!r}).fetchall()]))")
    out = subprocess.run([sys.executable, "-c", script, str(warehouse / "bi.duckdb")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return [tuple(r) for r in json.loads(out.stdout)]


def _env():
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
    env.pop("DAGSTER_HOME", None)
    return env


def test_reader_holding_bi_open_during_a_load(tmp_path):
    sources, warehouse = tmp_path / "sources", tmp_path / "warehouse"
    submission(sources / "a.xlsx", period="03/2025", houses=[house("H1"), house("H2", no=2)])
    first = run_load(sources, warehouse)
    assert first.returncode == 0, first.stderr[-3000:]
    old = [(2, 120_000_000)]

    held = duckdb.connect(str(warehouse / "bi.duckdb"), read_only=True)
    try:
        assert held.execute(FIGURES).fetchall() == old
        submission(sources / "b.xlsx", district="118", period="02/2025",
                   houses=[house("Q1", commune="03682", name="Xã Mường Chiên", done=dt.date(2025, 1, 20))])
        second = run_load(sources, warehouse)
        assert second.returncode == 0, second.stderr[-3000:]     # the held reader did not block the load
        assert held.execute(FIGURES).fetchall() == old            # and still sees the old complete version
        assert held.execute("select count(*) from audit.submissions").fetchone() == (1,)
        new = [(3, 180_000_000)]
        assert figures_in_new_process(warehouse) == new           # new connections see the new version
    finally:
        held.close()
    assert query(warehouse, FIGURES) == [(3, 180_000_000)]
    assert query(warehouse, "select count(*) from audit.submissions") == [(2,)]


def test_two_loads_at_once(tmp_path):
    sources, warehouse = tmp_path / "sources", tmp_path / "warehouse"
    for month in range(1, 4):
        submission(sources / f"116_{month}.xlsx", period=f"{month:02d}/2025",
                   houses=[house(f"H{month}", start=dt.date(2024, 12, 1), done=dt.date(2025, month, 1))])
    command = [sys.executable, "-m", "pipeline", "load", "--sources", str(sources), "--warehouse", str(warehouse)]
    procs = [subprocess.Popen(command, cwd=REPO, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    # communicate, not wait: a load's output (dbt's lines) is larger than a pipe's buffer, and a
    # child blocked writing to a pipe nobody reads never exits
    results = [(p.returncode, *outputs) for p, outputs in ((p, p.communicate(timeout=600)) for p in procs)]
    codes = sorted(rc for rc, _, _ in results)
    assert codes in ([0, 3], [0, 0]), [(rc, err[-2000:]) for rc, _, err in results]
    for rc, _, err in results:
        if rc == 3:
            assert "another load" in err, err
    con = duckdb.connect(str(warehouse / "bi.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*), count(distinct file_name), count(distinct file_sha256) "
                           "from audit.submissions").fetchone() == (3, 3, 3)
        assert con.execute("select count(*), count(distinct household_id) from marts.fct_houses").fetchone() == (3, 3)
    finally:
        con.close()
    # the warehouse stays usable: the next load changes nothing
    again = run_load(sources, warehouse)
    assert again.returncode == 0, again.stderr[-3000:]
    assert query(warehouse, "select count(*) from audit.submissions") == [(3,)]
