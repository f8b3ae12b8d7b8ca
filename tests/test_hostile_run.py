"""One real load (the CLI, in a subprocess) over an inbox full of hostile files next to good ones.

Every hostile file is built here, in tmp_path. Each must end in the ledger as 'rejected' with a
reason naming its problem; the good files load; the run completes; the process tree's peak
memory stays bounded; ignored files get no ledger entry.
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
import zipfile

import duckdb
import openpyxl
import pytest

from runner import REPO, query
from test_safety import BILLION_LAUGHS, EXTERNAL_ENTITY, SHEET, repeated_xml, rewrite_zip, valid_xlsx
from workbooks import cover_rows, house, submission, write_workbook

pytestmark = pytest.mark.slow   # real CLI loads: the full tier only

PEAK_LIMIT_MB = 600


def _future_period() -> str:
    today = dt.date.today()
    month = dt.date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    return f"{month:%m/%Y}"


# name -> (how to build it in a folder, words the ledger reason must contain)
def _random_bytes(path):
    import random
    path.write_bytes(bytes(random.Random(7).randrange(256) for _ in range(20_000)))


def _text(path):
    path.write_text("Mã huyện;Kỳ báo cáo\n116;03/2025\nthis is a CSV, not a workbook\n", encoding="utf-8")


def _pdf(path):
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def _encrypted(path):
    from msoffcrypto.format.ooxml import OOXMLFile
    plain = submission(path.with_name("plain-src.tmp"), houses=[house("E1")])
    with open(plain, "rb") as fin, open(path, "wb") as fout:
        OOXMLFile(fin).encrypt("1234", fout)
    plain.unlink()


def _good_template(path):
    src = path.with_name(path.name + ".src.tmp")
    submission(src, houses=[house("Z1")])
    return src


def _zip_bomb(path):
    src = _good_template(path)
    rewrite_zip(src, path, replace={SHEET: repeated_xml(300 * 1024 * 1024)})
    src.unlink()


def _billion_laughs(path):
    src = _good_template(path)
    rewrite_zip(src, path, replace={SHEET: BILLION_LAUGHS})
    src.unlink()


def _external_entity(path):
    src = _good_template(path)
    rewrite_zip(src, path, replace={SHEET: EXTERNAL_ENTITY})
    src.unlink()


def _truncated(path):
    src = _good_template(path)
    data = src.read_bytes()
    path.write_bytes(data[: len(data) * 6 // 10])
    src.unlink()


def _no_cover(path):
    write_workbook(path, {"Nhà ở": [["Mã hộ", "Mã xã", "Tình trạng"], ["H1", "03646", "Hoàn thành"]]})


def _cover(**kw):
    def build(path):
        submission(path, houses=[house("C1")], cover=cover_rows(**kw))
    return build


def _cover_without_period(path):
    submission(path, houses=[house("C1")], cover=[["Mã huyện", "116"], ["Lần gửi", 1]])


def _no_data_sheet(path):
    write_workbook(path, {"Thông tin": cover_rows(), "Ghi chú": [["nothing here"]]})


HOSTILE = {
    "random_bytes.xlsx": (_random_bytes, ["not an excel workbook"]),
    "text_as.xlsx": (_text, ["not an excel workbook", "text"]),
    "pdf_as.xls": (_pdf, ["not an excel workbook", "pdf"]),
    "encrypted.xlsx": (_encrypted, ["password"]),
    "zip_bomb.xlsx": (_zip_bomb, ["zip bomb", "too large"]),
    "billion_laughs.xlsx": (_billion_laughs, ["entity"]),
    "external_entity.xlsx": (_external_entity, ["entity"]),
    "truncated.xlsx": (_truncated, ["damaged or incomplete"]),
    "no_cover.xlsx": (_no_cover, ["no cover sheet"]),
    "unknown_district.xlsx": (_cover(district="999"), ["unknown district", "999"]),
    "period_missing.xlsx": (_cover_without_period, ["no reporting period"]),
    "period_malformed.xlsx": (_cover(period="13/2024"), ["13/2024"]),
    "period_before_2020.xlsx": (_cover(period="12/2019"), ["before 01/2020"]),
    "period_future.xlsx": (_cover(period=_future_period()), ["future"]),
    "no_data_sheet.xlsx": (_no_data_sheet, ["no data sheet"]),
}
GOOD = {"good/116_2025-03.xlsx": ("116", "03/2025", "G116"), "good/118_2025-02.xlsx": ("118", "02/2025", "G118")}
IGNORED = ["~$lock.xlsx", ".hidden.xlsx", "notes.txt"]

# Runs the CLI as its child and reports the peak RSS of the whole tree that was waited for
# (the CLI, its spawn parse workers, dbt): ru_maxrss of RUSAGE_CHILDREN is the largest one.
WRAPPER = textwrap.dedent("""
    import json, resource, subprocess, sys
    proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # not RUSAGE_SELF: Linux carries maxrss across exec, so it would report pytest's own peak
    print(json.dumps({"rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr,
                      "peak_kb": kids}))
