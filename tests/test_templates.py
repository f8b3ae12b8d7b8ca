"""Monthly templates (issue 13), fast tier: the units in force, the workbook a clerk receives
(read back with openpyxl: sheets, cover, locks, dropdowns, checks and their Vietnamese messages),
the untouched template through the real parser, and the CLI's errors. The warehouse they are
pre-filled from is a small real DuckDB file with marts.fct_houses written here.

The round trips through the real load are in tests/test_templates_roundtrip.py (slow)."""
from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from pipeline import form
from pipeline.config import SEEDS_DIR
from pipeline.ingest.header import match_header
from pipeline.ingest.parse import parse_workbook
from pipeline.templates import build
from pipeline.templates.units import COMMUNE, DISTRICT, units_in_force
from templates_small import write_small_warehouse

D = dt.date
REPO = Path(__file__).resolve().parent.parent
TODAY = D(2026, 12, 2)



@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return write_small_warehouse(tmp_path_factory.mktemp("templates_wh"))


@pytest.fixture(scope="module")
def january(warehouse, tmp_path_factory):
    """The 2025-01 templates (a January: with the poverty sheet)."""
    return build.build_templates(D(2025, 1, 1), warehouse, tmp_path_factory.mktemp("t2501"), today=TODAY)


def seed_rows(name: str) -> list[dict]:
    with open(SEEDS_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# -- units in force ------------------------------------------------------------------------------

def test_units_in_force_follow_the_lists():
    for period, seed in ((D(2024, 11, 1), "admin_units_2024.csv"), (D(2025, 3, 1), "admin_units_2025.csv"),
                         (D(2025, 6, 1), "admin_units_2025.csv")):
        units = units_in_force(period)
        rows = seed_rows(seed)
        assert [u.code for u in units] == sorted({r["district_code"] for r in rows})
        assert all(u.unit_type == DISTRICT for u in units)
        for unit in units:
            assert [c.code for c in unit.communes] == sorted(r["commune_code"] for r in rows
                                                              if r["district_code"] == unit.code)
            assert unit.name == next(r["district_name_vi"] for r in rows if r["district_code"] == unit.code)
    assert sum(len(u.communes) for u in units_in_force(D(2024, 11, 1))) == 204
    assert sum(len(u.communes) for u in units_in_force(D(2025, 3, 1))) == 200
    # the 204 -> 200 change took effect on 2025-02-01: the 2025-01 reports still use the 204-list
    assert sum(len(u.communes) for u in units_in_force(D(2025, 1, 1))) == 204


def test_from_2025_07_the_75_communes_report_for_themselves():
    communes = seed_rows("communes_2025_07.csv")
    for period in (D(2025, 7, 1), D(2026, 1, 1)):
        units = units_in_force(period)
        assert len(units) == 75 == len(communes)
        assert {(u.unit_type, u.code, u.name) for u in units} == {(COMMUNE, r["commune_code"], r["commune_name"])
                                                                  for r in communes}
        assert all([(c.code, c.name) for c in u.communes] == [(u.code, u.name)] for u in units)


def test_communes_seed_is_the_reference_file():
    reference = Path("/work/shared/reference/son_la_communes_2025_07.csv")
    if reference.exists():   # on the project's machines; the copy must stay byte-identical
        assert (SEEDS_DIR / "communes_2025_07.csv").read_bytes() == reference.read_bytes()


# -- the workbook ----------------------------------------------------------------------------------

def book_of(run, code):
    return openpyxl.load_workbook(run.files[code])


def test_one_workbook_per_unit_named_for_it(january):
    assert len(january.files) == 12
    assert january.files["116"].name == "Mau_bao_cao_2025-01_116_Thanh_pho_Son_La.xlsx"
    assert january.due == D(2025, 2, 10)
    assert january.open_cases == {**dict.fromkeys(january.files, 0), "116": 2, "118": 1}


def test_a_case_reported_again_since_the_month_is_left_out_with_a_warning(january):
    """A4 was known in 2024-12 but its current state is the one of 2025-01: its state as of the
    template's month is no longer kept, so it is not pre-filled, and the run says so."""
    assert january.reported_since == {**dict.fromkeys(january.files, 0), "116": 1}
    assert january.warnings() == ["1 case(s) known before 01/2025 were reported again in or after it: their "
                                  "state as of 01/2025 is not kept, so they are not pre-filled (templates are "
                                  "meant for the month just ended)"]


def test_sheets_and_cover(january):
    book = book_of(january, "116")
    assert book.sheetnames == ["Thông tin", "Nhà ở", "Hỗ trợ", "Hộ nghèo", "Danh mục xã"]
    cover = book["Thông tin"]
    pairs = {cover.cell(r, 1).value: cover.cell(r, 2).value for r in range(1, 10) if cover.cell(r, 1).value}
    assert {k: pairs[k] for k in ("Mã huyện", "Tên huyện", "Kỳ báo cáo", "Lần gửi", "Ngày lập", "Người lập")} == {
        "Mã huyện": "116", "Tên huyện": "Thành phố Sơn La", "Kỳ báo cáo": "01/2025", "Lần gửi": 1,
        "Ngày lập": None, "Người lập": None}
    assert cover.protection.sheet
    unlocked = {cover.cell(r, c).coordinate for r in range(1, 30) for c in range(1, 6)
                if not cover.cell(r, c).protection.locked}
    assert unlocked == {"B7", "B8"}   # only Ngày lập and Người lập


def test_poverty_sheet_in_the_review_months_only_naming_the_standard(january, warehouse, tmp_path):
    """The review (1/9 - 14/12) is reported with December and January: their templates carry the poverty
    sheet, with the review's poverty standard on a line above the table (the seed's default)."""
    book = book_of(january, "118")
    poverty = book["Hộ nghèo"]
    assert poverty["A1"].value.startswith("KẾT QUẢ RÀ SOÁT HỘ NGHÈO NĂM 2024 - ")
    assert poverty["A3"].value == "Chuẩn nghèo: 2022-2025 (Nghị định 07/2021/NĐ-CP)"
    assert poverty["A3"].protection.locked            # one standard allowed for 2024: fixed
    assert "A3:I3" in {str(r) for r in poverty.merged_cells.ranges}   # across the whole table: not a group header
    listed = [(poverty.cell(r, 2).value, poverty.cell(r, 3).value) for r in range(5, poverty.max_row + 1)
              if poverty.cell(r, 2).value]
    unit = next(u for u in units_in_force(D(2025, 1, 1)) if u.code == "118")
    assert listed == [(c.code, c.name) for c in unit.communes]
    assert all(poverty.cell(r, c).value is None for r in range(5, poverty.max_row + 1) for c in range(4, 10))
    february = build.build_templates(D(2025, 2, 1), warehouse, tmp_path / "february", today=TODAY)
    assert "Hộ nghèo" not in openpyxl.load_workbook(february.files["118"]).sheetnames
    december = build.build_templates(D(2024, 12, 1), warehouse, tmp_path / "december", today=TODAY)
    poverty = openpyxl.load_workbook(december.files["118"])["Hộ nghèo"]
    assert poverty["A1"].value.startswith("KẾT QUẢ RÀ SOÁT HỘ NGHÈO NĂM 2024 - ")   # December: the year's own
    assert poverty["A3"].value == "Chuẩn nghèo: 2022-2025 (Nghị định 07/2021/NĐ-CP)"


def test_a_2026_review_template_offers_the_transitions_two_standards(warehouse, tmp_path):
    """December 2026: the 2026 review classifies households for 2027 under Decree 351/2025 by default; the
    transition allows the 2022-2025 standard too, so the line is a dropdown of both, for the clerk."""
    run = build.build_templates(D(2026, 12, 1), warehouse, tmp_path, today=TODAY)
    poverty = openpyxl.load_workbook(run.files["03646"])["Hộ nghèo"]
    assert poverty["A1"].value.startswith("KẾT QUẢ RÀ SOÁT HỘ NGHÈO NĂM 2026 - ")
    assert poverty["A3"].value == "Chuẩn nghèo: 2027-2030 (Nghị định 351/2025/NĐ-CP)"
    assert not poverty["A3"].protection.locked
    choice = validations(poverty)["A3"]
    assert (choice.type, choice.formula1) == ("list", '"Chuẩn nghèo: 2027-2030 (Nghị định 351/2025/NĐ-CP),'
                                                      'Chuẩn nghèo: 2022-2025 (Nghị định 07/2021/NĐ-CP)"')
    assert [c.value for c in poverty[4]][:3] == ["STT", "Bản", "Năm rà soát"]
    # filled in by the clerk (the old standard chosen), it goes through the load's parser on that standard
    book = openpyxl.load_workbook(run.files["03646"])
    sheet = book["Hộ nghèo"]
    sheet["A3"] = "Chuẩn nghèo: 2022-2025 (Nghị định 07/2021/NĐ-CP)"
    for column, value in zip("CDEF", (2026, 5200, 230, 310)):
        sheet[f"{column}5"] = value
    book.save(tmp_path / "filled.xlsx")
    parsed = parse_workbook(tmp_path / "filled.xlsx", D(2026, 12, 20)).sheets["poverty"]
    assert parsed.problems == [] and parsed.data["poverty_standard_stated"] == ["2022-2025"]
    assert (parsed.data["review_year"], parsed.data["total_households"]) == ([2026], [5200])


def test_houses_prefilled_with_open_cases_only(january):
    sheet = book_of(january, "116")["Nhà ở"]
    headers = [c.value for c in sheet[3]]
    # the form's houses columns in its order, as the load reads them back; amounts in đồng
    assert [match_header(h, "houses")[0].key for h in headers] == [c.key for c in form.HOUSES.columns]
    assert headers[:8] == ["STT", "Mã hộ", "Mã xã", "Tên xã", "Bản", "Họ tên chủ hộ", "Số CCCD", "Dân tộc"]
    assert [h for h in headers if "(đồng)" in h] == ["Ngân sách trung ương (đồng)", "Ngân sách địa phương (đồng)",
                                                     "Xã hội hóa (đồng)"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4) if any(c.value is not None for c in row)]
    # A3 completed, A4 reported in the template's own month, B1 another district's: not pre-filled
    assert [r[1] for r in rows] == ["A1", "A2"]
    a1 = dict(zip(headers, rows[0]))
    assert (a1["Mã xã"], a1["Tên xã"], a1["Đối tượng"], a1["Hình thức hỗ trợ"], a1["Tình trạng"]) == (
        "03646", "Phường Chiềng Lề", "Hộ nghèo", "Xây mới", "Đang thi công")
    assert (a1["Ngân sách trung ương (đồng)"], a1["Ngân sách địa phương (đồng)"]) == (40_000_000, 5_000_000)
    assert a1["Ngày khởi công"].date() == D(2024, 10, 1)
    assert a1["Họ tên chủ hộ"] is None and a1["Số CCCD"] is None   # personal columns never pre-filled
    assert sheet["B4"].protection.locked and sheet["B5"].protection.locked      # household ids locked
    # below them every column is open for new cases (the column's own style; no cell is written)
    assert not sheet["P4"].protection.locked and sheet["B6"].value is None
    assert not any(d.protection.locked for d in sheet.column_dimensions.values())
    assert sheet.protection.sheet


