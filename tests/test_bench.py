"""The benchmark workload generator at a tiny scale: right shape, and every file loads clean.

No timing here: the benchmark itself (python -m tools.bench) reports times.
"""
import datetime as dt

import duckdb
from python_calamine import CalamineWorkbook

from pipeline.warehouse import store as warehouse
from runner import query, run_load
from tools import bench_data
from pipeline.ingest.batch import run_ingest
import pytest


def _data_rows(path, sheet):
    book = CalamineWorkbook.from_path(str(path))
    if sheet not in book.sheet_names:
        return 0
    return len(book.get_sheet_by_name(sheet).to_python()) - 1


@pytest.mark.slow   # loads: the full tier only
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


def _rows(path, sheet):
    book = CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(sheet).to_python() if sheet in book.sheet_names else []


def _records(path, sheet):
    rows = _rows(path, sheet)
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_commune_era_workload_has_the_shape(tmp_path):
    out = tmp_path / "bench"
    counts = bench_data.generate_communes(out, scale=1, communes=4, months=7, processes=1)   # 2025-07 .. 2026-01
    files = sorted(out.rglob("*.xlsx"))
    assert counts["files"] == len(files) == 4 * 7
    assert {p.relative_to(out).parts[0] for p in files} == {"communes"}
    periods = [f"{m:02d}/{y}" for y, m in bench_data.COMMUNE_MONTHS[:7]]
    assert periods[0] == "07/2025" and periods[-1] == "01/2026"
    inherited = bench_data.handed_over(1)
    for code, name in bench_data.load_communes_2025_07()[:4]:
        paths = sorted((out / "communes" / code).glob("*.xlsx"))
        covers = [dict(row[:2] for row in _rows(p, "Thông tin")) for p in paths]
        assert [(c["Mã xã"], c["Tên xã"], c["Kỳ báo cáo"], c["Lần gửi"]) for c in covers] == \
            [(code, name, period, 1) for period in periods]
        assert all("Mã huyện" not in c for c in covers)
        monthly = [[r["Mã hộ"] for r in _records(p, "Nhà ở")] for p in paths]
        assert all(len(ids) == len(set(ids)) for ids in monthly)              # one row per case in a file
        assert all(set(a) <= set(b) for a, b in zip(monthly, monthly[1:]))   # cumulative list
        assert len(monthly[-1]) > len(monthly[0]) > 0
        # the district cases still open in 2025-03 come first, under their district Mã hộ
        handed = [i for i in monthly[0] if len(i.split("-")[0]) == 3]
        assert handed == [c["static"][0] for c in inherited.get(code, [])]
        assert all(i.startswith(code + "-") for i in monthly[-1] if i not in handed)
        records = [r for p in paths for r in _records(p, "Nhà ở")]
        assert all(r.get("Mã xã", code) == code for r in records)
        assert all((r["Tình trạng"] == "Hoàn thành") == bool(r["Ngày hoàn thành"]) for r in records)
        # the 2025 review, one row per commune, in the January 2026 file only
        poverty = [_records(p, "Hộ nghèo") for p in paths]
        assert [len(rows) for rows in poverty] == [0] * 6 + [1]
        assert poverty[-1][0]["Năm rà soát"] == 2025 and poverty[-1][0].get("Mã xã", code) == code
    assert counts["houses"] == sum(len(_rows(p, "Nhà ở")) - 1 for p in files)
    assert counts["grants"] == sum(len(_rows(p, "Hỗ trợ")) - 1 for p in files) == 4 * 7 * bench_data.GRANTS_PER_COMMUNE_FILE
    assert counts["poverty"] == 4
    # scale multiplies rows, not files
    double = bench_data.generate_communes(tmp_path / "x2", scale=2, communes=4, months=7, processes=1)
    assert double["files"] == counts["files"] and double["grants"] == 2 * counts["grants"]
    assert 1.8 < double["houses"] / counts["houses"] < 2.2


