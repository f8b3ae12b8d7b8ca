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
