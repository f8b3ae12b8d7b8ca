"""Templates round trip through the real load (issue 13), for two district months: 2024-11 (the
204-commune list) and 2025-03 (the 200-commune list).

A warehouse is loaded (the CLI) with the demo workbooks of five districts (116, 118, 119 up to
2024-10; 120, 121 up to 2025-02); the templates of both months are written from it; then, as the
clerks would, some are sent back untouched (units with open cases and units with none), some filled
by a script (updates, new cases, grants), and one with values pasted over its dropdowns; a second
load takes them all. The template helps, the load decides.
"""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipeline.templates import build
from runner import REPO, run_load

pytestmark = pytest.mark.slow   # two real loads (dbt build, publish)

D = dt.date
TODAY = dt.date.today()
BASE_MONTHS = {code: [D(2024, m, 1) for m in range(1, 11)] for code in ("116", "118", "119")}
BASE_MONTHS.update({code: [D(2024, m, 1) for m in range(1, 13)] + [D(2025, 1, 1), D(2025, 2, 1)]
                    for code in ("120", "121")})
NOV, DEC, MAR = D(2024, 11, 1), D(2024, 12, 1), D(2025, 3, 1)
UNTOUCHED = {("116", NOV), ("122", NOV), ("121", MAR), ("124", MAR)}   # 122 and 124: no case at all
FILLED = {("118", NOV), ("120", MAR)}
BYPASSED = ("119", NOV)
NEW_HEADS = ["Lò Văn Mới Thêm", "Cà Thị Mới Xong"]
# Where a row was reported, not what it says. The commune as reported carries the list of the
# reporting month (commune_list, commune_key): a 2025-01 case re-reported in 2025-02 is the same
# case (same case_key) on the 200-list instead of the 204-list.
PROVENANCE = {"reported_period", "first_reported_period", "submissions_reporting", "submission_id", "excel_row",
              "commune_list", "commune_key"}


def sheet_columns(sheet) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[3] if cell.value}


def prefilled_rows(sheet) -> list[int]:
    return [row for row in range(4, sheet.max_row + 1) if sheet.cell(row, 2).value]


def fill_as_clerk(template: Path, out: Path, unit: str, period: dt.date) -> dict:
    """Update the first two pre-filled cases, add two new ones and two grant rows; return what was done."""
    book = openpyxl.load_workbook(template)
    book["Thông tin"]["B7"] = dt.datetime(period.year, period.month, 28)
    book["Thông tin"]["B8"] = "Cán bộ lập biểu"
    communes = [(r[0].value, r[1].value) for r in book["Danh mục xã"].iter_rows(min_row=2)]
    sheet = book["Nhà ở"]
    col, rows = sheet_columns(sheet), prefilled_rows(sheet)
    day = lambda d: dt.datetime(period.year, period.month, d)   # noqa: E731
    done_id, updated_id = sheet.cell(rows[0], 2).value, sheet.cell(rows[1], 2).value
    first = rows[0]
    sheet.cell(first, col["Tình trạng"], "Hoàn thành")
    sheet.cell(first, col["Ngày hoàn thành"], day(25))
    if sheet.cell(first, col["Ngày khởi công"]).value is None:
        sheet.cell(first, col["Ngày khởi công"], day(2))
    for header, amount in (("Ngân sách trung ương (đồng)", 40_000_000), ("Ngân sách địa phương (đồng)", 15_000_000),
                           ("Xã hội hóa (đồng)", 5_000_000)):
        sheet.cell(first, col[header], amount)
    sheet.cell(rows[1], col["Ngân sách địa phương (đồng)"], 3_000_000)
    new = rows[-1] + 1
    code = sheet.cell(first, 3).value
    new_ids = [f"{unit}-TPL-001", f"{unit}-TPL-002"]
    # each unit's new household its own Số CCCD: one number on open cases of two communes is one household
    # reported twice (a warning since the history merge), not what a clerk's new case is
    for offset, values in enumerate((
        {"Mã hộ": new_ids[0], "Tên xã": communes[0][1], "Họ tên chủ hộ": NEW_HEADS[0], "Số CCCD": f"014099{unit}777",
         "Đối tượng": "Hộ cận nghèo", "Hình thức hỗ trợ": "Sửa chữa", "Ngân sách trung ương (đồng)": 10_000_000,
         "Ngày khởi công": day(4), "Tình trạng": "Đang thi công"},
        {"Mã hộ": new_ids[1], "Mã xã": communes[-1][0], "Họ tên chủ hộ": NEW_HEADS[1], "Đối tượng": "Hộ có công",
         "Hình thức hỗ trợ": "Sửa chữa", "Ngân sách trung ương (đồng)": 25_000_000, "Ngày khởi công": day(1),
         "Ngày hoàn thành": day(20), "Tình trạng": "Hoàn thành"},
    )):
        for header, value in values.items():
            sheet.cell(new + offset, col[header], value)
    grants = book["Hỗ trợ"]
    gcol = sheet_columns(grants)
    for row, values in ((4, {"Tên xã": communes[0][1], "Chương trình": "Khám chữa bệnh", "Số đối tượng": 12,
                              "Số tiền (đồng)": 6_000_000, "Nguồn kinh phí": "Ngân sách trung ương"}),
                        (5, {"Mã xã": communes[0][0], "Chương trình": "Hỗ trợ học sinh", "Số đối tượng": 30,
                             "Số tiền (đồng)": 15_000_000, "Nguồn kinh phí": "Ngân sách địa phương"})):
        for header, value in values.items():
            grants.cell(row, gcol[header], value)
    book.save(out)
    return {"done": done_id, "updated": updated_id, "new": new_ids, "prefilled": len(rows), "commune": code}