def test_commune_era_covers_the_75_list_in_both_layouts_and_takes_over_every_open_case(tmp_path):
    out = tmp_path / "bench"
    counts = bench_data.generate_communes(out, scale=1, months=1, processes=1)
    units = bench_data.load_communes_2025_07()
    assert len(units) == 75 and counts["files"] == 75
    headers = [tuple(_rows(p, "Nhà ở")[0]) for p in sorted(out.rglob("*.xlsx"))]
    full = tuple(bench_data.HOUSE_HEADERS)
    assert set(headers) == {full, tuple(h for h in full if h not in ("Mã xã", "Tên xã"))}   # both layouts
    # every case district 116 still had open in its last month (2025-03) is taken over by one commune
    bench_data.generate(tmp_path / "district", districts=1, processes=1)
    last = sorted((tmp_path / "district" / "116").glob("*.xlsx"))[-1]
    assert last.name == "bao_cao_116_2025_03.xlsx"
    still_open = [r["Mã hộ"] for r in _records(last, "Nhà ở") if r["Tình trạng"] != "Hoàn thành"]
    taken = [r["Mã hộ"] for p in out.rglob("*.xlsx") for r in _records(p, "Nhà ở") if r["Mã hộ"].startswith("116-")]
    assert still_open and sorted(taken) == sorted(still_open)


@pytest.mark.slow   # a real CLI load
def test_tiny_commune_era_loads_clean_through_the_cli(tmp_path):
    sources = tmp_path / "sources"
    counts = bench_data.generate_communes(sources, scale=1, communes=3, months=7, processes=1)
    done = run_load(sources, tmp_path / "warehouse")
    assert done.returncode == 0, done.stderr[-3000:]
    ledger = query(tmp_path / "warehouse", "select unit_type, status, count(*), sum(rows_rejected), sum(rows_loaded) "
                                           "from audit.submissions group by all")
    assert ledger == [("commune", "accepted", counts["files"], 0, counts["rows"])]
    assert query(tmp_path / "warehouse", "select count(*) from audit.rejected_rows") == [(0,)]
    cases = {r["Mã hộ"] for p in sources.rglob("*_2026_01.xlsx") for r in _records(p, "Nhà ở")}   # cumulative
    assert query(tmp_path / "warehouse", "select count(*), count(distinct household_id) from marts.fct_houses") == \
        [(len(cases), len(cases))]


def test_the_table_reports_medians_with_both_peaks_and_the_report_on_its_own_line():
    """tools.bench --repeat: medians of the rounds (a failed run is no timing), the largest process's peak
    beside the whole tree's, the load to publish and its report on lines of their own, the targets' ratios."""
    from tools import bench

    runs = [bench.Run(10.0, 400, 500, 0), bench.Run(14.0, 420, 520, 0), bench.Run(12.0, 900, 950, 0),
            bench.Run(3.0, 100, 100, 4)]
    middle = bench.median(runs)
    assert (middle.wall, middle.largest, middle.tree, middle.code) == (12.0, 420, 520, 4)   # 4: one run failed
    counts = {"files": 10, "rows": 1000, "houses": 900, "grants": 90, "poverty": 10}
    step = bench.Run(2.0, 300, 350, 0)
    workload = {"scale": 1, "repeat": 3, "counts": counts, "floor": bench.Run(1.0, 20, 20, 0),
                "peer": bench.Run(12.0, 200, 200, 0), "backfill": step, "report": bench.Run(4.0, 380, 560, 0),
                "nothing_new": bench.Run(0.3, 70, 70, 0), "one_new": bench.Run(0.5, 250, 250, 0)}
    text = bench.table(workload, [(1, 1000, step), (2, 2000, bench.Run(3.6, 350, 400, 0)),
                                  (4, 4000, bench.Run(7.0, 500, 550, 0))], load_average="1.0 / 1.0 / 1.0")
    assert "medians of 3 run(s)" in text and "load average 1.0 / 1.0 / 1.0" in text
    assert "| district era | its report (`python -m pipeline report`, a process of its own) | 4.0 | 380 | 560 |" in text
    assert "load to publish | 2.0 | 300 | 350 | 500 |" in text
    assert "- district era: peer / pipeline: **6.00×** (target ≥ 5×)" in text
    assert "one new file / backfill: **25%**" in text
    assert "time per row, scale 4 / scale 2: **0.97×**" in text
