"""The report stage's speed and memory levers keep the report the same: charts drawn by worker
processes (concurrent.futures) equal charts drawn in this process, byte for byte; unchanged
charts come from the last report's cache; the memory helper runs here."""
from __future__ import annotations

import base64
import datetime as dt
import os
import sys

import pytest
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

    write_bi(tmp_path / "bi.duckdb")
    figures = build.read_figures(tmp_path)
    figures["coordinates_source"] = "vietnamadminunits"
    jobs = build.chart_jobs(figures)
    assert {name for name, _ in jobs} >= {"poverty_commune_ranked", "poverty_commune_map", "completeness"}
    here = charts.draw(jobs)
    assert sum(svg is not None for svg in here.values()) >= 8
    with build.chart_pool(2) as workers:                 # worker processes, byte for byte
        assert build.make_charts(figures, workers) == here
    few = [job for job in jobs if job[0] in ("poverty_province", "rejected_by_unit")]
    with build.chart_pool(1) as workers:                 # one worker draws them all
        assert workers.draw(few) == {name: here[name] for name, _ in few}


def test_the_report_process_never_imports_matplotlib(tmp_path):
    """The load's process is big already: reading the figures, naming the charts, handing them to
    the workers and rendering the page import no matplotlib (only the workers do)."""
    import subprocess

    write_bi(tmp_path / "w" / "bi.duckdb")
    code = ("import sys\n"
            "from pathlib import Path\n"
            "from pipeline.report import build, chart_worker, render\n"
            f"figures = build.read_figures(Path({str(tmp_path / 'w')!r}))\n"
            "figures.update(generated_at='2025-03-20 07:00:00', coordinates_source=None, source='bi.duckdb')\n"
            "jobs = build.chart_jobs(figures)\n"
            "keys = [build.chart_key(*job) for job in jobs]\n"
            "page = render.render(figures, {name: None for name, _ in jobs})\n"
            "print(len(keys), 'report-data' in page, 'matplotlib' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=os.path.dirname(os.path.dirname(build.__file__)))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["10", "True", "False"]


def test_the_workers_share_the_charts_evenly():
    jobs = [(name, ()) for name in build.CHART_COST] + [("rejected_by_reason", ()), ("rejected_by_unit", ())]
    groups = build.split(jobs, 2)
    assert sorted(name for group in groups for name, _ in group) == sorted(name for name, _ in jobs)
    cost = [sum(build.CHART_COST.get(name, 1) for name, _ in group) for group in groups]
    assert abs(cost[0] - cost[1]) <= 2
    assert build.split(jobs[:1], 2) == [jobs[:1], []]    # a worker with nothing to draw gets no task


def test_a_worker_that_fails_raises_with_its_error():
    with build.chart_pool(1) as workers:
        with pytest.raises(RuntimeError, match="drawing the charts failed: ValueError: no such chart: no_such_chart"):
            workers.draw([("no_such_chart", ())])


def test_unchanged_charts_come_from_the_last_report(tmp_path):
    """The chart cache: a second report of the same data draws nothing (a chart planted in the
    cache shows up), other data gives the page a report without cache gives, and entries no
    chart uses any more are removed."""
    def page(warehouse) -> str:
        return build.build_report(warehouse, with_pdf=False, with_dictionary=False,
                                  generated_at=GENERATED).html.read_text(encoding="utf-8")

    warehouse = tmp_path / "warehouse"
    write_bi(warehouse / "bi.duckdb")
    first = page(warehouse)
    cache = warehouse / "report" / build.CHART_CACHE
    figures = build.read_figures(warehouse)
    figures["coordinates_source"] = geo.source()
    jobs = build.chart_jobs(figures)
    assert sorted(p.name for p in cache.iterdir()) == sorted(build.chart_key(*job) for job in jobs)
    assert build.make_charts(figures, None, cache)["poverty_commune_ranked"]   # all cached: no worker needed

    planted = cache / build.chart_key(*next(job for job in jobs if job[0] == "poverty_commune_ranked"))
    svg = planted.read_text(encoding="utf-8")
    planted.write_text(svg.replace("</svg>", "<!-- planted --></svg>"), encoding="utf-8")
    again = page(warehouse)
    assert again != first and again == first.replace(_b64(svg), _b64(svg.replace("</svg>", "<!-- planted --></svg>")))

    write_bi(tmp_path / "other" / "bi.duckdb", empty=True)   # other data: none at all
    os.replace(tmp_path / "other" / "bi.duckdb", warehouse / "bi.duckdb")
    write_bi(tmp_path / "fresh" / "bi.duckdb", empty=True)
    assert page(warehouse) == page(tmp_path / "fresh")
    assert not planted.exists()
    assert len(list(cache.iterdir())) == len(build.chart_jobs(build.read_figures(warehouse)))


def _b64(svg: str) -> str:
    return base64.b64encode(svg.encode("utf-8")).decode("ascii")


def test_a_second_chart_worker_only_when_a_core_is_spare():
    assert build.chart_workers(cores=2, others_running=0) == 2      # only this process, and it waits
    assert build.chart_workers(cores=2, others_running=1) == 1      # someone else holds a core
    assert build.chart_workers(cores=1, others_running=0) == 1
    assert build.chart_workers(cores=8, others_running=5) == 2
    assert build.chart_workers(cores=8, others_running=7) == 1
    # the runnable count from /proc/loadavg's 4th field, which counts the asking process too
    assert build._others_running("0.52 0.58 0.59 1/467 12345\n") == 0
    assert build._others_running("2.10 1.80 1.20 4/467 12345\n") == 3
    assert build._others_running("") is None and build._others_running("0.5 0.5 0.5 x/1 1") is None
    if sys.platform.startswith("linux"):                            # read from the kernel here
        assert isinstance(build._others_running(), int)


@pytest.mark.slow   # a real CLI load with its report, and Chromium
def test_chromium_never_runs_beside_the_loads_process(tmp_path):
    """`python -m pipeline load` loads in a child process and builds the report once that child has exited:
    whenever Chromium runs, the load's process (Dagster, dbt, the load's data) is gone, and the process tree is
    the report's process and Chromium only."""
    import shutil
    import subprocess
    import time

    import psutil
    from runner import REPO

    sources = tmp_path / "sources"
    sources.mkdir()
    for name in ("bao_cao_116_2021_01.xlsx", "bao_cao_116_2021_02.xlsx"):
        shutil.copy(REPO / "sources" / "demo" / "116" / "2021" / name, sources)
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
    env.pop("DAGSTER_HOME", None)
    load = psutil.Popen([sys.executable, "-m", "pipeline", "load", "--sources", str(sources), "--warehouse",
                         str(tmp_path / "warehouse")], cwd=REPO, env=env, stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT)
    loaders, beside_chromium = set(), []
    while load.poll() is None:
        try:
            family = load.children(recursive=True)
            commands = {p.pid: p.cmdline() for p in family}
        except psutil.NoSuchProcess:
            continue
        loaders |= {pid for pid, command in commands.items() if "pipeline" in command and "load" in command}
        if any(command and "chromium" in command[0] for command in commands.values()):
            beside_chromium.append({pid for pid, command in commands.items() if command and "chromium" not in command[0]})
        time.sleep(0.02)
    output = load.stdout.read().decode()
    assert load.returncode == 0, output[-3000:]
    assert "report PDF: " in output and loaders, output[-3000:]   # the load ran in a child process
    assert beside_chromium, "Chromium was never seen: no PDF printed?"
    assert all(not (others & loaders) for others in beside_chromium), beside_chromium