def paste_over_dropdowns(template: Path, out: Path) -> dict:
    """Values a dropdown or a check would have refused, written past them (as a paste does)."""
    book = openpyxl.load_workbook(template)
    sheet = book["Nhà ở"]
    col, rows = sheet_columns(sheet), prefilled_rows(sheet)
    sheet.cell(rows[0], col["Đối tượng"], "Hộ giàu")                    # not in the list
    sheet.cell(rows[1], col["Tình trạng"], "Xong rồi")                  # not in the list
    sheet.cell(rows[2], col["Ngân sách trung ương (đồng)"], "bốn mươi triệu")   # not a number
    new = rows[-1] + 1
    for header, value in {"Mã hộ": "119-TPL-X", "Mã xã": "03682", "Họ tên chủ hộ": "Lò Văn Khác",   # 118's commune
                          "Đối tượng": "Hộ nghèo", "Hình thức hỗ trợ": "Xây mới", "Tình trạng": "Đang thi công",
                          "Ngân sách trung ương (đồng)": 20_000_000}.items():
        sheet.cell(new, col[header], value)
    book.save(out)
    return {"rows": {rows[0]: "Đối tượng", rows[1]: "Tình trạng", rows[2]: "Ngân sách trung ương (đồng)",
                     new: "Mã xã"}, "prefilled": len(rows)}


