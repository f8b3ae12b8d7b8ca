"""The commune-era round trip of the monthly templates (the 2025 reform: commune covers, case keys
within today's commune, district-era cases reached through the crosswalks).

District 116 reports 2024-01 … 2025-03 (demo); the 2025-07 templates of the communes of today's map
are written from that warehouse; one commune's is filled by a script (an update, a new case), one is
sent back untouched, one commune with no open case sends its untouched template; the load takes all
three with zero rejected rows.
"""
from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import openpyxl
import pytest

from pipeline.templates import build
from runner import REPO, run_load

pytestmark = pytest.mark.slow

JULY = dt.date(2025, 7, 1)


@pytest.fixture(scope="module")
def trip(tmp_path_factory):
    root = tmp_path_factory.mktemp("commune_trip")
    sources, warehouse = root / "sources", root / "warehouse"
    months = [dt.date(2024, m, 1) for m in range(1, 13)] + [dt.date(2025, m, 1) for m in (1, 2, 3)]
    for month in months:
        name = f"bao_cao_116_{month:%Y_%m}.xlsx"
        (sources / "base").mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "sources" / "demo" / "116" / f"{month:%Y}" / name, sources / "base" / name)
    assert run_load(sources, warehouse).returncode == 0
    run = build.build_templates(JULY, warehouse, root / "templates")
    with_cases = sorted((n, code) for code, n in run.open_cases.items() if n)
    assert len(with_cases) >= 2, run.open_cases
    filled_code, untouched_code = with_cases[-1][1], with_cases[-2][1]
    empty_code = next(code for code, n in run.open_cases.items() if n == 0)
    inbox = sources / "communes"
    inbox.mkdir()
    book = openpyxl.load_workbook(run.files[filled_code])
    sheet = book["Nhà ở"]
    col = {c.value: c.column for c in sheet[3] if c.value}
    rows = [r for r in range(4, sheet.max_row + 1) if sheet.cell(r, 2).value]
    sheet.cell(rows[0], col["Ngân sách địa phương (đồng)"], 4_000_000)
    new = rows[-1] + 1
    for header, value in {"Mã hộ": f"{filled_code}-TPL-1", "Bản": "Bản Mới", "Họ tên chủ hộ": "Lò Văn Xã Mới",
                          "Đối tượng": "Hộ nghèo", "Hình thức hỗ trợ": "Xây mới",
                          "Ngân sách trung ương (đồng)": 30_000_000, "Ngày khởi công": dt.datetime(2025, 7, 3),
                          "Tình trạng": "Đang thi công"}.items():
        sheet.cell(new, col[header], value)
    book.save(inbox / "filled.xlsx")
    shutil.copy(run.files[untouched_code], inbox / "untouched.xlsx")
    shutil.copy(run.files[empty_code], inbox / "empty.xlsx")
    assert run_load(sources, warehouse).returncode == 0
    con = duckdb.connect(str(warehouse / "internal" / "warehouse.duckdb"), read_only=True)
    try:
        cursor = con.execute("select * from raw.submissions where file_name like 'communes/%'")
        names = [d[0] for d in cursor.description]
        entries = {row[names.index("file_name")]: dict(zip(names, row)) for row in cursor.fetchall()}
    finally:
        con.close()
    return {"run": run, "entries": entries, "codes": (filled_code, untouched_code, empty_code), "rows": len(rows)}


def test_commune_templates_load_with_zero_rejected_rows(trip):
    filled_code, untouched_code, empty_code = trip["codes"]
    entries = trip["entries"]
    assert {k: (e["status"], e["rows_rejected"]) for k, e in entries.items()} == {
        "communes/filled.xlsx": ("accepted", 0), "communes/untouched.xlsx": ("accepted", 0),
        "communes/empty.xlsx": ("accepted", 0)}
    assert entries["communes/filled.xlsx"]["rows_loaded"] == trip["rows"] + 1
    assert entries["communes/untouched.xlsx"]["rows_loaded"] == trip["run"].open_cases[untouched_code]
    assert entries["communes/empty.xlsx"]["rows_loaded"] == 0
