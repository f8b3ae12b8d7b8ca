"""The provincial report rendered from a small real warehouse (fast tier: tests/bi_small.py writes the
published facts, dbt builds the reporting layer on them in this process, the real publish step
writes bi.duckdb): its figures equal the marts, every figure comes from the reporting layer, today's
map shows with its ranks and mappings, partial reporting and changes that do not compare like
with like are named, the page fetches nothing. The full path (demo load, browser, PDF, PostgreSQL)
is in test_report_e2e.py and test_postgres.py."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from bi_small import write_bi
from report_checks import assert_matches_marts, island

from pipeline import transform
from pipeline.report import build, fmt, geo, queries

REPO = Path(__file__).resolve().parent.parent
GENERATED = dt.datetime(2025, 3, 20, 7, 0)


def _build(tmp_path: Path, **kwargs) -> tuple[str, dict, Path]:
    warehouse = tmp_path / "warehouse"
    bi = write_bi(warehouse / "bi.duckdb", **kwargs)
    result = build.build_report(warehouse, with_pdf=False, with_dictionary=False, generated_at=GENERATED)
    html = result.html.read_text(encoding="utf-8")
    assert result.html == warehouse / "report" / "index.html"
    return html, island(html), bi


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> tuple[str, dict, Path]:
    return _build(tmp_path_factory.mktemp("report"))


def test_figures_equal_the_marts_and_the_period_comes_from_the_data(page):
    html, figures, bi = page
    assert_matches_marts(figures, bi)
    head = figures["headline"]
    # the latest accepted month is 02/2025: full years up to 2024, the year to date is Jan-Feb 2025
    assert figures["period"]["latest_month"] == "2025-02-01"
    assert head["houses_completed"] == {"from_year": 2023, "to_year": 2024, "houses": 3, "total_vnd": 150_000_000}
    assert head["houses_started"]["cases"] == 2 and head["houses_started"]["date_to"] == "2025-02-28"
    assert (head["houses_started"]["completed"], head["houses_started"]["in_progress"]) == (1, 1)
    grants = {r["programme"]: (r["beneficiaries"], r["beneficiary_unit"], r["amount_vnd"])
              for r in head["grants_year_to_date"]["rows"]}
    assert grants == {"production": (0, "households", 0), "medical": (12, "people", 3_500_000),
                      "students": (7, "students", 2_100_000), "hardship_other": (0, "households", 0)}
    assert (head["poverty"]["poverty_rate_pct"], head["poverty"]["change_pp"]) == (10.0, -4.85)
    assert head["poverty"]["average_change_pp"] == -5.0    # (-5.15 - 4.85) / 2
    assert figures["generated_at"] == "2025-03-20 07:00:00"
    # shown on the page as a Vietnamese reader writes numbers, with the period
    assert "Nhà tạm, dột nát đã xóa 2023–2024" in html and "Houses" not in html.split("data-figure")[0]
    assert re.search(r'data-figure="houses_completed".*?<div class="value">3 ', html, re.S)
    assert "0,150</b>" in html            # 150 million VND = 0,150 tỷ đồng
    assert "10,00 %" in html and "−4,85" in html
    assert "tháng 01–02/2025" in html and "Jan–Feb 2025" in html
    # beneficiaries in each programme's own unit, never summed across programmes
    assert "12 người · people" in html and "7 học sinh · students" in html


def test_data_loaded_and_partial_reporting_are_said(page):
    html, figures, _ = page
    assert figures["period"]["loaded_at"] == "2025-03-15 09:30:00"
    assert 'data-figure="loaded_at">09:30 15/03/2025<' in html
    partial = {(r["level"], r["code"], r["review_year"]) for r in figures["partial_reporting"]}
    assert partial == {("province", "14", 2024), ("district", "116", 2024), ("commune_2025", "03646", 2024)}
    assert 'data-table="partial_reporting"' in html and 'data-partial="none"' not in html
    assert "3/4 ⚠" in html                                  # the province's 2024 row, flagged in its table
    assert figures["months_not_complete"] == [{"period": "2025-01-01", "missing": 1, "rejected_only": 0, "units": 1}]
    assert 'data-partial="months">01/2025 (1)<' in html


def test_changes_that_do_not_compare_like_with_like_are_marked(page):
    """2024 stands on partial reporting: its change is not like for like, in rpt_ and on the page."""
    html, figures, _ = page
    province = {r["review_year"]: r for r in figures["poverty_province"]}
    assert (province[2023]["change_like_for_like"], province[2024]["change_like_for_like"]) == (True, False)
    assert {year: r["poverty_standard"] for year, r in province.items()} == {
        2021: "2016-2020", 2022: "2022-2025", 2023: "2022-2025", 2024: "2022-2025"}
    assert figures["headline"]["poverty"]["change_like_for_like"] is False
    assert "−4,85 †" in html and "−5,15 †" not in html and "not like for like" in html
    communes = {r["commune_2025_code"]: r for r in figures["poverty_commune"]}
    assert communes["03646"]["change_like_for_like"] is False      # partial in 2024


def test_a_change_of_poverty_standard_is_a_break_and_the_average_stays_within_one_standard(page):
    """2021 was measured under the 2016-2020 standard, 2022 on under 2022-2025: no change across them,
    the table says so, the chart draws the boundary with both standards named, and the headline's
    average covers 2022-2024 only (checked against the marts in assert_matches_marts)."""
    html, figures, bi = page
    province = {r["review_year"]: r for r in figures["poverty_province"]}
    assert (province[2022]["change_pp"], province[2022]["comparable_with_previous"]) == (None, False)
    table = html.split('data-table="poverty_province"')[1].split("</table>")[0]
    assert re.search(r"<td[^>]*>2022</td>(.*?)</tr>", table, re.S).group(1).count("đổi chuẩn · new standard") == 1
    assert "Chuẩn nghèo" in table and "2016-2020" in table
    poverty = figures["headline"]["poverty"]
    assert (poverty["average_change_pp"], poverty["changes_from"], poverty["changes_to"], poverty["average_standard"]) \
        == (-5.0, 2022, 2024, "2022-2025")
    assert "2022–2024 (chuẩn nghèo 2022-2025 <span class=\"en\">· 2022-2025 standard</span>)" in html
    # the chart: two runs, a dashed boundary between them, each run named in Vietnamese and English
    from pipeline.report import charts

    assert [[r["review_year"] for r in run] for run in charts.standard_runs(figures["poverty_province"])] == [
        [2021], [2022, 2023, 2024]]
    with pytest.MonkeyPatch.context() as patch:   # text as text, not paths, to read it back
        patch.setitem(charts.RC, "svg.fonttype", "none")
        svg = charts.poverty_province(figures["poverty_province"])
    for label in ("Chuẩn nghèo 2016-2020", "2016-2020 standard", "Chuẩn nghèo 2022-2025", "2022-2025 standard",
                  "đổi chuẩn · new standard"):
        assert label in svg, label
    assert svg.count("stroke-dasharray") >= 1


def test_commune_section_ranks_todays_map(page):
    html, figures, _ = page
    assert 'id="commune-not-available"' not in html
    assert [(r["rank_in_year"], r["commune_2025_code"]) for r in figures["poverty_commune"]] == \
        [(1, "03688"), (2, "03646"), (3, "03664")]
    assert {r["review_year"] for r in figures["poverty_commune"]} == {2024}                            # latest year
    assert 'alt="poverty rate by commune of today&#39;s map, 2024"' in html
    assert 'data-table="poverty_commune"' in html and "gần đúng · approximate" in html
    # the dot map needs the commune centres shipped by vietnamadminunits (a dependency)
    assert geo.source() and len(geo.commune_points()) == 75
    assert figures["coordinates_source"] == geo.source()
    assert 'alt="dot map of poverty rate by commune, 2024"' in html


def test_labels_come_from_the_reporting_layer(tmp_path):
    """The programme's labels are the ones the rpt_ rows carry (here changed in the published file)."""
    warehouse = tmp_path / "warehouse"
    bi = write_bi(warehouse / "bi.duckdb")
    con = duckdb.connect(str(bi))
    for table in ("rpt_grants_month", "rpt_headline"):
        con.execute(f"update marts.{table} set programme_label_vi = 'Khám, chữa bệnh (nhãn từ kho)', "
                    "programme_label_en = 'Medical care (from the warehouse)' where programme = 'medical'")
    con.close()
    html = build.build_report(warehouse, with_pdf=False, with_dictionary=False).html.read_text(encoding="utf-8")
    assert "Khám, chữa bệnh (nhãn từ kho) (triệu đồng)" in html      # the monthly table's column
    assert "Khám, chữa bệnh (nhãn từ kho) · Medical care (from the warehouse)" in html   # the headline's table
    assert "Khám chữa bệnh" not in html


