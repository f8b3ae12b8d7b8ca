"""Build the provincial report of one warehouse: <warehouse>/report/index.html, report.pdf and
data-dictionary.html. Called by the Dagster asset provincial_report and `python -m pipeline report`.

Figures are read from the published bi.duckdb (read-only, so BI users and the report never block
each other); each file is written to a temporary name and renamed into place, so a reader never
opens half a report.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import os
import pickle
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline import files, memory
from pipeline.report import dictionary, geo, pdf, queries, render
from pipeline.warehouse import store

REPORT_DIR = "report"
HTML_NAME, PDF_NAME, DICTIONARY_NAME = "index.html", "report.pdf", "data-dictionary.html"
CHART_CACHE = ".charts"   # in the report folder: the last report's charts, by chart_key


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
    chart_workers: int = 1

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


# Seconds each chart took to draw on the benchmark workload (tenths): the split between workers
CHART_COST = {"poverty_commune_ranked": 10, "completeness": 7, "grants_by_month": 5, "poverty_district": 4,
              "poverty_commune_map": 3, "houses_cost": 2, "houses_by_year": 2, "poverty_province": 2}
CHART_WORKERS = 2


def chart_jobs(figures: dict) -> list[tuple[str, tuple]]:
    """(function of charts.py, its arguments) for each chart of the page; the chart takes the
    function's name. Plain data, so a worker process can draw it."""
    def codes(domain: str, rows: list[dict], column: str) -> list[str]:
        return queries.ordered_codes(figures["labels"], domain, {r[column] for r in rows})

    labels = figures["labels"]
    jobs = [
        ("poverty_province", (figures["poverty_province"],)),
        ("poverty_district", (figures["poverty_district"],)),
        ("houses_by_year", (figures["houses_by_year"], labels,
                            codes("support_type", figures["houses_by_year"], "support_type"),
                            {r["year"]: r["houses"] for r in figures["houses_cost"]})),
        ("houses_cost", (figures["houses_cost"], labels)),
        ("grants_by_month", (figures["grants_by_month"], labels,
                             codes("programme", figures["grants_by_month"], "programme"))),
        ("completeness", (figures["completeness"], labels,
                          codes("completeness_state", figures["completeness"], "state"))),
        ("rejected_by_reason", (figures["rejected_by_reason"],)),
        ("rejected_by_unit", (figures["rejected_by_unit"],)),
    ]
    if figures["poverty_commune"] is not None:
        jobs.append(("poverty_commune_ranked", (figures["poverty_commune"],)))
        jobs.append(("poverty_commune_map", (figures["poverty_commune"], geo.commune_points(),
                                             figures.get("coordinates_source"))))
    return jobs


def split(jobs: list, parts: int) -> list[list]:
    """The jobs in `parts` groups of about equal drawing time (longest first, each to the least busy)."""
    groups: list[list] = [[] for _ in range(parts)]
    load = [0] * parts
    for job in sorted(jobs, key=lambda j: -CHART_COST.get(j[0], 1)):
        least = load.index(min(load))
        groups[least].append(job)
        load[least] += CHART_COST.get(job[0], 1)
    return groups


def chart_workers(cores: int | None = None, others_running: int | None = None) -> int:
    """Two when a core is idle, else one: a second worker's start costs ~0.7 s of CPU, which only
    pays when it draws on a core of its own (measured: slower than one on a busy machine).
    others_running: processes runnable right now besides this one (this process only waits while
    the charts are drawn). Asked of the kernel at this moment, not the 1-minute load average: after
    a load that average is ~1.5 from the load's own work (measured: one worker 3.5-3.8 s for the
    report, two 2.8-3.4 s)."""
    cores = cores or os.cpu_count() or 1
    if others_running is None:
        others_running = _others_running()
    if others_running is None:
        return 1
    return CHART_WORKERS if cores - others_running >= 2 else 1


