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
