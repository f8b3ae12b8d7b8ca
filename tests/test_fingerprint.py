"""The demo load's outcome is the one committed: ledger, raw tables, marts, audit and feedback
workbooks, apart from the run-time columns tools/fingerprint.py lists (received_at, run_id,
file_mtime, and completeness judged against the day of the load).

The snapshot was first computed on main before the speed work (issue 12) and matched after it; it
was rewritten when the demo was extended to 2026-10 (issue 9), and when the reporting layer
(marts.rpt_*, marts.dim_poverty_standard; issue 22) was added: additions only, and when the demo was
made to tell 2025 as Son La published it (issue 25: amounts by source, 2025's support types, 200 fewer
2025 cases, the correction's forgotten grant row instead of two cases), and when poverty was read within
one standard (issue 25: new columns, 3 new rules; change_pp null on the 2021 rows, across the 2016-2020 ->
2022-2025 break, the headline's average change taken within 2022-2025, the district change since 2021).
A faster engine must not change
what a load produces. A change meant to change results rewrites it:
    python -m tools.fingerprint WAREHOUSE --write tests/snapshots/demo_fingerprint.json
"""
import json
from pathlib import Path

import pytest

from tools import fingerprint

pytestmark = pytest.mark.slow   # a real CLI load of the demo sources

SNAPSHOT = Path(__file__).parent / "snapshots" / "demo_fingerprint.json"


def test_demo_load_matches_the_committed_fingerprint(demo_load):
    warehouse, _ = demo_load
    found = fingerprint.fingerprint(warehouse)
    assert fingerprint.differences(json.loads(SNAPSHOT.read_text(encoding="utf-8")), found) == []
    # the fingerprint covers what it says: the ledger, rejected rows, marts and feedback workbooks
    assert found["internal"]["raw.submissions"]["rows"] > 700
    assert found["internal"]["raw.rejected_rows"]["rows"] > 0
    assert "marts.fct_houses" in found["published"] and found["feedback"]
