import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))   # tools/ (demo data, benchmark)

# The explicit prepare step (as `python -m pipeline prepare` in setup): the dbt manifest the
# Dagster definitions are built from, before any test imports them.
from pipeline import transform  # noqa: E402

transform.prepare()


@pytest.fixture
def sources(tmp_path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    return folder


@pytest.fixture
def warehouse_dir(tmp_path) -> Path:
    return tmp_path / "warehouse"


@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL server for the whole session (tests/pg.py), removed at the end."""
    from pg import PgCluster

    cluster = PgCluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_database(pg_cluster, request) -> str:
    """A fresh database on the session's cluster; its URL (as the superuser)."""
    import re
    import secrets

    name = re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:40] + "_" + secrets.token_hex(3)
    return pg_cluster.create_database(name)


@pytest.fixture(scope="session")
def demo_load(tmp_path_factory):
    """One real CLI load of the committed demo (sources/), shared by the slow tests that only read
    what it published (a demo load takes ~1.5 min: each module loading its own cost that again)."""
    from runner import REPO, run_load

    warehouse = tmp_path_factory.mktemp("demo_load") / "warehouse"
    done = run_load(REPO / "sources", warehouse)
    assert done.returncode == 0, done.stderr[-3000:]
    return warehouse, done


# The demo as a terminal sees it, with gaps in its latest months: two communes' 2026-10 reports not
# sent, one sent late (prepared after the due date), one commune's 2026-09 report not sent.
GAPS = {"missing": {("03646", "2026-10"), ("03664", "2026-10"), ("03688", "2026-09")},
        "late": {("03670", "2026-10")}}
LATE_PREPARED_ON = (2026, 11, 20)   # ten days after 2026-10's due date, 10/11/2026


@pytest.fixture(scope="session")
def terminal_demo_load(tmp_path_factory):
    """One real CLI load of the demo with those gaps, in a pseudo-terminal: (warehouse, exit code, bytes)."""
    import datetime as dt
    import shutil

    import openpyxl
    from runner import REPO
    from terminal import run_in_terminal

    root = tmp_path_factory.mktemp("terminal_demo")
    skipped = {f"bao_cao_xa_{code}_{month.replace('-', '_')}.xlsx" for code, month in GAPS["missing"]}
    shutil.copytree(REPO / "sources", root / "sources", ignore=lambda folder, names: [n for n in names if n in skipped])
    for code, month in GAPS["late"]:
        path = root / "sources" / "demo" / "communes" / code / month[:4] / f"bao_cao_xa_{code}_{month.replace('-', '_')}.xlsx"
        book = openpyxl.load_workbook(path)
        cover = book["Thông tin"]
        [row] = [r for r in cover.iter_rows() if r[0].value == "Ngày lập"]
        row[1].value = dt.datetime(*LATE_PREPARED_ON)   # the clerk prepared it after the due date
        book.save(path)
    warehouse = root / "warehouse"
    code, received = run_in_terminal(["load", "--sources", str(root / "sources"), "--warehouse", str(warehouse)])
    assert code == 0, received.decode(errors="replace")[-3000:]
    return warehouse, code, received
