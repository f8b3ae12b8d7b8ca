"""Every row rule: one workbook with one broken row per rule, through the real ingest
(GX suite) into a temporary warehouse; then the raw tables are read back."""
import datetime as dt

import pytest

from loading import load, write_xlsxwriter
from workbooks import GRANT_HEADERS, HOUSE_HEADERS, POVERTY_HEADERS, cover_rows, grant, house, poverty, \
    submission

D = dt.date
HEAD = "Lò Văn Bí Mật"
NID = "014099777888"
HOUSES_SHEET, GRANTS_SHEET, POVERTY_SHEET = "Nhà ở", "Hỗ trợ", "Hộ nghèo"
FORMULA_LIKE = '=HYPERLINK("http://evil.example","x")'

# (row builder, column expected in raw.rejected_rows, reason fragment); excel row = index + 2
HOUSE_CASES = [
    ("good", house("H01", head=HEAD, national_id=NID), None, None),
    ("household_id required", house(None), "Mã hộ", "Mã hộ (household_id) is required"),
    ("household_head required", house("H03", head=None), "Họ tên chủ hộ", "(household_head) is required"),
    ("category enum", house("H04", category="@SUM(A1)"), "Đối tượng", "category) must be one of"),
    ("support_type required", house("H05", support=None), "Hình thức hỗ trợ", "(support_type) is required"),
    ("status enum", house("H06", status="Xong rồi"), "Tình trạng", "(status) must be one of"),
    ("negative amount", house("H07", local=-1_000_000), "Ngân sách địa phương", "must be at least 0"),
    ("completed needs date", house("H08", done=None), "Ngày hoàn thành", "needs its completion date"),
    ("completed needs money", house("H09", central=0, local=0, social=0), "Ngân sách trung ương", "at least 1"),
    ("completion before start", house("H10", start=D(2025, 3, 10), done=D(2025, 3, 1)), "Ngày hoàn thành",
     "before the start date"),
    ("completion after period", house("H11", done=D(2025, 4, 2)), "Ngày hoàn thành", "after the reporting month"),
    ("duplicate household 1", house("HDUP", head=HEAD), "Mã hộ", "duplicate household ID"),
    ("duplicate household 2", house("HDUP", head=HEAD, national_id=NID), "Mã hộ", "duplicate household ID"),
    ("national id 12 digits", house("H14", national_id="0140997"), "Số CCCD", "12 digits"),
    ("category required", house("H15", category=None), "Đối tượng", "(category) is required"),
    ("status required", house("H16", status=None), "Tình trạng", "(status) is required"),
    ("support_type enum", house("H17", support="Mua nhà"), "Hình thức hỗ trợ", "(support_type) must be one of"),
]
HOUSE_WARNINGS = [("norm outlier", house("H90", central=160_000_000, local=20_000_000, social=10_000_000),
                   "Ngân sách trung ương", "above 3x the programme norm"),
                  ("repair norm outlier", house("H91", support="Sửa chữa", central=95_000_000, local=0, social=0),
                   "Ngân sách trung ương", "above 3x the programme norm")]

COMMUNES = ["03646", "03649", "03652", "03655", "03658", "03661", "03664", "03667", "03670", "03673", "03676",
            "03679"]


def g(i, **kw):
    return grant(commune=COMMUNES[i], name=None, **kw)


GRANT_CASES = [
    ("good", g(0), None, None),
    ("programme required", g(1, programme=None), "Chương trình", "(programme) is required"),
    ("programme enum", g(2, programme=FORMULA_LIKE), "Chương trình", "(programme) must be one of"),
    ("funding enum", g(3, source="+1"), "Nguồn kinh phí", "(funding_source) must be one of"),
    ("funding required", g(4, source=None), "Nguồn kinh phí", "(funding_source) is required"),
    ("beneficiaries required", g(5, beneficiaries=None), "Số đối tượng", "(beneficiaries) is required"),
    ("beneficiaries negative", g(6, beneficiaries="-3"), "Số đối tượng", "must be at least 0"),
    ("amount required", g(7, amount=None), "Số tiền", "(amount) is required"),
    ("amount negative", g(8, amount=-5), "Số tiền", "must be at least 0"),
    ("duplicate key 1", g(9), "Chương trình", "duplicate commune, programme and funding source"),
    ("duplicate key 2", g(9, beneficiaries=2), "Chương trình", "duplicate commune, programme and funding source"),
    ("english enums ok", g(9, programme="students", source="central"), None, None),
]


def p(i, **kw):
    return poverty(commune=COMMUNES[i], name=None, **kw)


