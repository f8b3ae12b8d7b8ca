"""A report against what came before (issue 24; submission format, "Mistakes clerks make": "One household, one case;
states that cannot follow each other" and "A file against what the unit sent before"; warehouse contract:
audit.outliers). Each situation is a real workbook written the way a clerk fills it in, through the real load
(`python -m pipeline load`, then the Dagster job `load` in this process for the second load), in two loads: what the
units sent first, then what came after. Asserted: what counts (marts), what the ledger says, what the clerk reads in
the feedback workbook and what the operator finds in the audit tables."""
import datetime as dt
import os
import time

import dagster as dg
import duckdb
import openpyxl
import pytest

from history_books import BUILDING, DONE, case, commune_book, district_book
from pipeline.warehouse import store
from runner import query, run_load

pytestmark = pytest.mark.slow   # two real loads (dbt build, publish, report)

D = dt.date
M = 1_000_000
HANDED_OVER = "014099123450"       # the household of a case district 118 handed over, renumbered by its commune
TWO_COMMUNES = "014099123451"      # one household with an open case in two communes


def _first_load(src):
    # A. A month and its supplement: the supplement (Lần gửi 2, Loại báo cáo: Bổ sung) holds only the grant the
    #    first file lacked.
    commune_book(src / "03646/bao_cao_09_2025.xlsx", "03646", "09/2025", houses=[
        case("03646-2025-011", D(2025, 7, 2), D(2025, 9, 12)), case("03646-2025-012", D(2025, 8, 5), D(2025, 9, 20)),
        case("03646-2025-013", D(2025, 9, 3))],
        grants=[("Khám chữa bệnh", 12, 3_600_000, "Ngân sách trung ương"),
                ("Hỗ trợ học sinh", 20, 8_000_000, "Ngân sách địa phương")])
    # B. Houses and grants sent as two files, both Lần gửi 1.
    commune_book(src / "03664/nha_o_09_2025.xlsx", "03664", "09/2025", houses=[
        case("03664-2025-021", D(2025, 8, 1), D(2025, 9, 5)), case("03664-2025-022", D(2025, 9, 8))])
    commune_book(src / "03664/ho_tro_09_2025.xlsx", "03664", "09/2025",
                 grants=[("Phát triển sản xuất", 4, 12_000_000, "Ngân sách trung ương")])
    # C. July's real report (6 houses, a 10.8-million grant); August's data comes later with the cover left at July.
    commune_book(src / "03670/bao_cao_07_2025.xlsx", "03670", "07/2025", prepared="04/08/2025", houses=[
        *(case(f"03670-2025-{n:03d}", D(2025, 6, 2 + n), D(2025, 7, 10 + n)) for n in range(1, 5)),
        *(case(f"03670-2025-{n:03d}", D(2025, 7, 8 + n)) for n in range(5, 7))],
        grants=[("Hoàn cảnh khó khăn khác", 2, 10_800_000, "Xã hội hóa")])
    # D. August's data with the cover written as the month it was prepared in.
    commune_book(src / "03679/bao_cao_thang_8.xlsx", "03679", "09/2025", prepared="03/09/2025", houses=[
        case(f"03679-2025-{n:03d}", D(2025, 8, 4 + n), D(2025, 8, 24 + n)) for n in range(1, 4)])
    # E. The 2025 poverty review per village (Bản), in January 2026: two communes of six villages each.
    for code in ("03694", "03703"):
        commune_book(src / f"{code}/bao_cao_01_2026.xlsx", code, "01/2026", villages=[
            (f"Bản {name}", 2025, total, poor, near) for name, total, poor, near in VILLAGES])
    # F. One household, one case. The same case in August ...
    commune_book(src / "03712/bao_cao_08_2025.xlsx", "03712", "08/2025", houses=[
        case("03712-2025-001", D(2025, 8, 11))])
    # ... a case district 118 handed over (in progress in June) ...
    district_book(src / "118/bao_cao_06_2025.xlsx", "118", "06/2025", houses=[
        ("03682", case("118-2025-0901", D(2025, 6, 9), national_id=HANDED_OVER))])
    # ... a Mã hộ a commune reported first ...
    commune_book(src / "03721/bao_cao_08_2025.xlsx", "03721", "08/2025", houses=[
        case("SL-2025-777", D(2025, 8, 6)),
        # G1. In progress with a completion date: the status and the date disagree.
        case("03721-2025-002", D(2025, 8, 1), D(2025, 8, 28), status=BUILDING)])
    # ... one household twice in one sheet, under two ids ...
    commune_book(src / "03727/bao_cao_08_2025.xlsx", "03727", "08/2025", houses=[
        case("03727-2025-001", D(2025, 8, 3), national_id="014099123452"),
        case("03727-2025-002", D(2025, 8, 3), national_id="014099123452", head="Lò Văn Hùng"),
        case("03727-2025-003", D(2025, 8, 5))])
    # ... and an open case whose household another commune will report too.
    commune_book(src / "03754/bao_cao_08_2025.xlsx", "03754", "08/2025", houses=[
        case("03754-2025-001", D(2025, 8, 14), national_id=TWO_COMMUNES)])
    # G2. A case completed in August.
    commune_book(src / "03763/bao_cao_08_2025.xlsx", "03763", "08/2025", houses=[
        case("03763-2025-001", D(2025, 7, 1), D(2025, 8, 15))])
    # H. Medical grants: about 10 people a month for a year (the district's months before the reform reach the
    #    commune through the crosswalk), then 400 in one month, then 10 again.
    for month, people in zip(range(1, 7), (10, 9, 11, 10, 12, 10)):
        district_book(src / f"120/bao_cao_{month:02d}_2025.xlsx", "120", f"{month:02d}/2025",
                      grants=[("03820", "Khám chữa bệnh", people, people * 500_000, "Ngân sách trung ương")])
    for month, people in zip(range(7, 13), (10, 11, 9, 10, 10, 11)):
        _medical(src, 2025, month, people)
    #    The poor households of a commune halve between two reviews (2024 by its district, 2025 by itself).
    district_book(src / "119/bao_cao_01_2025.xlsx", "119", "01/2025", poverty=[("03760", 2024, 1000, 200, 100)])
    commune_book(src / "03760/bao_cao_01_2026.xlsx", "03760", "01/2026", villages=[("Bản Bám", 2025, 1010, 100, 98)])


