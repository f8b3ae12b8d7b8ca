"""The report stage's speed and memory levers keep the report the same: charts drawn by worker
processes equal charts drawn in this process, byte for byte; the memory helper runs here."""
from __future__ import annotations

import base64
import datetime as dt
import os
import sys

from bi_small import write_bi

from pipeline import memory
from pipeline.report import build, geo

GENERATED = dt.datetime(2025, 3, 20, 7, 0)


def test_memory_release_gives_rss_before_and_after():
    before, after = memory.release()
    assert before > 0 and after > 0
    if sys.platform.startswith("linux"):
        assert memory._malloc_trim() is not None   # glibc here: the heap is trimmed, not only collected


def test_charts_drawn_by_the_workers_equal_charts_drawn_here(tmp_path):
    from pipeline.report import charts

    figures = build.read_figures(write_bi(tmp_path / "bi.duckdb", commune_mart=True))
    figures["coordinates_source"] = "vietnamadminunits"
    jobs = build.chart_jobs(figures)
    assert {name for name, _ in jobs} >= {"poverty_commune_ranked", "poverty_commune_map", "completeness"}
    here = charts.draw(jobs)
    assert sum(svg is not None for svg in here.values()) >= 8
    for count in (1, 2):                                 # worker processes, byte for byte
        assert build.make_charts(figures, build.start_chart_workers(count)) == here


def test_the_workers_share_the_charts_evenly():
    jobs = [(name, ()) for name in build.CHART_COST] + [("rejected_by_reason", ()), ("rejected_by_unit", ())]
    groups = build.split(jobs, 2)
    assert sorted(name for group in groups for name, _ in group) == sorted(name for name, _ in jobs)
    cost = [sum(build.CHART_COST.get(name, 1) for name, _ in group) for group in groups]
    assert abs(cost[0] - cost[1]) <= 2
    assert build.split(jobs[:1], 2) == [jobs[:1], []]    # a worker with nothing to draw returns {}


def test_a_worker_that_fails_raises_with_its_error():
    import pytest

    workers = build.start_chart_workers(1)
    with pytest.raises(RuntimeError, match="(?s)drawing the charts failed.*no_such_chart"):
        build._collect(workers[0], [("no_such_chart", ())])


def test_unchanged_charts_come_from_the_last_report(tmp_path):
    """The chart cache: a second report of the same data draws nothing (a chart planted in the
    cache shows up), other data gives the page a report without cache gives, and entries no
    chart uses any more are removed."""
    def page(warehouse) -> str:
        return build.build_report(warehouse, with_pdf=False, with_dictionary=False,
                                  generated_at=GENERATED).html.read_text(encoding="utf-8")

    warehouse = tmp_path / "warehouse"
    write_bi(warehouse / "bi.duckdb", commune_mart=True)
    first = page(warehouse)
    cache = warehouse / "report" / build.CHART_CACHE
    figures = build.read_figures(warehouse / "bi.duckdb")
    figures["coordinates_source"] = geo.source()
    jobs = build.chart_jobs(figures)
    assert sorted(p.name for p in cache.iterdir()) == sorted(build.chart_key(*job) for job in jobs)
    assert build.make_charts(figures, [], cache)["poverty_commune_ranked"]   # all cached: no worker needed

    planted = cache / build.chart_key(*next(job for job in jobs if job[0] == "poverty_commune_ranked"))
    svg = planted.read_text(encoding="utf-8")
    planted.write_text(svg.replace("</svg>", "<!-- planted --></svg>"), encoding="utf-8")
    again = page(warehouse)
    assert again != first and again == first.replace(_b64(svg), _b64(svg.replace("</svg>", "<!-- planted --></svg>")))

    write_bi(tmp_path / "other" / "bi.duckdb")             # other data, without the commune mart
    os.replace(tmp_path / "other" / "bi.duckdb", warehouse / "bi.duckdb")
    write_bi(tmp_path / "fresh" / "bi.duckdb")
    assert page(warehouse) == page(tmp_path / "fresh")
    assert not planted.exists()
    assert len(list(cache.iterdir())) == len(build.chart_jobs(build.read_figures(warehouse / "bi.duckdb")))


def _b64(svg: str) -> str:
    return base64.b64encode(svg.encode("utf-8")).decode("ascii")


def test_a_second_chart_worker_only_when_a_core_is_spare():
    assert build.chart_workers(cores=2, others_running=0) == 2      # only this process, and it waits
    assert build.chart_workers(cores=2, others_running=1) == 1      # someone else holds a core
    assert build.chart_workers(cores=1, others_running=0) == 1
    assert build.chart_workers(cores=8, others_running=5) == 2
    assert build.chart_workers(cores=8, others_running=7) == 1
    assert build._others_running() is None or build._others_running() >= 0