POVERTY_CASES = [
    ("good", p(0, rate=10.0), None, None),
    ("review year required", p(1, year=None), "Năm rà soát", "(review_year) is required"),
    ("review year < 2020", p(2, year=2019), "Năm rà soát", "at least 2020"),
    ("review year > reporting year", p(3, year=2026), "Năm rà soát", "after the reporting year"),
    ("total <= 0", p(4, total=0, poor=0, near_poor=0, ethnic=0, rate=None), "Tổng số hộ", "at least 1"),
    ("poor > total", p(5, total=100, poor=120, near_poor=0, ethnic=0, rate=None), "Số hộ nghèo",
     "exceed total households"),
    ("poor+near > total", p(6, total=100, poor=60, near_poor=50, ethnic=0, rate=60.0), "Số hộ cận nghèo",
     "poor + near-poor"),
    ("ethnic > poor", p(7, poor=10, ethnic=20, rate=1.0), "Hộ nghèo DTTS", "exceed poor households"),
    ("duplicate commune-year 1", p(8), "Mã xã", "duplicate commune and review year"),
    ("duplicate commune-year 2", p(8), "Mã xã", "duplicate commune and review year"),
    ("total required", p(9, total=None, rate=None), "Tổng số hộ", "(total_households) is required"),
    ("poor required", p(10, poor=None, ethnic=None, rate=None), "Số hộ nghèo", "(poor_households) is required"),
    ("near poor required", p(11, near_poor=None), "Số hộ cận nghèo", "(near_poor_households) is required"),
    ("same commune other year ok", p(8, year=2023), None, None),
]
POVERTY_WARNINGS = [("rate mismatch", p(0, year=2023, total=1000, poor=100, rate=15.0), "Tỷ lệ hộ nghèo (%)",
                     "poverty rate differs"),
                    ("rate as fraction ok", p(0, year=2022, total=1000, poor=100, rate=0.1), None, None)]


def expected(cases, sheet, start=2):
    return sorted((sheet, start + i, column, reason) for i, (_, _, column, reason) in enumerate(cases) if column)


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    root = tmp_path_factory.mktemp("rules")
    write_xlsxwriter(root / "sources" / "broken.xlsx", {
        "Thông tin": cover_rows(),
        HOUSES_SHEET: [HOUSE_HEADERS, *(c[1] for c in HOUSE_CASES + HOUSE_WARNINGS)],
        GRANTS_SHEET: [GRANT_HEADERS, *(c[1] for c in GRANT_CASES)],
        POVERTY_SHEET: [POVERTY_HEADERS, *(c[1] for c in POVERTY_CASES + POVERTY_WARNINGS)],
    })
    return load(root / "sources", root / "warehouse")


def _got(broken, sheet):
    return sorted((r["sheet"], r["excel_row"], r["column"], r["reason"])
                  for r in broken.table("rejected_rows", "excel_row") if r["sheet"] == sheet)


@pytest.mark.parametrize("cases, sheet", [(HOUSE_CASES, HOUSES_SHEET), (GRANT_CASES, GRANTS_SHEET),
                                          (POVERTY_CASES, POVERTY_SHEET)])
def test_exactly_one_rejected_row_per_broken_row(broken, cases, sheet):
    got = _got(broken, sheet)
    want = expected(cases, sheet)
    assert [g[:3] for g in got] == [w[:3] for w in want]
    for (_, row, _, reason), (_, _, _, fragment) in zip(got, want):
        assert fragment in reason, (row, reason, fragment)


@pytest.mark.parametrize("name", [c[0] for c in HOUSE_CASES + GRANT_CASES + POVERTY_CASES if c[2]])
def test_each_rule_has_its_reason(broken, name):
    for cases, sheet in [(HOUSE_CASES, HOUSES_SHEET), (GRANT_CASES, GRANTS_SHEET), (POVERTY_CASES, POVERTY_SHEET)]:
        for i, case in enumerate(cases):
            if case[0] == name:
                hits = [r for r in broken.table("rejected_rows") if r["sheet"] == sheet and r["excel_row"] == i + 2]
                assert len(hits) == 1 and hits[0]["column"] == case[2] and case[3] in hits[0]["reason"], hits
                assert hits[0]["reason_vi"], hits
                return
    raise AssertionError(name)


def test_soft_rules_are_warnings_and_the_rows_load(broken):
    warnings = broken.warnings()
    houses_start = 2 + len(HOUSE_CASES)
    poverty_start = 2 + len(POVERTY_CASES)
    assert [(w[0], w[1], w[2]) for w in warnings] == sorted(
        [(HOUSES_SHEET, houses_start, "Ngân sách trung ương"), (HOUSES_SHEET, houses_start + 1, "Ngân sách trung ương"),
         (POVERTY_SHEET, poverty_start, "Tỷ lệ hộ nghèo (%)")])
    assert "programme norm" in warnings[1][4] and "poverty rate differs" in warnings[0][4]
    loaded_houses = [r["household_id"] for r in broken.table("houses")]
    assert loaded_houses == ["H01", "H90", "H91"]
    assert [r["excel_row"] for r in broken.table("grants")] == [2, 2 + len(GRANT_CASES) - 1]
    assert [(r["review_year"], r["poverty_rate_pct_written"]) for r in broken.table("poverty")] == [
        (2024, 10.0), (2023, 10.0), (2023, 15.0), (2022, 0.1)]