def _medical(src, year, month, people):
    commune_book(src / f"03820/bao_cao_{month:02d}_{year}.xlsx", "03820", f"{month:02d}/{year}",
                 grants=[("Khám chữa bệnh", people, people * 500_000, "Ngân sách trung ương")])


VILLAGES = [("Nà Sy", 1200, 130, 90), ("Co Pục", 950, 110, 60), ("Hụm", 1100, 95, 70), ("Phiêng", 900, 120, 55),
            ("Lọng", 1016, 80, 40), ("Huổi", 870, 92, 36)]


def _second_load(src):
    # A. The supplement.
    commune_book(src / "03646/bo_sung_09_2025.xlsx", "03646", "09/2025", version=2, supplement=True,
                 grants=[("Phát triển sản xuất", 3, 9_000_000, "Ngân sách địa phương")])
    # C. August's data in last month's file: the cover left at 07/2025, Lần gửi 1. Four cases completed in August
    #    and two started then are rejected (after July); one started in July loads; so does a medical grant.
    commune_book(src / "03670/bao_cao_thang_8.xlsx", "03670", "07/2025", prepared="05/09/2025", houses=[
        *(case(f"03670-2025-{n:03d}", D(2025, 7, 12 + n), D(2025, 8, 10 + n)) for n in range(7, 11)),
        *(case(f"03670-2025-{n:03d}", D(2025, 8, 2 + n)) for n in range(11, 13)),
        case("03670-2025-013", D(2025, 7, 28))],
        grants=[("Khám chữa bệnh", 12, 3_600_000, "Ngân sách trung ương")])
    # E1. One village corrected, sent as a supplement; E2. the same sent as a full report.
    commune_book(src / "03694/bo_sung_02_2026.xlsx", "03694", "02/2026", supplement=True,
                 villages=[("Bản Co Pục", 2025, 950, 140, 60)])
    commune_book(src / "03703/bao_cao_02_2026.xlsx", "03703", "02/2026", villages=[("Bản Co Pục", 2025, 950, 140, 60)])
    # F1. The same case re-typed with en dashes, completed in September.
    commune_book(src / "03712/bao_cao_09_2025.xlsx", "03712", "09/2025", houses=[
        case("03712–2025–001", D(2025, 8, 11), D(2025, 9, 22))])
    # F2. The handed-over case, renumbered by its new commune and completed there.
    commune_book(src / "03688/bao_cao_08_2025.xlsx", "03688", "08/2025", houses=[
        case("03688-2025-001", D(2025, 6, 9), D(2025, 8, 20), national_id=HANDED_OVER)])
    # F3. Another commune reports the Mã hộ 03721 holds.
    commune_book(src / "03724/bao_cao_09_2025.xlsx", "03724", "09/2025", houses=[
        case("SL-2025-777", D(2025, 8, 6), D(2025, 9, 19)), case("03724-2025-001", D(2025, 9, 2))])
    # F5. The same household, open in a second commune.
    commune_book(src / "03757/bao_cao_09_2025.xlsx", "03757", "09/2025", houses=[
        case("03757-2025-001", D(2025, 9, 4), national_id=TWO_COMMUNES)])
    # H. 400 people in one month, then about 10 again.
    _medical(src, 2026, 1, 400)
    _medical(src, 2026, 2, 10)
    # G2. The case completed in August, pasted back as in progress in September.
    commune_book(src / "03763/bao_cao_09_2025.xlsx", "03763", "09/2025", houses=[
        case("03763-2025-001", D(2025, 7, 1), status=BUILDING), case("03763-2025-002", D(2025, 9, 9))])


