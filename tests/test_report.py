"""The provincial report rendered from a small real bi.duckdb the test writes (fast tier): its
figures equal the marts, the commune chart appears exactly when marts.agg_poverty_commune_year
does, partial reporting is named, the page fetches nothing. The full path (demo load, browser,
PDF) is in test_report_e2e.py."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

from bi_small import write_bi
from report_checks import assert_matches_marts, island

from pipeline import transform
from pipeline.report import build, fmt, geo

REPO = Path(__file__).resolve().parent.parent
GENERATED = dt.datetime(2025, 3, 20, 7, 0)


def _build(tmp_path: Path, **kwargs) -> tuple[str, dict, Path]:
    warehouse = tmp_path / "warehouse"
    bi = write_bi(warehouse / "bi.duckdb", **kwargs)
    result = build.build_report(warehouse, with_pdf=False, with_dictionary=False, generated_at=GENERATED)
    html = result.html.read_text(encoding="utf-8")
    assert result.html == warehouse / "report" / "index.html"
    return html, island(html), bi


def test_figures_equal_the_marts_and_the_period_comes_from_the_data(tmp_path):
    html, figures, bi = _build(tmp_path)
    assert_matches_marts(figures, bi)
    head = figures["headline"]
    # the latest accepted month is 02/2025: full years up to 2024, the year to date is Jan-Feb 2025
    assert figures["period"]["latest_month"] == "2025-02-01"
    assert head["houses_completed"] == {"from_year": 2023, "to_year": 2024, "houses": 3, "total_vnd": 150_000_000}
    assert head["houses_started"]["cases"] == 2 and head["houses_started"]["date_to"] == "2025-02-28"
    grants = {r["programme"]: (r["beneficiaries"], r["amount_vnd"]) for r in head["grants_year_to_date"]["rows"]}
    assert grants == {"production": (0, 0), "medical": (12, 3_500_000), "students": (7, 2_100_000),
                      "hardship_other": (0, 0)}
    assert (head["poverty"]["poverty_rate_pct"], head["poverty"]["change_pp"]) == (10.0, -4.85)
    assert figures["generated_at"] == "2025-03-20 07:00:00"
    # shown on the page as a Vietnamese reader writes numbers, with the period
    assert "Nhà tạm, dột nát đã xóa 2023–2024" in html and "Houses" not in html.split("data-figure")[0]
    assert re.search(r'data-figure="houses_completed".*?<div class="value">3 ', html, re.S)
    assert "0,150</b>" in html            # 150 million VND = 0,150 tỷ đồng
    assert "10,00 %" in html and "−4,85" in html
    assert "tháng 01–02/2025" in html and "Jan–Feb 2025" in html


def test_data_loaded_and_partial_reporting_are_said(tmp_path):
    html, figures, _ = _build(tmp_path)
    assert figures["period"]["loaded_at"] == "2025-03-15 09:30:00"
    assert 'data-figure="loaded_at">09:30 15/03/2025<' in html
    partial = {(r["level"], r["code"], r["review_year"]) for r in figures["partial_reporting"]}
    assert partial == {("province", None, 2024), ("district", "116", 2024)}
    assert 'data-table="partial_reporting"' in html and 'data-partial="none"' not in html
    assert "3/4 ⚠" in html                                  # the province's 2024 row, flagged in its table
    assert figures["months_not_complete"] == [{"period": "2025-01-01", "missing": 1, "rejected_only": 0, "units": 1}]
    assert 'data-partial="months">01/2025 (1)<' in html


def test_commune_section_says_not_available_without_the_reform_mart(tmp_path):
    html, figures, _ = _build(tmp_path)
    assert figures["poverty_commune"] is None
    assert 'id="commune-not-available"' in html and "Not available yet" in html
    assert "poverty rate by commune of today" not in html


def test_commune_chart_and_map_render_when_the_reform_mart_exists(tmp_path):
    html, figures, bi = _build(tmp_path, commune_mart=True)
    assert_matches_marts(figures, bi)
    assert 'id="commune-not-available"' not in html
    assert [r["commune_2025_code"] for r in figures["poverty_commune"]] == ["03688", "03646", "03664"]   # ranked
    assert {r["review_year"] for r in figures["poverty_commune"]} == {2024}                            # latest year
    assert 'alt="poverty rate by commune of today&#x27;s map, 2024"' in html
    assert 'data-table="poverty_commune"' in html and "gần đúng · approximate" in html
    assert ("commune_2025", "03646", 2024) in {(r["level"], r["code"], r["review_year"])
                                                for r in figures["partial_reporting"]}
    # the dot map needs the commune centres shipped by vietnamadminunits (a dependency)
    assert geo.source() and len(geo.commune_points()) == 75
    assert figures["coordinates_source"] == geo.source()
    assert 'alt="dot map of poverty rate by commune, 2024"' in html


def test_labels_come_from_dim_enumeration_when_published(tmp_path):
    html, figures, _ = _build(tmp_path, enumerations=True)
    assert figures["labels"]["source"] == "marts.dim_enumeration"
    assert "Khám, chữa bệnh (nhãn từ kho)" in html
    html, figures, _ = _build(tmp_path / "other")
    assert figures["labels"]["source"] == "pipeline.enumerations"
    assert "Khám chữa bệnh" in html


def test_the_page_is_self_contained(tmp_path):
    html, _, _ = _build(tmp_path, commune_mart=True)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    sources = re.findall(r'\s(?:src|href)="([^"]*)"', html)
    assert sources and all(s.startswith("data:image/svg+xml;base64,") or s in ("report.pdf", "data-dictionary.html")
                           for s in sources), sources
    assert not re.search(r"url\(|@import|<link|<script(?! type=\"application/json\")", html)
    assert html.count("<img ") >= 9                          # every chart, embedded
    assert html.count("<table") >= 10                        # and a table under each
    # every chart's numbers in a table: the rows of the houses chart are there
    assert re.search(r'data-table="houses_by_year".*?<td>2023</td><td class="num">1</td><td class="num">0</td>', html, re.S)


def test_an_empty_warehouse_still_renders(tmp_path):
    import duckdb

    from bi_small import SCHEMA

    warehouse = tmp_path / "w"
    warehouse.mkdir()
    con = duckdb.connect(str(warehouse / "bi.duckdb"))
    con.execute(SCHEMA)
    con.close()
    result = build.build_report(warehouse, with_pdf=False, with_dictionary=False)
    html = result.html.read_text(encoding="utf-8")
    assert "no accepted report yet" in html and island(html)["headline"] == {}


def test_number_formats():
    assert (fmt.integer(9317), fmt.decimal(10.89), fmt.decimal(-3.52, signed=True), fmt.billions(441_287_000_000)) == \
        ("9.317", "10,89", "−3,52", "441,287")
    assert (fmt.decimal(0.5, signed=True), fmt.millions(250_400_000), fmt.month("2025-03-01")) == ("+0,50", "250,4", "03/2025")


def test_docs_args_write_outside_the_source_tree(tmp_path):
    args = transform.docs_args(tmp_path / "wh", dt.date(2026, 11, 1), tmp_path / "t", tmp_path / "l")
    assert args[:3] == ["docs", "generate", "--static"]
    assert args[args.index("--target-path") + 1] == str(tmp_path / "t")
    assert '"warehouse_db": "' + str((tmp_path / "wh" / "internal" / "warehouse.duckdb").resolve()) in args[4]


def test_cli_report_without_a_published_warehouse_exits_2(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pipeline", "report", "--warehouse", str(tmp_path / "none")],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "no published warehouse" in done.stderr and "Traceback" not in done.stderr


def test_cli_report_on_a_copied_bi_duckdb(tmp_path):
    """A folder holding only bi.duckdb: the HTML is built; the dictionary needs the internal warehouse."""
    write_bi(tmp_path / "copy" / "bi.duckdb")
    done = subprocess.run([sys.executable, "-m", "pipeline", "report", "--warehouse", str(tmp_path / "copy"), "--no-pdf"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"report: {tmp_path / 'copy' / 'report' / 'index.html'}" in done.stdout
    assert "data dictionary: not written" in done.stdout
    assert (tmp_path / "copy" / "report" / "index.html").exists()
    assert not list((tmp_path / "copy" / "report").glob(".*tmp*"))


def test_same_warehouse_same_page(tmp_path):
    """Charts are deterministic (fixed SVG hash salt, no date): an unchanged warehouse gives the same file."""
    first, _, _ = _build(tmp_path / "a", commune_mart=True)
    second, _, _ = _build(tmp_path / "b", commune_mart=True)
    assert first == second