def validations(sheet) -> dict[str, object]:
    """First cell of each validated range -> its DataValidation."""
    return {str(dv.sqref).split(":")[0]: dv for dv in sheet.data_validations.dataValidation}


def test_dropdowns_and_checks_with_vietnamese_messages(january):
    book = book_of(january, "116")
    houses = validations(book["Nhà ở"])
    assert houses["I4"].type == "list" and houses["I4"].formula1 == '"Hộ nghèo,Hộ cận nghèo,Hộ có công,Hộ khó khăn khác"'
    assert houses["J4"].formula1 == '"Xây mới,Sửa chữa"'
    assert houses["P4"].formula1 == '"Chưa khởi công,Đang thi công,Hoàn thành"'
    assert houses["C4"].type == "list" and houses["C4"].formula1 == "ds_ma_xa"
    assert houses["D4"].formula1 == "ds_ten_xa"
    assert houses["K4"].type == "whole" and houses["K4"].formula1 == "0"
    assert houses["N4"].type == "date" and houses["O4"].type == "date"
    assert houses["G4"].type == "textLength" and houses["G4"].formula1 == "12"
    assert houses["B4"].type == "custom" and "COUNTIF" in houses["B4"].formula1
    for dv in houses.values():
        if dv.type:
            assert dv.showErrorMessage and dv.errorStyle in (None, "stop") and dv.error and dv.prompt
    assert "đồng" in houses["K4"].prompt.lower() and "Số tiền" in houses["K4"].error
    grants = validations(book["Hỗ trợ"])
    assert grants["D4"].formula1 == '"Phát triển sản xuất,Khám chữa bệnh,Hỗ trợ học sinh,Hoàn cảnh khó khăn khác"'
    assert grants["G4"].formula1 == '"Ngân sách trung ương,Ngân sách địa phương,Xã hội hóa"'
    assert grants["E4"].type == "whole" and grants["F4"].type == "whole"
    poverty = validations(book["Hộ nghèo"])
    assert (poverty["D5"].type, poverty["D5"].formula1, poverty["D5"].formula2) == ("whole", "2020", "2024")