def figures(warehouse: Path) -> dict[str, list]:
    con = duckdb.connect(str(warehouse / "bi.duckdb"), read_only=True)
    try:
        out = {}
        for table in ("fct_houses", "fct_grants", "fct_poverty_rates", "agg_poverty_district_year",
                      "agg_poverty_province_year", "agg_submission_completeness"):
            cursor = con.execute(f"select * from marts.{table}")
            names = [d[0] for d in cursor.description]
            out[table] = [dict(zip(names, row)) for row in cursor.fetchall()]
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def trip(tmp_path_factory):
    root = tmp_path_factory.mktemp("templates_trip")
    sources, warehouse = root / "sources", root / "warehouse"
    for code, months in BASE_MONTHS.items():
        for month in months:
            name = f"bao_cao_{code}_{month:%Y_%m}.xlsx"
            target = sources / "base" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(REPO / "sources" / "demo" / code / f"{month:%Y}" / name, target)
    first = run_load(sources, warehouse)
    assert first.returncode == 0, first.stderr[-3000:]
    before = figures(warehouse)
    runs = {p: build.build_templates(p, warehouse, root / f"templates_{p:%Y-%m}") for p in (NOV, MAR)}
    inbox = sources / "from_units"
    inbox.mkdir()
    sent, filled = {}, {}
    for code, period in UNTOUCHED:
        sent[(code, period)] = shutil.copy(runs[period].files[code], inbox / runs[period].files[code].name)
    for code, period in FILLED:
        sent[(code, period)] = inbox / f"filled_{code}_{period:%Y-%m}.xlsx"
        filled[(code, period)] = fill_as_clerk(runs[period].files[code], sent[(code, period)], code, period)
    code, period = BYPASSED
    sent[BYPASSED] = inbox / f"pasted_{code}.xlsx"
    bypassed = paste_over_dropdowns(runs[period].files[code], sent[BYPASSED])
    second = run_load(sources, warehouse)
    assert second.returncode == 0, second.stderr[-3000:]
    # the next month's templates, from a warehouse that now holds the clerks' new cases with their heads
    runs[DEC] = build.build_templates(DEC, warehouse, root / "templates_2024-12")
    return {"root": root, "warehouse": warehouse, "runs": runs, "sent": sent, "filled": filled,
            "bypassed": bypassed, "before": before, "after": figures(warehouse)}


def ledger(trip) -> dict[tuple, dict]:
    con = duckdb.connect(str(trip["warehouse"] / "internal" / "warehouse.duckdb"), read_only=True)
    try:
        cursor = con.execute("select * from raw.submissions where file_name like 'from_units/%'")
        names = [d[0] for d in cursor.description]
        entries = [dict(zip(names, row)) for row in cursor.fetchall()]
    finally:
        con.close()
    return {(e["district_code"], e["period"]): e for e in entries}


