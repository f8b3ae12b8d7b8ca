"""Feedback workbooks for the districts: written after ingest from the raw tables."""
import openpyxl
import pytest

from loading import load, write_xlsxwriter
from pipeline.feedback import PROBLEMS_SHEET, SUMMARY_SHEET
from workbooks import GRANT_HEADERS, HOUSE_HEADERS, cover_rows, grant, house, submission

HEAD, NID = "Quàng Thị Riêng Tư", "014099555666"
HOSTILE = ['=HYPERLINK("http://evil.example","bấm")', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=2"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("feedback")
    sources = root / "sources"
    grants = [grant(commune=c, name=None, programme=v) for c, v in zip(
        ["03646", "03649", "03652", "03655", "03658", "03661"], HOSTILE)]
    write_xlsxwriter(sources / "errors.xlsx", {
        "Thông tin": cover_rows(district_name="Thành phố Sơ La"),   # a typo: a warning, the code wins
        "Nhà ở": [HOUSE_HEADERS, house("H1", head=HEAD, national_id=NID),
                  house("H2", head=HEAD, national_id="12345"), house("H3", head="=1+1", category="=cmd|' /C calc'!A0")],
        "Hỗ trợ": [GRANT_HEADERS, grant(), *grants]})
    submission(sources / "bad_period.xlsx", period="13/2024", houses=[house()])
    write_xlsxwriter(sources / "notaworkbook.xlsx", {})  # replaced below by junk bytes
    (sources / "notaworkbook.xlsx").write_bytes(b"this is not a zip")
    submission(sources / "clean.xlsx", district="118", period="02/2025",
               houses=[house("Q1", commune="03682", name="Xã Mường Chiên", done="10/02/2025")])
    submission(sources / "warn_only.xlsx", district="118", period="01/2025", version=2,
               houses=[house("Q2", commune="03682", name=None, central=200_000_000, done="20/01/2025",
                             start="02/01/2025")])
    loaded = load(sources, root / "warehouse")
    return loaded


def _by_file(run):
    return {f["file_name"]: f for f in run.feedback}


def test_one_feedback_per_submission_with_problems(run):
    files = _by_file(run)
    assert set(files) == {"errors.xlsx", "bad_period.xlsx", "notaworkbook.xlsx", "warn_only.xlsx"}
    sid = {e["file_name"]: e["submission_id"] for e in run.ledger()}
    names = {f: p["path"].rsplit("/", 1)[1] for f, p in files.items()}
    assert names["errors.xlsx"] == f"116_2025-03_v1_{sid['errors.xlsx'][:8]}.xlsx"
    assert names["warn_only.xlsx"] == f"118_2025-01_v2_{sid['warn_only.xlsx'][:8]}.xlsx"
    assert names["notaworkbook.xlsx"] == f"unknown_{sid['notaworkbook.xlsx']}.xlsx"
    assert names["bad_period.xlsx"].startswith("116_") or names["bad_period.xlsx"].startswith("unknown_")
    assert files["warn_only.xlsx"]["errors"] == 0 and files["warn_only.xlsx"]["warnings"] == 1
    assert files["errors.xlsx"]["errors"] == 2 + 6 and files["errors.xlsx"]["warnings"] == 1
    for entry in files.values():
        assert (run.warehouse_dir / "feedback" / entry["path"].rsplit("/", 1)[1]).exists()
        assert {"path", "district", "period", "errors", "warnings", "status"} <= set(entry)
    assert not list((run.warehouse_dir / "feedback").glob(".tmp-*"))


def _open(run, file_name):
    return openpyxl.load_workbook(_by_file(run)[file_name]["path"])


def test_summary_first_then_problems_in_both_languages(run):
    book = _open(run, "errors.xlsx")
    assert book.sheetnames == [SUMMARY_SHEET, PROBLEMS_SHEET]
    summary = {row[1]: row[2] for row in book[SUMMARY_SHEET].iter_rows(min_row=4, values_only=True)}
    assert summary["File name"] == "errors.xlsx" and summary["District code"] == "116"
    assert summary["Reporting month"] == "03/2025" and summary["Rows rejected"] == 8
    assert summary["Status"].endswith("accepted_with_errors")
    rows = list(book[PROBLEMS_SHEET].iter_rows(values_only=True))
    header, problems = rows[0], rows[1:]
    assert "Ô / Cell" in header and "Lý do / Reason (Vietnamese)" in header
    cells = {p[1]: p for p in problems}
    hyperlink = cells["'Hỗ trợ'!D3"]
    assert hyperlink[3] == "Chương trình" and hyperlink[4] == HOSTILE[0]
    assert "must be one of" in hyperlink[6] and "không hợp lệ" in hyperlink[5]
    assert hyperlink[7].endswith("error")
    nid = cells["'Nhà ở'!G3"]
    assert nid[4] is None and "12 chữ số" in nid[5] and "12 digits" in nid[6]
    assert any(p[7].endswith("warning") and "does not match" in p[6] for p in problems)   # cover warning


def test_no_formula_cells_and_hostile_text_kept_as_text(run):
    for file_name in _by_file(run):
        book = _open(run, file_name)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (file_name, cell.coordinate, cell.value)
    values = [c.value for row in _open(run, "errors.xlsx")[PROBLEMS_SHEET].iter_rows() for c in row]
    for hostile in HOSTILE[:4] + ["=cmd|' /C calc'!A0"]:
        assert hostile in values
    # and the raw XML holds them as strings, never <f> elements
    import zipfile
    with zipfile.ZipFile(_by_file(run)["errors.xlsx"]["path"]) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def test_personal_values_never_appear(run):
    for file_name in _by_file(run):
        book = _open(run, file_name)
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                text = " ".join(str(v) for v in row if v is not None)
                assert HEAD not in text and NID not in text and "12345" not in text and "=1+1" not in text


def test_whole_file_rejection_feedback(run):
    book = _open(run, "notaworkbook.xlsx")
    summary = {row[1]: row[2] for row in book[SUMMARY_SHEET].iter_rows(min_row=4, values_only=True)}
    # nothing says whose file it is: neither a district's nor a commune's words (issue 23)
    assert summary["Status"].endswith("rejected") and summary["Reporting unit"] == "?"
    assert book[SUMMARY_SHEET]["A1"].value == "Phản hồi về báo cáo / Feedback on the submission"
    problems = list(book[PROBLEMS_SHEET].iter_rows(min_row=2, values_only=True))
    assert len(problems) == 1 and problems[0][6] and problems[0][5]
    book = _open(run, "bad_period.xlsx")
    [problem] = list(book[PROBLEMS_SHEET].iter_rows(min_row=2, values_only=True))
    assert "not a month" in problem[6] and "không phải là tháng" in problem[5]


def test_clean_submission_gets_no_feedback_and_rerun_writes_nothing(run, tmp_path):
    assert "clean.xlsx" not in _by_file(run)
    again = load(run.warehouse_dir.parent / "sources", run.warehouse_dir)
    assert again.feedback == []


def test_missing_feedback_is_written_by_the_next_load(tmp_path):
    """A load killed between a batch commit and the feedback step: the next load writes it."""
    from workbooks import house, submission

    sources, warehouse_dir = tmp_path / "sources", tmp_path / "warehouse"
    submission(sources / "bad.xlsx", houses=[house(commune="99999")])
    load(sources, warehouse_dir)
    written = list((warehouse_dir / "feedback").glob("*.xlsx"))
    assert len(written) == 1
    written[0].unlink()   # as if the load had died before writing it
    again = load(sources, warehouse_dir)
    assert [f["submission_id"] for f in again.feedback] != []
    assert [p.name for p in (warehouse_dir / "feedback").glob("*.xlsx")] == [written[0].name]