def test_commune_dropdown_lists_the_units_communes(january):
    book = book_of(january, "118")
    names = {d.name: d.attr_text for d in book.defined_names.values()}
    assert names["ds_ma_xa"].startswith("'Danh mục xã'!$A$2")
    listed = [(r[0].value, r[1].value) for r in book["Danh mục xã"].iter_rows(min_row=2)]
    unit = next(u for u in units_in_force(D(2025, 1, 1)) if u.code == "118")
    assert listed == [(c.code, c.name) for c in unit.communes]
    assert names["ds_ma_xa"].endswith(f"$A${len(listed) + 1}")


def test_commune_template_from_2025_07(warehouse, tmp_path):
    run = build.build_templates(D(2026, 1, 1), warehouse, tmp_path, today=TODAY)
    assert len(run.files) == 75
    book = openpyxl.load_workbook(run.files["03646"])
    cover = book["Thông tin"]
    pairs = {cover.cell(r, 1).value: cover.cell(r, 2).value for r in range(1, 10) if cover.cell(r, 1).value}
    assert (pairs["Mã xã"], pairs["Tên xã"], pairs["Kỳ báo cáo"]) == ("03646", "Phường Tô Hiệu", "01/2026")
    assert "Mã huyện" not in pairs
    headers = [c.value for c in book["Nhà ở"][3]]
    assert "Mã xã" not in headers and "Tên xã" not in headers   # a commune's rows are its own
    assert [c.value for c in book["Hộ nghèo"][4]][:3] == ["STT", "Bản", "Năm rà soát"]
    year = validations(book["Hộ nghèo"])["C5"]
    assert (year.formula1, year.formula2) == ("2025", "2026")