""")


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    sources, warehouse = root / "sources", root / "warehouse"
    (sources / "inbox").mkdir(parents=True)
    for name, (district, period, household) in GOOD.items():
        submission(sources / name, district=district, period=period,
                   houses=[house(household, commune="03646" if district == "116" else "03682",
                                 name=None, done=dt.date(2025, 1, 20))])
    for name, (build, _) in HOSTILE.items():
        build(sources / "inbox" / name)
    leftovers = list(sources.rglob("*.tmp"))
    assert not leftovers, leftovers
    for name in IGNORED:
        (sources / "inbox" / name).write_bytes(b"PK\x03\x04 whatever" if name.endswith(".xlsx") else b"notes")
    env_cmd = [sys.executable, "-c", WRAPPER, sys.executable, "-m", "pipeline", "load",
               "--sources", str(sources), "--warehouse", str(warehouse)]
    import os
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
    env.pop("DAGSTER_HOME", None)
    out = subprocess.run(env_cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout)
    ledger = {name: (status, reason) for name, status, reason in
              query(warehouse, "select file_name, status, reason from audit.submissions")}
    return {"report": report, "ledger": ledger, "warehouse": warehouse, "sources": sources}


def test_run_completes(hostile_run):
    report = hostile_run["report"]
    assert report["rc"] == 0, report["stderr"][-3000:]
    assert "Traceback" not in report["stderr"]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_rejected_with_reason(hostile_run, name):
    entry = hostile_run["ledger"].get(f"inbox/{name}")
    assert entry is not None, f"{name} has no ledger entry"
    status, reason = entry
    assert status == "rejected", (name, status, reason)
    for word in HOSTILE[name][1]:
        assert word in (reason or "").lower(), (name, reason)


def test_good_files_loaded(hostile_run):
    ledger = hostile_run["ledger"]
    for name in GOOD:
        assert ledger[name][0] == "accepted", (name, ledger[name])
    households = {h for (h,) in query(hostile_run["warehouse"], "select household_id from marts.fct_houses")}
    assert households == {"G116", "G118"}


def test_every_file_has_exactly_one_entry_and_ignored_files_none(hostile_run):
    ledger = hostile_run["ledger"]
    expected = set(GOOD) | {f"inbox/{n}" for n in HOSTILE}
    assert set(ledger) == expected
    counts = query(hostile_run["warehouse"], "select count(*), count(distinct file_name) from audit.submissions")
    assert counts == [(len(expected), len(expected))]


def test_peak_memory_bounded(hostile_run):
    peak_mb = hostile_run["report"]["peak_kb"] / 1024
    assert peak_mb < PEAK_LIMIT_MB, f"peak RSS of the load's process tree: {peak_mb:.0f} MB"


def test_defusedxml_active():
    assert openpyxl.DEFUSEDXML is True


def test_cli_asserts_defusedxml_at_start_up(tmp_path):
    """With openpyxl pretending defusedxml is missing, the load refuses to ingest anything."""
    sources, warehouse = tmp_path / "sources", tmp_path / "warehouse"
    submission(sources / "a.xlsx", houses=[house("H1")])
    script = textwrap.dedent(f"""
        import sys, openpyxl
        openpyxl.DEFUSEDXML = False
        from pipeline.cli import main
        sys.exit(main(["load", "--sources", {str(sources)!r}, "--warehouse", {str(warehouse)!r}]))
    """)
    import os
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
    env.pop("DAGSTER_HOME", None)
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode != 0
    assert "defusedxml" in result.stderr
    internal = warehouse / "internal" / "warehouse.duckdb"
    if internal.exists():
        con = duckdb.connect(str(internal), read_only=True)
        try:
            tables = {t for (t,) in con.execute("select table_name from information_schema.tables "
                                                "where table_schema = 'raw'").fetchall()}
            if "submissions" in tables:
                assert con.execute("select count(*) from raw.submissions").fetchone() == (0,)
        finally:
            con.close()


INJECTIONS = ['=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=2+3"]


def test_feedback_workbooks_store_user_text_as_text(tmp_path):
    """Cell values that look like formulas come back in the feedback workbooks as text, never as formulas."""
    from runner import run_load

    sources, warehouse = tmp_path / "sources", tmp_path / "warehouse"
    rows = [house("OK1", no=1)]
    rows += [house(f"X{i}", category=value, no=i + 2) for i, value in enumerate(INJECTIONS)]
    rows += [house(f"Y{i}", support=value, status=value, no=i + 20) for i, value in enumerate(INJECTIONS)]
    path = submission(sources / "injection.xlsx", houses=rows)
    book = openpyxl.load_workbook(path)   # typed by a clerk: text cells, not formulas
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    book.save(path)
    result = run_load(sources, warehouse)
    assert result.returncode == 0, result.stderr[-3000:]
    books = sorted((warehouse / "feedback").rglob("*.xlsx"))
    assert books, "expected a feedback workbook for the rejected rows"
    texts = []
    for path in books:
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, sheet.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        texts.append(cell.value)
    # the values really are in the feedback, as written (so the check above means something)
    joined = "\n".join(texts)
    for value in ('=HYPERLINK("http://x","y")', "@SUM(A1)", "-1+2"):
        assert value in joined, value