def _later(folder, seconds=60):
    """Files of one load arrive in their modification order: these after every earlier one."""
    stamp = time.time() + seconds
    for path in folder.rglob("*.xlsx"):
        os.utime(path, (stamp, stamp))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("history")
    sources, warehouse = root / "sources", root / "warehouse"
    _first_load(sources / "first")
    done = run_load(sources, warehouse)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    _second_load(sources / "second")
    _later(sources / "second")
    from pipeline.definitions import defs
    from pipeline.defs.resources import WarehouseResource

    result = defs.resolve_job_def("load").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False,
        resources={"warehouse": WarehouseResource(sources_dir=str(sources), warehouse_dir=str(warehouse))})
    assert result.success
    return warehouse, result


def _rows(warehouse, sql, params=None) -> list[dict]:
    con = duckdb.connect(str(warehouse / "bi.duckdb"), read_only=True)
    try:
        cursor = con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    finally:
        con.close()


def _ledger(warehouse) -> dict[str, dict]:
    return {r["file_name"]: r for r in _rows(warehouse, "select * from audit.submissions")}


def _warnings(warehouse, file_name, rule=None) -> list[dict]:
    return _rows(warehouse, "select w.* from audit.warnings as w join audit.submissions as s using (submission_id) "
                 "where s.file_name = ? and (? is null or w.rule = ?) order by w.value",
                 [file_name, rule, rule])


def _feedback(warehouse, file_name) -> list[dict]:
    """What the clerk reads: the Problems sheet of the file's feedback workbook."""
    entry = _ledger(warehouse)[file_name]
    [path] = (warehouse / "feedback").glob(f"*_{entry['submission_id'][:8]}.xlsx")
    sheet = openpyxl.load_workbook(path, read_only=True)["Lỗi - Problems"]
    keys = ["sheet", "cell", "row", "column", "value", "reason_vi", "reason", "severity"]
    return [dict(zip(keys, row)) for row in sheet.iter_rows(min_row=2, values_only=True)]


def _houses(warehouse, commune) -> list[dict]:
    return _rows(warehouse, "select * from marts.fct_houses where commune_2025_code = ? order by household_id",
                 [commune])


# -- A file against what the unit sent before --------------------------------------------------------------------