def rejected_rows(trip, submission_id) -> list[tuple]:
    con = duckdb.connect(str(trip["warehouse"] / "internal" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute('select excel_row, "column", reason from raw.rejected_rows where submission_id = ? '
                           "order by excel_row", [submission_id]).fetchall()
    finally:
        con.close()


def test_every_template_sent_back_has_its_ledger_entry(trip):
    assert set(ledger(trip)) == {*UNTOUCHED, *FILLED, BYPASSED}


def test_filled_templates_load_with_zero_rejected_rows(trip):
    entries = ledger(trip)
    for key, done in trip["filled"].items():
        entry = entries[key]
        assert (entry["status"], entry["rows_rejected"], entry["warnings"]) == ("accepted", 0, 0), entry
        assert entry["rows_loaded"] == done["prefilled"] + 2 + 2   # cases pre-filled and new, two grant rows


def test_filled_updates_and_new_cases_reach_the_marts(trip):
    houses = {(r["district_code"], r["household_id"]): r for r in trip["after"]["fct_houses"]}
    before = {(r["district_code"], r["household_id"]): r for r in trip["before"]["fct_houses"]}
    for (code, period), done in trip["filled"].items():
        case = houses[(code, done["done"])]
        assert (case["status"], case["total_vnd"], case["reported_period"]) == ("completed", 60_000_000, period)
        updated = houses[(code, done["updated"])]
        assert updated["local_budget_vnd"] == 3_000_000 and updated["reported_period"] == period
        assert before[(code, done["updated"])]["reported_period"] < period
        new = [houses[(code, i)] for i in done["new"]]
        assert [(n["status"], n["category"], n["support_type"], n["total_vnd"]) for n in new] == [
            ("in_progress", "near_poor", "repair", 10_000_000), ("completed", "meritorious", "repair", 25_000_000)]
        grants = [(g["programme"], g["funding_source"], g["beneficiaries"], g["amount_vnd"])
                  for g in trip["after"]["fct_grants"] if g["district_code"] == code and g["period"] == period]
        assert sorted(grants) == [("medical", "central", 12, 6_000_000), ("students", "local", 30, 15_000_000)]


def test_untouched_templates_are_accepted(trip):
    entries = ledger(trip)
    for code, period in UNTOUCHED:
        entry = entries[(code, period)]
        assert (entry["status"], entry["rows_rejected"]) == ("accepted", 0), entry
        assert entry["rows_loaded"] == trip["runs"][period].open_cases[code]
    assert trip["runs"][NOV].open_cases["116"] > 0 and trip["runs"][MAR].open_cases["121"] > 0
    assert entries[("122", NOV)]["rows_loaded"] == 0 == entries[("124", MAR)]["rows_loaded"]   # nothing to report


def _without(rows, columns) -> list:
    return sorted((tuple(sorted((k, str(v)) for k, v in r.items() if k not in columns)) for r in rows))


def test_untouched_templates_change_no_figure_but_completeness(trip):
    units = {code for code, _ in UNTOUCHED}
    before, after = trip["before"], trip["after"]
    for table in ("fct_houses", "fct_grants", "fct_poverty_rates", "agg_poverty_district_year"):
        mine = lambda rows: [r for r in rows if r["district_code"] in units]   # noqa: E731
        assert _without(mine(after[table]), PROVENANCE) == _without(mine(before[table]), PROVENANCE), table
    assert after["agg_poverty_province_year"] == before["agg_poverty_province_year"]
    grid_before = {(r["district_code"], r["period"]): r["state"] for r in before["agg_submission_completeness"]}
    grid_after = {(r["district_code"], r["period"]): r["state"] for r in after["agg_submission_completeness"]}
    # (2025-03 is a new month of the grid: missing for every unit that sent nothing)
    changed = {key for key in grid_after if grid_after[key] != grid_before.get(key, "missing")}
    assert changed == {*UNTOUCHED, *FILLED, BYPASSED}
    assert {grid_before.get(key, "missing") for key in UNTOUCHED} == {"missing"}
    assert {grid_after[key] for key in UNTOUCHED} <= {"on_time", "late"}


def test_values_pasted_over_dropdowns_are_still_caught(trip):
    entry = ledger(trip)[BYPASSED]
    expected = trip["bypassed"]
    assert entry["status"] == "accepted_with_errors"
    assert entry["rows_rejected"] == len(expected["rows"])
    assert entry["rows_loaded"] == expected["prefilled"] + 1 - len(expected["rows"])
    rows = rejected_rows(trip, entry["submission_id"])
    assert {(row, column) for row, column, _ in rows} == set(expected["rows"].items())
    reasons = {column: reason for _, column, reason in rows}
    assert "must be one of" in reasons["Đối tượng"] and "must be one of" in reasons["Tình trạng"]
    assert "belongs to district 118" in reasons["Mã xã"]


def test_templates_hold_no_personal_data(trip):
    """Every cell of every template written from this warehouse (which holds real-looking names and
    ID numbers in its raw layer) is scanned for them, as tests/test_personal_data.py scans the outputs."""
    con = duckdb.connect(str(trip["warehouse"] / "internal" / "warehouse.duckdb"), read_only=True)
    try:
        heads = {h for (h,) in con.execute("select distinct household_head from raw.houses "
                                           "where household_head is not null").fetchall()}
        ids = {i for (i,) in con.execute("select distinct national_id from raw.houses "
                                         "where national_id is not null").fetchall()}
    finally:
        con.close()
    assert len(heads) > 100 and len(ids) > 100 and set(NEW_HEADS) <= heads   # the scan means something
    secrets = heads | ids | {i.lstrip("0") for i in ids}
    files = [path for run in trip["runs"].values() for path in run.files.values()]
    assert len(files) == 36
    december = openpyxl.load_workbook(trip["runs"][DEC].files["118"])["Nhà ở"]
    new_case = trip["filled"][("118", NOV)]["new"][0]   # in progress, loaded with its head: pre-filled without it
    row = next(r for r in prefilled_rows(december) if december.cell(r, 2).value == new_case)
    assert december.cell(row, sheet_columns(december)["Họ tên chủ hộ"]).value is None
    for path in files:
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        text = str(cell.value)
                        assert not any(s in text for s in secrets), (path.name, sheet.title, cell.coordinate)
