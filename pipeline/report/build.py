"""Build the provincial report of one warehouse: <warehouse>/report/index.html, report.pdf and
data-dictionary.html. Called by the Dagster asset provincial_report and `python -m pipeline report`.

Figures are selected from the reporting layer of what BI reads (bi.duckdb read-only, so BI users
and the report never block each other; or the marts schema of a PostgreSQL warehouse); the
charts are drawn by worker processes (concurrent.futures), the unchanged ones taken from the
last report; each file is written whole or not at all (pipeline/files.py).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib.metadata
import multiprocessing
import os
import pickle
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from pipeline import files, memory
from pipeline.report import chart_worker, dictionary, geo, pdf, queries, render
from pipeline.warehouse import store

REPORT_DIR = "report"
HTML_NAME, PDF_NAME, DICTIONARY_NAME = "index.html", "report.pdf", "data-dictionary.html"
CHART_CACHE = ".charts"   # in the report folder: the last report's charts, by chart_key
# what a chart's drawing depends on besides its data (chart_key)
CHART_SOURCES = ("charts.py", "fmt.py", "labels.py")


class ReportError(RuntimeError):
    """The report cannot be built here (no published warehouse, or one without the reporting layer)."""


@dataclass
class ReportResult:
    html: Path
    figures: dict
    pdf: Path | None = None
    dictionary: Path | None = None
    skipped: dict[str, str] = field(default_factory=dict)   # what was not written, and why
    memory_mb: tuple[float, float] | None = None   # this process's RSS before/after memory.release()
    chart_workers: int = 1

    def written(self) -> str:
        """What was written, for a phase line: 'report, PDF, data dictionary'."""
        made = [label for label, path in (("report", self.html), ("PDF", self.pdf), ("data dictionary", self.dictionary))
                if path is not None]
        return ", ".join(made)

    def lines(self) -> list[str]:
        out = [f"  report: {self.html}"]
        out.append(f"  report PDF: {self.pdf}" if self.pdf else f"  report PDF: not written ({self.skipped.get('pdf', '')})")
        out.append(f"  data dictionary: {self.dictionary}" if self.dictionary
                   else f"  data dictionary: not written ({self.skipped.get('dictionary', '')})")
        return out


def report_dir(warehouse_dir: Path) -> Path:
    return warehouse_dir / REPORT_DIR


def published_version(warehouse_dir: Path, url: str | None = None) -> str | None:
    """The version of the warehouse now published (the ledger and the transformation code it was built
    from, pipeline/warehouse/state.py), from the internal warehouse; None where it cannot be told
    (no internal warehouse here, or a load is writing it)."""
    if not url and not store.internal_path(warehouse_dir).exists():
        return None
    try:
        con = store.connect(warehouse_dir, read_only=True, url=url)
    except Exception:   # a load holds the DuckDB file: it cannot be told now
        return None
    try:
        return store.get_state(con, "published_version")
    except Exception:   # a warehouse from before the ledger's state table, a database without raw
        return None
    finally:
        con.close()


def is_current(warehouse_dir: Path, url: str | None = None) -> bool:
    """True when the report was built from the warehouse published now (a load with nothing new to
    publish needs no new report)."""
    version = published_version(warehouse_dir, url)
    return version is not None and files.is_built_from(report_dir(warehouse_dir) / HTML_NAME, version)


def read_figures(warehouse_dir: Path, url: str | None = None) -> dict:
    """Every figure of the report, from bi.duckdb in warehouse_dir or the PostgreSQL warehouse at url."""
    con = store.connect_published(warehouse_dir, url)
    try:
        return queries.collect(con)
    except queries.NoReportingLayer as missing:
        raise ReportError(str(missing)) from None
    finally:
        con.close()


# -- charts --------------------------------------------------------------------------------------

# Seconds each chart took to draw on the benchmark workload (tenths): the split between workers
CHART_COST = {"poverty_commune_ranked": 10, "completeness": 7, "grants_by_month": 5, "poverty_district": 4,
              "poverty_commune_map": 3, "houses_cost": 2, "houses_by_year": 2, "poverty_province": 2}
CHART_WORKERS = 2


def chart_jobs(figures: dict) -> list[tuple[str, tuple]]:
    """(chart of charts.py, its arguments) for each chart of the page. Plain data, for a worker process."""
    labels = figures["labels"]
    jobs = [
        ("poverty_province", (figures["poverty_province"],)),
        ("poverty_district", (figures["poverty_district"],)),
        ("houses_by_year", (figures["houses_by_year"], labels)),
        ("houses_cost", (figures["houses_by_year"], labels)),
        ("grants_by_month", (figures["grants_by_month"], labels)),
        ("completeness", (figures["completeness"], labels)),
        ("rejected_by_reason", (figures["rejected_by_reason"],)),
        ("rejected_by_unit", (figures["rejected_by_unit"],)),
    ]
    if figures["poverty_commune"]:
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


def _others_running(loadavg: str | None = None) -> int | None:
    """Runnable processes besides this one: /proc/loadavg's 4th field ('3/512': runnable/all)
    counts this one too. None where there is no such file (not Linux) or it cannot be read."""
    try:
        if loadavg is None:
            loadavg = Path("/proc/loadavg").read_text()
        running = int(loadavg.split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):   # not Linux: say nothing, one worker
        return None
    return max(0, running - 1)


@dataclass
class ChartWorkers:
    """Worker processes drawing the charts (concurrent.futures); the jobs are split between them."""
    executor: ProcessPoolExecutor
    count: int

    def draw(self, jobs: list) -> dict[str, str | None]:
        parts = [part for part in split(jobs, self.count) if part]
        drawn: dict[str, str | None] = {}
        for future in [self.executor.submit(chart_worker.draw, part) for part in parts]:
            try:
                drawn.update(future.result())
            except Exception as error:   # the worker's own exception, with its message
                raise RuntimeError(f"drawing the charts failed: {type(error).__name__}: {error}") from error
        return drawn


@contextlib.contextmanager
def chart_pool(count: int) -> Iterator[ChartWorkers]:
    """`count` fresh Pythons (spawned: nothing of this big process is copied, and it never imports
    matplotlib itself) that start importing matplotlib at once, while this process reads the figures."""
    executor = ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("spawn"))
    try:
        for _ in range(count):
            executor.submit(chart_worker.ready)
        yield ChartWorkers(executor, count)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def chart_key(name: str, args: tuple) -> str:
    """Names a chart by everything that draws it: its data, the drawing code, matplotlib's version."""
    digest = hashlib.sha256(importlib.metadata.version("matplotlib").encode())
    for source in CHART_SOURCES:
        digest.update(Path(__file__).with_name(source).read_bytes())
    digest.update(pickle.dumps((name, args)))
    return digest.hexdigest()[:32]