def test_a_supplement_adds_its_rows_and_the_month_still_counts(loaded):
    warehouse, _ = loaded
    ledger = _ledger(warehouse)
    first, supplement = ledger["first/03646/bao_cao_09_2025.xlsx"], ledger["second/03646/bo_sung_09_2025.xlsx"]
    assert (first["status"], first["kinds_counting"]) == ("accepted", "grants,houses")
    assert (supplement["status"], supplement["report_type"], supplement["kinds_counting"]) == (
        "accepted", "supplement", "grants")
    grants = _rows(warehouse, "select programme, beneficiaries, amount_vnd from marts.fct_grants "
                   "where commune_2025_code = '03646' and period = '2025-09-01' order by programme")
    assert grants == [{"programme": "medical", "beneficiaries": 12, "amount_vnd": 3_600_000},
                      {"programme": "production", "beneficiaries": 3, "amount_vnd": 9_000_000},
                      {"programme": "students", "beneficiaries": 20, "amount_vnd": 8_000_000}]
    assert [h["household_id"] for h in _houses(warehouse, "03646")] == [
        "03646-2025-011", "03646-2025-012", "03646-2025-013"]
    counting = _rows(warehouse, "select sheet_kind, file_name, report_type, is_anchor from audit.counting_submissions "
                     "where unit_code = '03646' order by sheet_kind, file_name")
    assert counting == [
        {"sheet_kind": "grants", "file_name": "first/03646/bao_cao_09_2025.xlsx", "report_type": "full", "is_anchor": True},
        {"sheet_kind": "grants", "file_name": "second/03646/bo_sung_09_2025.xlsx", "report_type": "supplement",
         "is_anchor": False},
        {"sheet_kind": "houses", "file_name": "first/03646/bao_cao_09_2025.xlsx", "report_type": "full", "is_anchor": True}]
    assert _warnings(warehouse, "second/03646/bo_sung_09_2025.xlsx") == []


def test_houses_and_grants_sent_as_two_files_both_count(loaded):
    warehouse, _ = loaded
    ledger = _ledger(warehouse)
    houses, grants = ledger["first/03664/nha_o_09_2025.xlsx"], ledger["first/03664/ho_tro_09_2025.xlsx"]
    assert (houses["status"], houses["kinds_counting"], grants["status"], grants["kinds_counting"]) == (
        "accepted", "houses", "accepted", "grants")
    assert [h["status"] for h in _houses(warehouse, "03664")] == ["completed", "in_progress"]
    assert _rows(warehouse, "select amount_vnd from marts.fct_grants where commune_2025_code = '03664'") == [
        {"amount_vnd": 12_000_000}]
    assert _warnings(warehouse, "first/03664/nha_o_09_2025.xlsx") == []   # no "same Lần gửi": nothing replaced
    assert _warnings(warehouse, "first/03664/ho_tro_09_2025.xlsx") == []


def test_a_stale_cover_replaces_the_month_and_says_why_and_what_no_longer_counts(loaded):
    warehouse, _ = loaded
    july, stale = "first/03670/bao_cao_07_2025.xlsx", "second/03670/bao_cao_thang_8.xlsx"
    ledger = _ledger(warehouse)
    assert ledger[july]["status"] == "superseded" and ledger[july]["kinds_counting"] is None
    assert (ledger[stale]["status"], ledger[stale]["kinds_counting"]) == ("accepted_with_errors", "grants,houses")
    problems = _feedback(warehouse, stale)
    said = " ".join(p["reason"] for p in problems)
    # the two likely causes, named
    assert f"another file, '{july}'" in said and "also claims Lần gửi 1 for 07/2025" in said
    assert "are in 08/2025, not in 07/2025 (Kỳ báo cáo): is this the report for 08/2025?" in said
    # and, row by row, what of July no longer counts: its 6 cases and its grant
    dropped = [p for p in problems if "no longer counts" in p["reason"]]
    assert sorted(p["value"] for p in dropped if p["column"] == "Mã hộ") == [f"03670-2025-{n:03d}" for n in range(1, 7)]
    [grant] = [p for p in dropped if p["column"] == "Chương trình"]
    assert grant["value"] == "03670 · Hoàn cảnh khó khăn khác · Xã hội hóa" and "dòng hỗ trợ xã 03670" in grant["reason_vi"]
    replaced = _rows(warehouse, "select replaced_file_name, sheet_kind, household_id, programme, replaced_excel_row "
                     "from audit.replaced_rows where unit_code = '03670' order by sheet_kind, household_id")
    assert [(r["sheet_kind"], r["household_id"] or r["programme"]) for r in replaced] == [
        ("grants", "hardship_other"), *(("houses", f"03670-2025-{n:03d}") for n in range(1, 7))]
    assert {r["replaced_file_name"] for r in replaced} == {july}
    # the August rows the July cover cannot hold were rejected, the one that fits counts
    assert [h["household_id"] for h in _houses(warehouse, "03670")] == ["03670-2025-013"]