def test_no_example_rows_and_untouched_template_parses(january):
    """The untouched workbook through the load's parser: cover read, pre-filled rows read as data,
    nothing else (no example rows; the listed poverty communes are blank rows)."""
    for code, expected in (("116", ["A1", "A2"]), ("120", [])):
        parsed = parse_workbook(january.files[code], TODAY)
        assert not parsed.rejected, parsed.reason
        assert (parsed.cover.district_code, parsed.cover.period, parsed.cover.version) == (code, D(2025, 1, 1), 1)
        houses = parsed.sheets["houses"]
        assert (houses.data["household_id"] if houses.n_records else []) == expected
        assert houses.problems == [] and houses.warnings == []
        assert parsed.sheets["grants"].n_records == 0
        assert parsed.sheets["poverty"].n_records == 0 and parsed.sheets["poverty"].rows_skipped > 0


# -- the CLI ---------------------------------------------------------------------------------------

def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "pipeline", "templates", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("args, message", [
    (["--period", "2024-13"], "is not a month written YYYY-MM"),
    (["--period", "11/2024"], "is not a month written YYYY-MM"),
    (["--period", "2019-12"], "before 2020-01"),
    (["--period", "2999-01"], "is in the future"),
])
def test_cli_bad_period(args, message, warehouse):
    result = run_cli(*args, "--warehouse", str(warehouse))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_cli_missing_warehouse(tmp_path):
    result = run_cli("--period", "2024-11", "--warehouse", str(tmp_path / "none"))
    assert result.returncode == 2
    assert "no warehouse at" in result.stderr and "Traceback" not in result.stderr