def _others_running() -> int | None:
    """Runnable processes besides this one (Linux /proc/loadavg's 4th field counts this one too)."""
    try:
        running = int(Path("/proc/loadavg").read_text().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):   # not Linux: say nothing, one worker
        return None
    return max(0, running - 1)


def start_chart_workers(count: int) -> list[subprocess.Popen]:
    """Fresh Pythons (`python -m pipeline.report.charts`) that import matplotlib while this process
    reads the figures, then wait for their charts on stdin."""
    package_root = str(Path(__file__).resolve().parents[2])   # also from a checkout not pip-installed
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    return [subprocess.Popen([sys.executable, "-m", "pipeline.report.charts"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(count)]


def _collect(worker: subprocess.Popen, jobs: list) -> dict[str, str | None]:
    out, err = worker.communicate(pickle.dumps(jobs))
    if worker.returncode != 0:
        raise RuntimeError(f"drawing the charts failed: {err.decode(errors='replace')[-2000:]}")
    return pickle.loads(out)


def chart_key(name: str, args: tuple) -> str:
    """Names a chart by everything that draws it: its data, the drawing code, matplotlib's version."""
    digest = hashlib.sha256(importlib.metadata.version("matplotlib").encode())
    for source in ("charts.py", "fmt.py"):
        digest.update(Path(__file__).with_name(source).read_bytes())
    digest.update(pickle.dumps((name, args)))
    return digest.hexdigest()[:32]


def make_charts(figures: dict, workers: list[subprocess.Popen], cache: Path | None = None) -> dict[str, str | None]:
    """Every chart as SVG text, drawn by the workers (matplotlib is CPU-bound: threads would not
    help), so this process (the load's, big already) never imports matplotlib. cache: a folder
    keeping the charts of the last report; those whose data did not change are not drawn again
    (an empty file: no chart)."""
    jobs = chart_jobs(figures)
    keys = {name: chart_key(name, args) for name, args in jobs} if cache else {}
    drawn: dict = {}
    for name, key in keys.items():
        if (cache / key).exists():
            drawn[name] = (cache / key).read_text(encoding="utf-8") or None
    todo = [job for job in jobs if job[0] not in drawn]
    fed = [(worker, part) for worker, part in zip(workers, split(todo, len(workers))) if part]
    if fed:   # workers left without charts are stopped by render_html
        with ThreadPoolExecutor(len(fed)) as threads:   # the threads only feed and wait on the workers
            for part in threads.map(_collect, *zip(*fed)):
                drawn.update(part)
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
        for name, _ in todo:
            files.atomic_write(cache / keys[name], drawn[name] or "")
        for old in cache.iterdir():
            if old.name not in keys.values():
                old.unlink(missing_ok=True)
    return {name: drawn[name] for name, _ in jobs}


def render_html(bi_path: Path, generated_at: dt.datetime | None = None,
                chart_cache: Path | None = None, worker_count: int | None = None) -> tuple[str, dict]:
    """(the page, its figures) for a bi.duckdb file: pure apart from reading that file (and the
    chart cache, when given). worker_count: chart workers (default: chart_workers())."""
    workers = start_chart_workers(worker_count or chart_workers())
    try:
        figures = read_figures(bi_path)
        figures["generated_at"] = (generated_at or dt.datetime.now()).isoformat(sep=" ", timespec="seconds")
        figures["coordinates_source"] = geo.source() if figures["poverty_commune"] is not None else None
        charts = make_charts(figures, workers, chart_cache)
    finally:
        for worker in workers:   # after a failure, or with nothing to draw: no worker left waiting
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    return render.render(figures, charts), figures


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
    files.remove_stale_temps(out)
    worker_count = chart_workers()
    page, figures = render_html(bi, generated_at, out / CHART_CACHE, worker_count)
    html_path = out / HTML_NAME
    files.atomic_write(html_path, page)
    result = ReportResult(html=html_path, figures=figures, chart_workers=worker_count)
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