def test_a_preparation_month_cover_is_booked_as_written_with_a_warning_naming_the_month(loaded):
    warehouse, _ = loaded
    [warning] = _warnings(warehouse, "first/03679/bao_cao_thang_8.xlsx")
    assert warning["rule"] == "dates_in_another_month"
    assert warning["message"].startswith("6 of the 6 new completion and start dates in this file are in 08/2025, "
                                         "not in 09/2025 (Kỳ báo cáo)")
    assert "thuộc tháng 08/2025" in warning["message_vi"]
    assert {h["reported_period"] for h in _houses(warehouse, "03679")} == {D(2025, 9, 1)}


def test_a_village_corrected_by_a_supplement_keeps_the_other_five(loaded):
    warehouse, _ = loaded
    [review] = _rows(warehouse, "select * from marts.fct_poverty_rates where commune_code = '03694'")
    totals = sum(v[1] for v in VILLAGES)
    poor = sum(v[2] for v in VILLAGES) - 110 + 140   # Co Pục: 110 poor households -> 140
    assert (review["review_year"], review["village_rows"], review["total_households"], review["poor_households"]) == (
        2025, 6, totals, poor)
    # the figure stands on all six villages: the supplement corrected one, it dropped none
    assert (review["villages_reported"], review["villages_expected"], review["is_partial"]) == (6, 6, False)
    assert _warnings(warehouse, "second/03694/bo_sung_02_2026.xlsx") == []


def test_a_village_sent_as_a_full_report_replaces_the_review_and_the_five_villages_are_told(loaded):
    warehouse, _ = loaded
    [review] = _rows(warehouse, "select * from marts.fct_poverty_rates where commune_code = '03703'")
    assert (review["village_rows"], review["total_households"], review["poor_households"]) == (1, 950, 140)
    # the full report left out five of the six villages that counted before it: partial
    assert (review["villages_reported"], review["villages_expected"], review["is_partial"]) == (1, 6, True)
    told = _feedback(warehouse, "second/03703/bao_cao_02_2026.xlsx")
    assert sorted(p["value"] for p in told) == sorted(f"Bản {v[0]}" for v in VILLAGES if v[0] != "Co Pục")
    assert all(p["severity"].startswith("Cảnh báo") and "review 2025" in p["reason"] for p in told)
    assert sorted(r["village"] for r in _rows(warehouse, "select village from audit.replaced_rows "
                                                         "where commune_code = '03703'")) == sorted(
        p["value"] for p in told)
    january = _ledger(warehouse)["first/03703/bao_cao_01_2026.xlsx"]
    assert january["status"] == "superseded"


# -- One household, one case ----------------------------------------------------------------------------------------

def test_a_case_retyped_with_other_dashes_is_the_same_case(loaded):
    warehouse, _ = loaded
    [house] = _houses(warehouse, "03712")
    assert (house["household_id"], house["status"], house["completion_date"]) == (
        "03712-2025-001", "completed", D(2025, 9, 22))


def test_a_handed_over_case_renumbered_by_its_commune_is_one_case_continuing_the_earlier_id(loaded):
    warehouse, _ = loaded
    [house] = _houses(warehouse, "03688")
    assert (house["household_id"], house["first_household_id"], house["district_code"], house["status"]) == (
        "03688-2025-001", "118-2025-0901", "118", "completed")
    [warning] = _warnings(warehouse, "second/03688/bao_cao_08_2025.xlsx")
    assert warning["rule"] == "case_continues_earlier_id" and "as case 118-2025-0901" in warning["message"]
    assert warning["value"] == "03688-2025-001" and "Mã hộ 118-2025-0901" in warning["message_vi"]
    assert _rows(warehouse, "select collision, household_id, other_household_id from audit.case_collisions "
                 "where commune_2025_code = '03688'") == [
        {"collision": "renumbered", "household_id": "03688-2025-001", "other_household_id": "118-2025-0901"}]