def make_charts(figures: dict, workers: ChartWorkers | None, cache: Path | None = None) -> dict[str, str | None]:
    """Every chart as SVG text, drawn by the workers (matplotlib is CPU-bound: threads would not
    help). cache: a folder keeping the charts of the last report; those whose data did not
    change are not drawn again (an empty file: no chart); entries no chart uses any more go."""
    jobs = chart_jobs(figures)
    keys = {name: chart_key(name, args) for name, args in jobs} if cache else {}
    drawn: dict[str, str | None] = {}
    for name, key in keys.items():
        if (cache / key).exists():
            drawn[name] = (cache / key).read_text(encoding="utf-8") or None
    todo = [job for job in jobs if job[0] not in drawn]
    if todo:
        if workers is None:
            raise RuntimeError(f"{len(todo)} chart(s) to draw and no chart workers")
        drawn.update(workers.draw(todo))
    if cache:
        for name, _ in todo:
            files.atomic_write(cache / keys[name], drawn[name] or "")
        for old in cache.iterdir():
            if old.name not in keys.values():
                old.unlink(missing_ok=True)
    return {name: drawn[name] for name, _ in jobs}


# -- the page and the files ------------------------------------------------------------------------

def render_html(warehouse_dir: Path, generated_at: dt.datetime | None = None, chart_cache: Path | None = None,
                worker_count: int | None = None, url: str | None = None) -> tuple[str, dict]:
    """(the page, its figures) for a warehouse: pure apart from reading it (and the chart cache,
    when given). worker_count: chart workers (default: chart_workers())."""
    with chart_pool(worker_count or chart_workers()) as workers:
        figures = read_figures(warehouse_dir, url)
        figures["generated_at"] = (generated_at or dt.datetime.now()).isoformat(sep=" ", timespec="seconds")
        figures["coordinates_source"] = geo.source() if figures["poverty_commune"] else None
        figures["source"] = "postgresql" if url else "bi.duckdb"
        charts = make_charts(figures, workers, chart_cache)
    return render.render(figures, charts), figures


def build_report(warehouse_dir: Path, *, url: str | None = None, with_pdf: bool = True,
                 with_dictionary: bool = True, as_of: dt.date | None = None,
                 generated_at: dt.datetime | None = None, dictionary_if_changed: bool = False) -> ReportResult:
    """Write the report of this warehouse (url: the PostgreSQL warehouse it is in). The PDF and
    the data dictionary are skipped (and said so in the result) when there is no Chromium or no
    internal DuckDB warehouse; other failures raise. dictionary_if_changed: keep a data dictionary
    that still describes this project (the load's asset)."""
    if not url and not store.bi_path(warehouse_dir).exists():
        raise ReportError(f"no published warehouse at {store.bi_path(warehouse_dir)}: run `python -m pipeline load` first")
    out = report_dir(warehouse_dir)
    out.mkdir(parents=True, exist_ok=True)
    files.remove_stale_temps(out)
    version = published_version(warehouse_dir, url)   # before the figures are read: never newer than they are
    files.forget_built(out / HTML_NAME)
    worker_count = chart_workers()
    page, figures = render_html(warehouse_dir, generated_at, out / CHART_CACHE, worker_count, url)
    html_path = files.atomic_write(out / HTML_NAME, page)
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
    if not with_dictionary:
        result.skipped["dictionary"] = "not asked for"
    elif url:
        result.skipped["dictionary"] = "made from the DuckDB warehouse's dbt catalog; this warehouse is on PostgreSQL"
    else:
        try:
            result.dictionary = dictionary.generate(warehouse_dir, out / DICTIONARY_NAME, as_of,
                                                   if_changed=dictionary_if_changed)
        except dictionary.DictionaryUnavailable as missing:
            result.skipped["dictionary"] = str(missing)
    if version is not None:
        files.mark_built(html_path, version)
    return result