def test_values_as_written_and_personal_values_withheld(broken):
    rejected = broken.table("rejected_rows")
    by_cell = {(r["sheet"], r["excel_row"]): r for r in rejected}
    assert by_cell[(GRANTS_SHEET, 4)]["value"] == FORMULA_LIKE
    assert by_cell[(GRANTS_SHEET, 5)]["value"] == "+1"
    assert by_cell[(HOUSES_SHEET, 8)]["value"] == "-1000000"
    assert by_cell[(HOUSES_SHEET, 8)]["cell"] == "'Nhà ở'!L8"
    nid = by_cell[(HOUSES_SHEET, 15)]
    assert nid["column"] == "Số CCCD" and nid["value"] is None and "0140997" not in nid["reason"]
    for row in rejected:
        text = " ".join(str(v) for v in row.values())
        assert HEAD not in text and NID not in text and "0140997" not in text


def test_counts_add_up_per_sheet_and_file(broken):
    [entry] = broken.ledger()
    sheets = broken.sheets()
    for sheet in sheets.values():
        assert sheet["rows_read"] == sheet["rows_loaded"] + sheet["rows_rejected"] + sheet["rows_skipped"]
    assert entry["rows_read"] == entry["rows_loaded"] + entry["rows_rejected"] + entry["rows_skipped"]
    assert (entry["rows_loaded"], entry["rows_rejected"], entry["warnings"]) == (3 + 2 + 4, 16 + 10 + 12, 3)
    assert entry["status"] == "accepted_with_errors"
    assert sheets["houses"]["rows_rejected"] == 16 and sheets["grants"]["rows_loaded"] == 2


def test_missing_required_column_rejects_every_row_of_that_sheet_only(tmp_path, sources, warehouse_dir):
    headers = [h for h in HOUSE_HEADERS if h != "Tình trạng"]
    rows = [[c for h, c in zip(HOUSE_HEADERS, house(f"H{i}", no=i)) if h != "Tình trạng"] for i in (1, 2)]
    from workbooks import write_workbook
    write_workbook(sources / "m.xlsx", {"Thông tin": cover_rows(), "Nhà ở": [headers, *rows, [], ["Người lập biểu"]],
                                        "Hỗ trợ": [GRANT_HEADERS, grant()]})
    loaded = load(sources, warehouse_dir)
    assert [(r[1], r[2]) for r in loaded.rejected()] == [(2, "Tình trạng"), (3, "Tình trạng")]
    assert all("no column Tình trạng (status)" in r[4] for r in loaded.rejected())
    assert len(loaded.table("grants")) == 1 and loaded.table("houses") == []
    sheets = loaded.sheets()
    assert (sheets["houses"]["rows_read"], sheets["houses"]["rows_rejected"], sheets["houses"]["rows_skipped"]) == (
        4, 2, 2)
    assert loaded.ledger()[0]["status"] == "accepted_with_errors"


def test_file_level_rejection_reason_kept(sources, warehouse_dir):
    submission(sources / "bad.xlsx", period="13/2024", houses=[house()])
    loaded = load(sources, warehouse_dir)
    [entry] = loaded.ledger()
    assert entry["status"] == "rejected" and "not a month" in entry["reason"]
    [row] = loaded.table("rejected_rows", "submission_id")
    assert row["excel_row"] is None and row["sheet_kind"] == "cover" and "không phải là tháng" in row["reason_vi"]


def test_no_row_loadable_rejects_the_file(sources, warehouse_dir):
    submission(sources / "x.xlsx", houses=[house(None)])
    loaded = load(sources, warehouse_dir)
    assert loaded.ledger()[0]["status"] == "rejected"
    assert loaded.table("houses") == []


def test_every_finding_names_its_rule_in_the_rule_book(broken):
    from pipeline import rulebook

    by_row = {}
    for table, severity in (("rejected_rows", "error"), ("warnings", "warning")):
        for row in broken.table(table):
            rule = rulebook.rule(row["rule"])
            assert rule.severity == severity, row
            if rule.judged_by_gx:   # set-wise rules: the reason is the rule's own
                assert (row.get("reason") or row.get("message")) == rule.reason, row
            by_row[(row["sheet"], row["excel_row"])] = row["rule"]
    names = [case[0] for case in HOUSE_CASES]
    assert by_row[(HOUSES_SHEET, 2 + names.index("national id 12 digits"))] == "national_id_12_digits"
    assert by_row[(HOUSES_SHEET, 2 + names.index("completed needs money"))] == "completed_needs_money"
    assert by_row[(HOUSES_SHEET, 2 + len(HOUSE_CASES))] == "within_programme_norm"
    assert by_row[(GRANTS_SHEET, 2 + [c[0] for c in GRANT_CASES].index("programme enum"))] == "programme_valid"
