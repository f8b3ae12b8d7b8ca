"""Build the provincial report of one warehouse: <warehouse>/report/index.html, report.pdf and
data-dictionary.html. Called by the Dagster asset provincial_report and `python -m pipeline report`.

Figures are read from the published bi.duckdb (read-only, so BI users and the report never block
each other); each file is written to a temporary name and renamed into place, so a reader never
opens half a report.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline import memory
from pipeline.report import charts, dictionary, geo, pdf, queries, render
from pipeline.warehouse import store

REPORT_DIR = "report"
HTML_NAME, PDF_NAME, DICTIONARY_NAME = "index.html", "report.pdf", "data-dictionary.html"


class ReportError(RuntimeError):
    """The report cannot be built here (no published warehouse)."""


@dataclass
class ReportResult:
    html: Path
    figures: dict
    pdf: Path | None = None
    dictionary: Path | None = None
    skipped: dict[str, str] = field(default_factory=dict)   # what was not written, and why
    memory_mb: tuple[float, float] | None = None   # this process's RSS before/after memory.release()

    def lines(self) -> list[str]:
        out = [f"  report: {self.html}"]
        out.append(f"  report PDF: {self.pdf}" if self.pdf else f"  report PDF: not written ({self.skipped.get('pdf', '')})")
        out.append(f"  data dictionary: {self.dictionary}" if self.dictionary
                   else f"  data dictionary: not written ({self.skipped.get('dictionary', '')})")
        return out


def report_dir(warehouse_dir: Path) -> Path:
    return warehouse_dir / REPORT_DIR


def read_figures(bi_path: Path) -> dict:
    con = duckdb.connect(str(bi_path), read_only=True)
    try:
        return queries.collect(con)
    finally:
        con.close()


def make_charts(figures: dict) -> dict[str, str | None]:
    def codes(domain: str, rows: list[dict], column: str) -> list[str]:
        return queries.ordered_codes(figures["labels"], domain, {r[column] for r in rows})

    labels = figures["labels"]
    out = {
        "poverty_province": charts.poverty_province(figures["poverty_province"]),
        "poverty_district": charts.poverty_district(figures["poverty_district"]),
        "houses_by_year": charts.houses_by_year(figures["houses_by_year"], labels,
                                                codes("support_type", figures["houses_by_year"], "support_type"),
                                                {r["year"]: r["houses"] for r in figures["houses_cost"]}),
        "houses_cost": charts.houses_cost(figures["houses_cost"], labels),
        "grants_by_month": charts.grants_by_month(figures["grants_by_month"], labels,
                                                  codes("programme", figures["grants_by_month"], "programme")),
        "completeness": charts.completeness(figures["completeness"], labels,
                                            codes("completeness_state", figures["completeness"], "state")),
        "rejected_by_reason": charts.rejected_by_reason(figures["rejected_by_reason"]),
        "rejected_by_unit": charts.rejected_by_unit(figures["rejected_by_unit"]),
    }
    if figures["poverty_commune"] is not None:
        out["poverty_commune_ranked"] = charts.poverty_commune_ranked(figures["poverty_commune"])
        out["poverty_commune_map"] = charts.poverty_commune_map(figures["poverty_commune"], geo.commune_points(),
                                                                figures.get("coordinates_source"))
    return out


def render_html(bi_path: Path, generated_at: dt.datetime | None = None) -> tuple[str, dict]:
    """(the page, its figures) for a bi.duckdb file: pure apart from reading that file."""
    figures = read_figures(bi_path)
    figures["generated_at"] = (generated_at or dt.datetime.now()).isoformat(sep=" ", timespec="seconds")
    figures["coordinates_source"] = geo.source() if figures["poverty_commune"] is not None else None
    return render.render(figures, make_charts(figures)), figures


def _write(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def build_report(warehouse_dir: Path, *, with_pdf: bool = True, with_dictionary: bool = True,
                 as_of: dt.date | None = None, generated_at: dt.datetime | None = None,
                 dictionary_if_changed: bool = False) -> ReportResult:
    """Write the report of this warehouse. The PDF and the data dictionary are skipped (and said
    so in the result) when there is no Chromium or no internal warehouse; other failures raise.
    dictionary_if_changed: keep a data dictionary that still describes this project (the load's asset)."""
    bi = store.bi_path(warehouse_dir)
    if not bi.exists():
        raise ReportError(f"no published warehouse at {bi}: run `python -m pipeline load` first")
    out = report_dir(warehouse_dir)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(".*.tmp-*"):
        stale.unlink(missing_ok=True)
    page, figures = render_html(bi, generated_at)
    html_path = out / HTML_NAME
    _write(html_path, page)
    result = ReportResult(html=html_path, figures=figures)
    if with_pdf:
        # Chromium is the load's memory peak: hand the heap this process freed back first
        result.memory_mb = memory.release()
        try:
            result.pdf = pdf.print_pdf(html_path, out / PDF_NAME)
        except pdf.PdfUnavailable as missing:
            result.skipped["pdf"] = str(missing)
    else:
        result.skipped["pdf"] = "not asked for"
    if with_dictionary:
        try:
            result.dictionary = dictionary.generate(warehouse_dir, out / DICTIONARY_NAME, as_of,
                                                   if_changed=dictionary_if_changed)
        except dictionary.DictionaryUnavailable as missing:
            result.skipped["dictionary"] = str(missing)
    else:
        result.skipped["dictionary"] = "not asked for"
    return result