def test_a_mã_hộ_another_commune_holds_is_a_row_error_naming_it_and_counted_once(loaded):
    warehouse, _ = loaded
    [problem] = [p for p in _feedback(warehouse, "second/03724/bao_cao_09_2025.xlsx") if p["severity"].startswith("Lỗi")]
    assert problem["value"] == "SL-2025-777" and "is a case of 03721 Xã Thuận Châu, which reported it first" in problem["reason"]
    assert [(h["commune_2025_code"], h["status"]) for h in _rows(
        warehouse, "select * from marts.fct_houses where household_id = 'SL-2025-777'")] == [("03721", "in_progress")]
    assert _rows(warehouse, "select other_commune_2025_code from audit.case_collisions "
                 "where collision = 'household_id_of_another_commune'") == [{"other_commune_2025_code": "03721"}]


def test_one_household_twice_in_one_sheet_rejects_both_rows(loaded):
    warehouse, _ = loaded
    problems = _feedback(warehouse, "first/03727/bao_cao_08_2025.xlsx")
    assert sorted((p["value"], p["column"]) for p in problems) == [
        ("03727-2025-001", "Mã hộ"), ("03727-2025-002", "Mã hộ")]
    assert all("same national ID (Số CCCD)" in p["reason"] for p in problems)
    assert "014099123452" not in str(problems)   # the number itself never leaves the raw layer
    assert [h["household_id"] for h in _houses(warehouse, "03727")] == ["03727-2025-003"]
    assert _rows(warehouse, "select household_id, other_household_id from audit.case_collisions "
                 "where collision = 'same_household_in_one_sheet' order by 1") == [
        {"household_id": "03727-2025-001", "other_household_id": "03727-2025-002"},
        {"household_id": "03727-2025-002", "other_household_id": "03727-2025-001"}]


def test_one_household_open_in_two_communes_stays_and_both_are_told(loaded):
    warehouse, _ = loaded
    later = _warnings(warehouse, "second/03757/bao_cao_09_2025.xlsx")
    earlier = _warnings(warehouse, "first/03754/bao_cao_08_2025.xlsx")
    assert [w["rule"] for w in later + earlier] == ["same_household_in_another_commune"] * 2
    assert "Mã hộ 03754-2025-001 (03754 Xã Chiềng La)" in later[0]["message"]
    assert "03757, Mã hộ 03757-2025-001" in earlier[0]["message"]
    # the earlier commune's clerk reads it in a feedback workbook written by the later load
    assert any("03757-2025-001" in p["reason"] for p in _feedback(warehouse, "first/03754/bao_cao_08_2025.xlsx"))
    assert len(_houses(warehouse, "03754")) == len(_houses(warehouse, "03757")) == 1
    assert _rows(warehouse, "select commune_2025_code, household_id, other_commune_2025_code, other_household_id "
                 "from audit.case_collisions where collision = 'same_household_two_communes'") == [
        {"commune_2025_code": "03757", "household_id": "03757-2025-001", "other_commune_2025_code": "03754",
         "other_household_id": "03754-2025-001"}]


def test_no_personal_data_reaches_what_is_published(loaded):
    warehouse, _ = loaded
    tables = [f"{schema}.{name}" for schema, name in query(
        warehouse, "select table_schema, table_name from information_schema.tables where table_schema in "
                   "('marts', 'audit')")]

    def found(text: str) -> list[str]:
        return [t for t in tables if _rows(warehouse, f"select count(*) as n from {t} as r "
                                                      "where cast(r as varchar) like ?", [f"%{text}%"])[0]["n"]]

    assert "audit.case_collisions" in found("03727-2025-002")   # the search finds what is there
    for personal in (HANDED_OVER, TWO_COMMUNES, "014099123452", "Lò Văn Hùng", "Cầm Thị Hoa"):
        assert found(personal) == [], personal


# -- States that cannot follow each other ----------------------------------------------------------------------------