def test_cli_writes_the_templates(warehouse, tmp_path):
    result = run_cli("--period", "2025-01", "--warehouse", str(warehouse), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "out").glob("Mau_bao_cao_2025-01_*.xlsx"))) == 12
    assert "Mau_bao_cao_2025-01_116_Thanh_pho_Son_La.xlsx: 2 open case(s)" in result.stdout
    assert "warning: 1 case(s) known before 01/2025 were reported again" in result.stderr


# -- the Dagster wiring ----------------------------------------------------------------------------

def test_asset_writes_the_templates_of_the_configured_month(warehouse, tmp_path):
    import dagster as dg

    from pipeline.defs.assets.templates import monthly_templates
    from pipeline.defs.resources import WarehouseResource

    result = dg.materialize(
        [monthly_templates],
        resources={"warehouse": WarehouseResource(sources_dir=str(tmp_path), warehouse_dir=str(warehouse))},
        run_config={"ops": {"monthly_templates": {"config": {"period": "2025-01"}}}})
    assert result.success
    metadata = result.asset_materializations_for_node("monthly_templates")[0].metadata
    assert (metadata["period"].value, metadata["workbooks"].value, metadata["open_cases_prefilled"].value,
            metadata["cases_reported_since"].value) == ("2025-01", 12, 3, 1)
    assert len(list((warehouse / "templates" / "2025-01").glob("Mau_bao_cao_2025-01_*.xlsx"))) == 12


def test_monthly_schedule_after_the_nightly_load_and_outside_the_load_job():
    import dagster as dg

    from pipeline.definitions import defs

    schedule = defs.resolve_schedule_def("monthly_templates")
    assert (schedule.cron_schedule, schedule.execution_timezone, schedule.job_name) == (
        "0 5 1 * *", "Asia/Ho_Chi_Minh", "templates")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    nightly = defs.resolve_schedule_def("nightly_load")
    assert nightly.cron_schedule == "0 1 * * *"   # the templates come four hours after the nightly load
    load_keys = {k.to_user_string() for k in defs.resolve_job_def("load").asset_layer.executable_asset_keys}
    template_keys = {k.to_user_string() for k in defs.resolve_job_def("templates").asset_layer.executable_asset_keys}
    assert "monthly_templates" not in load_keys and "bi_warehouse" in load_keys
    assert template_keys == {"monthly_templates"}


def test_a_template_that_fails_halfway_leaves_neither_a_file_nor_a_temporary(tmp_path):
    """A unit without a name fails while its cover is written: the month's folder holds nothing."""
    import dataclasses

    from pipeline.templates.workbook import write_template

    broken = dataclasses.replace(next(iter(units_in_force(dt.date(2025, 8, 1)))), name=None)
    target = tmp_path / "2025-08" / "mau.xlsx"
    with pytest.raises(TypeError):   # XlsxWriter would still have written the file on close()
        write_template(target, broken, dt.date(2025, 8, 1), [{"household_id": object()}], dt.date(2025, 9, 5))
    assert list(target.parent.iterdir()) == []
