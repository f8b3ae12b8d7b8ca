"""The benchmark workload generator at a tiny scale: right shape, and every file loads clean.

No timing here: the benchmark itself (python -m tools.bench) reports times.
"""
import datetime as dt

import duckdb
from python_calamine import CalamineWorkbook

from pipeline.warehouse import store as warehouse
from tools import bench_data
from pipeline.ingest.batch import run_ingest
import pytest

pytestmark = pytest.mark.slow   # real CLI loads: the full tier only


def _data_rows(path, sheet):
    book = CalamineWorkbook.from_path(str(path))
    if sheet not in book.sheet_names:
        return 0
    return len(book.get_sheet_by_name(sheet).to_python()) - 1


def test_tiny_benchmark_set_has_the_shape_and_loads_clean(tmp_path):
    out = tmp_path / "bench"
    counts = bench_data.generate(out, scale=2, districts=2, months=13, processes=1)
    files = sorted(out.rglob("*.xlsx"))
    assert counts["files"] == len(files) == 2 * 13
    # cumulative houses: each month's file lists at least every case of the month before
    for district in ("116", "118"):
        monthly = [_data_rows(p, "Nhà ở") for p in sorted((out / district).glob("*.xlsx"))]
        assert monthly == sorted(monthly) and monthly[0] > 0
        assert monthly[-1] > monthly[0]
    assert counts["houses"] == sum(_data_rows(p, "Nhà ở") for p in files)
    assert counts["grants"] == sum(_data_rows(p, "Hỗ trợ") for p in files) == 2 * 13 * 2 * bench_data.GRANTS_PER_FILE
    # the poverty review is in the January 2021 files only
    assert counts["poverty"] == sum(_data_rows(p, "Hộ nghèo") for p in files) > 0
    assert all(_data_rows(p, "Hộ nghèo") == 0 for p in files if not p.name.endswith("2021_01.xlsx"))
    # scale multiplies rows, not files
    single = bench_data.generate(tmp_path / "single", scale=1, districts=2, months=13, processes=1)
    assert single["files"] == counts["files"]
    assert 1.9 < counts["houses"] / single["houses"] < 2.1

    result = run_ingest(out, tmp_path / "warehouse", today=dt.date(2025, 6, 1), workers=1)
    assert result.by_status() == {"accepted": len(files)}
    assert result.total("rows_rejected") == 0
    assert result.total("rows_loaded") == counts["rows"]
    con = duckdb.connect(str(warehouse.internal_path(tmp_path / "warehouse")), read_only=True)
    try:
        assert con.execute("select count(*) from raw.houses").fetchone()[0] == counts["houses"]
        assert con.execute("select count(*) from raw.warnings").fetchone()[0] == 0
    finally:
        con.close()