def _sql_strings(module) -> list[str]:
    """Every SQL text written in a module (string constants and f-string parts holding a select)."""
    import ast

    texts, parts = [], set()
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            texts.append("".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values))
            parts.update(id(part) for part in node.values)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in parts:
            texts.append(node.value)
    return [" ".join(t.lower().split()) for t in texts if t.lower().lstrip().startswith("select ")]


def test_the_report_and_the_summary_only_select_from_the_reporting_layer():
    """No figure is computed in the report's or the summary's Python: their SQL reads rpt_ tables
    only (and the catalog, to say when the layer is missing), with no aggregate and no join. The
    summary's own SQL is the ledger's account of the load (files and rows of this run, raw.submissions);
    its figures go through queries' selects."""
    from pipeline.warehouse import summary

    assert all(re.findall(r"from\s+([\w.]+)", text) == ["raw.submissions"] for text in _sql_strings(summary))
    sql = _sql_strings(queries)
    assert len(sql) >= 10
    for text in sql:
        tables = re.findall(r"(?:from|join)\s+([\w{}.]+)", text)
        assert tables and all(t.startswith(("{}.rpt_", "{rpt}.rpt_")) or t == "information_schema.tables"
                              for t in tables), text
        for word in (" join ", "group by", "sum(", "count(", "avg(", "min(", "case "):
            assert word not in text, (word, text)