def test_in_progress_with_a_completion_date_is_rejected(loaded):
    warehouse, _ = loaded
    [problem] = [p for p in _feedback(warehouse, "first/03721/bao_cao_08_2025.xlsx")]
    assert problem["column"] == "Ngày hoàn thành" and problem["value"] == "28/08/2025"
    assert "in progress (Đang thi công) cannot have a completion date" in problem["reason"]


def test_a_completed_case_reported_later_as_not_completed_is_rejected_and_stays_completed(loaded):
    warehouse, _ = loaded
    [problem] = _feedback(warehouse, "second/03763/bao_cao_09_2025.xlsx")
    assert problem["column"] == "Tình trạng" and problem["value"] == BUILDING
    assert "reported completed in the report for 08/2025" in problem["reason"]
    houses = {h["household_id"]: h for h in _houses(warehouse, "03763")}
    assert (houses["03763-2025-001"]["status"], houses["03763-2025-001"]["completion_date"]) == (
        "completed", D(2025, 8, 15))


def test_no_completed_house_is_counted_twice(loaded):
    warehouse, _ = loaded
    rows = _rows(warehouse, "select commune_2025_code, count(*) as n from marts.fct_houses where status = 'completed' "
                 "and commune_2025_code in ('03688', '03712', '03721', '03724', '03763') group by 1 order by 1")
    assert rows == [{"commune_2025_code": c, "n": 1} for c in ("03688", "03712", "03763")]


# -- Figures far from the unit's own history ---------------------------------------------------------------------

def test_a_figure_far_from_the_units_history_is_flagged_and_a_normal_month_is_not(loaded):
    warehouse, _ = loaded
    flagged = _rows(warehouse, "select period, measure, value, median, history_months, method from audit.outliers "
                    "where unit_code = '03820' order by measure")
    assert flagged == [
        {"period": D(2026, 1, 1), "measure": "grants_beneficiaries_medical", "value": 400.0, "median": 10.0,
         "history_months": 12, "method": "modified_z_score"},
        {"period": D(2026, 1, 1), "measure": "grants_vnd_medical", "value": 200_000_000.0, "median": 5_000_000.0,
         "history_months": 12, "method": "modified_z_score"}]
    [told] = [p for p in _feedback(warehouse, "second/03820/bao_cao_01_2026.xlsx") if "beneficiaries" in p["reason"]]
    assert told["reason"] == ("check this figure: beneficiaries of medical care in 01/2026 is 400, usually about 10 "
                              "(the unit's previous 12 months); if it is right, nothing to do")
    assert "thường khoảng 10" in told["reason_vi"] and told["severity"].startswith("Cảnh báo")
    normal = _ledger(warehouse)["second/03820/bao_cao_02_2026.xlsx"]
    assert normal["warnings"] == 0 and not list((warehouse / "feedback").glob(f"*_{normal['submission_id'][:8]}.xlsx"))


def test_poor_households_halving_between_reviews_is_flagged(loaded):
    warehouse, _ = loaded
    [row] = _rows(warehouse, "select * from audit.outliers where unit_code = '03760'")
    assert (row["review_year"], row["measure"], row["value"], row["previous_value"], row["change_pct"], row["method"]) == (
        2025, "poor_households", 100.0, 200.0, -50.0, "change_vs_previous_review")
    [told] = _feedback(warehouse, "first/03760/bao_cao_01_2026.xlsx")
    assert "poor households of the 2025 review is 100, 200 in the previous review (-50 %)" in told["reason"]


def test_the_asset_check_warns_with_the_load_s_outliers(loaded):
    warehouse, result = loaded
    [evaluation] = [e for e in result.get_asset_check_evaluations() if e.check_name == "figures_near_history"]
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN   # warns, never blocks
    assert (evaluation.metadata["outliers_this_load"].value, evaluation.metadata["outliers_in_all"].value) == (2, 3)
    listed = evaluation.metadata["outliers"].value
    assert "grants_beneficiaries_medical" in listed and "second/03820/bao_cao_01_2026.xlsx" in listed
    assert "03760" not in listed   # the poverty figure came with the first load
    assert result.success   # the publish and the report ran after it
