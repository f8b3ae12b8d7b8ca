"""Running the real command (`python -m pipeline load`) in a subprocess, as an operator would."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent


def run_load(sources: Path, warehouse: Path, *extra: str, env: dict | None = None, timeout: int = 600):
    environment = {**os.environ, "GX_ANALYTICS_ENABLED": "false", **(env or {})}
    environment.pop("DAGSTER_HOME", None) if env is None or "DAGSTER_HOME" not in env else None
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "load", "--sources", str(sources), "--warehouse", str(warehouse), *extra],
        cwd=REPO, env=environment, capture_output=True, text=True, timeout=timeout,
    )


def query(warehouse: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(warehouse / "bi.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