def test_the_data_dictionary_examples_read_the_reporting_layer_and_run(page):
    """The data dictionary's front page (dbt docs __overview__) answers everyday questions with one
    select each, of rpt_ tables only; every one runs on a published warehouse and finds rows."""
    from pipeline.config import DBT_PROJECT_DIR

    text = (DBT_PROJECT_DIR / "models" / "docs.md").read_text(encoding="utf-8")
    overview = re.search(r"\{% docs __overview__ %\}(.*?)\{% enddocs %\}", text, re.S).group(1)
    examples = re.findall(r"`(select [^`]+)`", overview)
    assert len(examples) == 8
    con = duckdb.connect(str(page[2]), read_only=True)
    try:
        for sql in examples:
            assert all(t.startswith("marts.rpt_") for t in re.findall(r"from\s+([\w.]+)", sql)), sql
            con.execute(sql).fetchall()
        assert con.execute(examples[0]).fetchall() == [(2023, 1, 60_000_000), (2024, 2, 90_000_000), (2025, 1, 60_000_000)]
    finally:
        con.close()


def test_the_page_is_self_contained(page):
    html, _, _ = page
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    sources = re.findall(r'\s(?:src|href)="([^"]*)"', html)
    assert sources and all(s.startswith("data:image/svg+xml;base64,") or s in ("report.pdf", "data-dictionary.html")
                           for s in sources), sources
    assert not re.search(r"url\(|@import|<link|<script(?! type=\"application/json\")", html)
    assert html.count("<img ") >= 9                          # every chart, embedded
    assert html.count("<table") >= 10                        # and a table under each
    # every chart's numbers in a table: the rows of the houses chart are there
    # (every year provisional here: nothing was signed off, so each is marked ‡)
    assert re.search(r'data-table="houses_by_year".*?<td>2023 ‡</td><td class="num">1</td><td class="num">0</td>', html, re.S)
    # the sign-off section, on a warehouse nothing was approved in, revised or waits for approval in
    assert 'data-revisions="none"' in html and 'data-pending="none"' in html and 'id="signoff"' in html


def test_an_empty_warehouse_still_renders(tmp_path):
    html, figures, bi = _build(tmp_path, empty=True)
    assert "no accepted report yet" in html and figures["headline"] == {}
    assert figures["period"]["files_received"] == 0 and figures["period"]["latest_month"] is None
    # today's map without figures: the section says so, no chart
    assert figures["poverty_commune"] == [] and figures["partial_reporting"] == []
    assert 'id="commune-not-available"' in html and "No poverty figures on the 75 communes" in html
    assert "poverty rate by commune of today" not in html


def test_a_warehouse_published_before_the_reporting_layer_gets_a_clear_error(tmp_path):
    bi = write_bi(tmp_path / "old" / "bi.duckdb")
    con = duckdb.connect(str(bi))
    for (name,) in con.execute("select table_name from information_schema.tables where table_name like 'rpt_%'").fetchall():
        con.execute(f"drop table marts.{name}")
    con.close()
    with pytest.raises(build.ReportError, match="no reporting layer.*run `python -m pipeline load`"):
        build.build_report(tmp_path / "old", with_pdf=False, with_dictionary=False)
    assert not (tmp_path / "old" / "report" / "index.html").exists()


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


def test_same_warehouse_same_page(page, tmp_path):
    """Charts are deterministic (fixed SVG hash salt, no date): an unchanged warehouse gives the same
    file (here drawn afresh, without the first report's chart cache)."""
    again, _, _ = _build(tmp_path)
    assert again == page[0]
