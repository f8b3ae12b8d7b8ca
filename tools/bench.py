"""The benchmark: `python -m tools.bench [--scale 1] [--eras district|all] [--growth 1,2,4] [--repeat 3] [--logs DIR] [--out FILE]`

Generates the workload once (tools.bench_data) into a temporary folder, then measures, each in its
own subprocess (wall time; peak memory of the largest process and of the whole process tree, the
maximum over time of their RSS polled every 50 ms), on the district era (12 districts x 2020-01 ..
2025-03, comparable with earlier runs: the main table):

1. the floor: a bare python-calamine read of every sheet of every file;
2. the peer: `pandas.read_excel(path, sheet_name=None)` (default engine) over every file, straight
   into DuckDB tables, no validation;
3. full backfill: `python -m pipeline load --no-report` into an empty warehouse (ingest + rules +
   dbt + publish: the load ends when the warehouse is published);
4. the report of it, on its own: `python -m pipeline report` (charts, HTML, PDF through Chromium,
   the data dictionary), what the load starts once it has published;
5. nothing new: a second load;
6. one new file added after the backfill;

then (--eras all, the default) the same six on the full history: the district era's files and the
commune era (75 communes x 2025-07 .. 2026-10) in one sources folder, the new file being one
commune's last month; and last

7. growth (district era): the backfill at scale 1, 2 and 4 -> time per row (scale multiplies rows per file).

--repeat N runs every measurement N times, round by round (each round: floor, peer, then the
pipeline's steps, so the peer and the pipeline see the same machine), and reports medians (this
2-core box, shared, varies by seconds from run to run). The load average before and after is printed.
--report-inline: measure code from before the report left the load (its `load` has no --no-report
and builds the report itself; no report line).

Prints a markdown table (its first column names the workload) and writes it to --out.
No assertion: it reports.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

PY = sys.executable

FLOOR = """
import sys, pathlib
from python_calamine import CalamineWorkbook
for p in sorted(pathlib.Path(sys.argv[1]).rglob("*.xlsx")):
    wb = CalamineWorkbook.from_path(str(p))
    for n in wb.sheet_names:
        wb.get_sheet_by_name(n).to_python()
"""

PEER = """
import sys, pathlib, duckdb, pandas as pd
con = duckdb.connect(sys.argv[2])
made = {}   # table -> its columns
for p in sorted(pathlib.Path(sys.argv[1]).rglob("*.xlsx")):
    for name, frame in pd.read_excel(p, sheet_name=None).items():
        table = {"Thông tin": "cover", "Nhà ở": "houses", "Hỗ trợ": "grants", "Hộ nghèo": "poverty"}[name]
        frame = frame.astype(str)
        frame.columns = [f"c{i}" for i in range(len(frame.columns))]
        con.register("f", frame)
        if table in made:
            for column in set(frame.columns) - made[table]:   # a wider sheet than the first one (never in the district era)
                con.execute(f"alter table {table} add column {column} varchar")
                made[table].add(column)
            con.execute(f"insert into {table} by name select * from f")
        else:
            con.execute(f"create table {table} as select * from f")
            made[table] = set(frame.columns)
        con.unregister("f")
con.close()
"""


LOGS: Path | None = None   # --logs: keep each step's output there (its progress lines are the profile)
REPORT_INLINE = False      # --report-inline: the load builds the report itself (code from before it left the load)


@dataclass
class Run:
    """One measured subprocess."""

    wall: float          # seconds
    largest: float       # MB: peak RSS of the largest single process of the tree
    tree: float          # MB: peak of the summed RSS of the whole tree
    code: int            # exit code


def measure(args: list[str], env: dict | None = None, name: str = "step") -> Run:
    started = time.perf_counter()
    env = {k: v for k, v in {**os.environ, **(env or {})}.items() if k != "DAGSTER_HOME"}   # ephemeral instance
    out = open(LOGS / f"{name}.log", "a") if LOGS else subprocess.DEVNULL
    proc = psutil.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT if LOGS else subprocess.DEVNULL)
    tree = largest = 0
    while proc.poll() is None:
        total = 0
        try:
            for p in [proc, *proc.children(recursive=True)]:
                try:
                    rss = p.memory_info().rss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                total += rss
                largest = max(largest, rss)
        except psutil.NoSuchProcess:
            pass
        tree = max(tree, total)
        time.sleep(0.05)
    if LOGS:
        out.close()
    return Run(time.perf_counter() - started, largest / 2**20, tree / 2**20, proc.returncode)


def load(sources: Path, warehouse: Path, name: str = "load") -> Run:
    extra = [] if REPORT_INLINE else ["--no-report"]
    return measure([PY, "-m", "pipeline", "load", "--sources", str(sources), "--warehouse", str(warehouse), *extra],
                   name=name)


def report(warehouse: Path, name: str = "report") -> Run:
    return measure([PY, "-m", "pipeline", "report", "--warehouse", str(warehouse)], name=name)


def median(runs: list[Run]) -> Run:
    """The median of each figure over the runs (a failed run is no timing: it is kept out, and its exit
    code shown)."""
    good = [r for r in runs if r.code == 0] or runs
    failed = next((r.code for r in runs if r.code != 0), 0)
    return Run(statistics.median(r.wall for r in good), statistics.median(r.largest for r in good),
               statistics.median(r.tree for r in good), failed)


def hold_back(data: Path, unit_dir: Path, work: Path) -> tuple[Path, Path, int]:
    """Move the last month of one unit out of the sources: (its place, where it waits, its data rows)."""
    from python_calamine import CalamineWorkbook

    held = sorted(unit_dir.glob("*.xlsx"))[-1]
    spare = work / "held" / held.name
    spare.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(held, spare)
    book = CalamineWorkbook.from_path(str(spare))
    return held, spare, sum(len(book.get_sheet_by_name(n).to_python()) - 1 for n in book.sheet_names[1:])


STEPS = ("floor", "peer", "backfill", "report", "nothing_new", "one_new")


def measure_workload(data: Path, work: Path, held: Path, spare: Path, say, tag: str = "", repeat: int = 1) -> dict:
    """floor, peer, backfill, its report, nothing new, then the held-back file: one workload's
    measurements, `repeat` rounds, medians (log names prefixed with tag)."""
    runs: dict[str, list[Run]] = {step: [] for step in STEPS}
    warehouse = work / f"{tag}warehouse"
    for round_ in range(1, repeat + 1):
        say(f"{tag}round {round_}/{repeat}: floor, peer ...")
        runs["floor"].append(measure([PY, "-c", FLOOR, str(data)], name=f"{tag}floor"))
        shutil.rmtree(work / f"{tag}peer.duckdb", ignore_errors=True)
        (work / f"{tag}peer.duckdb").unlink(missing_ok=True)
        runs["peer"].append(measure([PY, "-c", PEER, str(data), str(work / f"{tag}peer.duckdb")], name=f"{tag}peer"))
        say(f"{tag}round {round_}/{repeat}: pipeline backfill, report, nothing new, one new file ...")
        shutil.rmtree(warehouse, ignore_errors=True)
        runs["backfill"].append(load(data, warehouse, f"{tag}backfill"))
        if not REPORT_INLINE:
            runs["report"].append(report(warehouse, f"{tag}report"))
        runs["nothing_new"].append(load(data, warehouse, f"{tag}nothing_new"))
        shutil.move(spare, held)
        runs["one_new"].append(load(data, warehouse, f"{tag}one_new"))
        shutil.move(held, spare)   # out again for the next round's backfill
    shutil.move(spare, held)
    return {step: median(found) for step, found in runs.items() if found}


def run(scale: int, work: Path, say, repeat: int = 1) -> dict:
    """The district era (12 districts x 2020-01 .. 2025-03): the main table, comparable over time."""
    from tools import bench_data

    data = work / "sources"
    say("generating the workload ...")
    counts = bench_data.generate(data, scale=scale)
    # hold one file back for the "one new file" measurement: the last month of one district
    held, spare, held_rows = hold_back(data, data / "116", work)
    results: dict = {"scale": scale, "generated": counts, "repeat": repeat,
                     "counts": dict(counts, files=counts["files"] - 1, rows=counts["rows"] - held_rows)}
    results.update(measure_workload(data, work, held, spare, say, repeat=repeat))
    return results


def run_history(scale: int, work: Path, district: dict, say, repeat: int = 1) -> dict:
    """The full history: the district era's files (all back in place after run()) and the commune era
    (75 communes x 2025-07 .. 2026-10) in one sources folder; one commune's last month held back.
    district: the district era's generated counts."""
    from tools import bench_data

    data = work / "sources"
    shutil.rmtree(work / "warehouse", ignore_errors=True)   # the district era's: disk, not needed any more
    say("generating the commune era into the same sources ...")
    communes = bench_data.generate_communes(data, scale=scale)
    first = bench_data.load_communes_2025_07()[0][0]
    held, spare, held_rows = hold_back(data, data / bench_data.COMMUNE_DIR / first, work)
    counts = {k: district[k] + communes[k] for k in district}
    results: dict = {"counts": dict(counts, files=counts["files"] - 1, rows=counts["rows"] - held_rows),
                     "commune_files": communes["files"], "commune_rows": communes["rows"]}
    results.update(measure_workload(data, work, held, spare, say, tag="history_", repeat=repeat))
    return results


def growth(scale: int, work: Path, say, repeat: int = 1) -> tuple[int, Run]:
    from tools import bench_data

    data = work / f"sources_x{scale}"
    say(f"growth: generating scale {scale} ...")
    counts = bench_data.generate(data, scale=scale)
    runs = []
    for round_ in range(1, repeat + 1):
        say(f"growth: backfill at scale {scale}, round {round_}/{repeat} ...")
        shutil.rmtree(work / f"warehouse_x{scale}", ignore_errors=True)
        runs.append(load(data, work / f"warehouse_x{scale}", f"backfill_x{scale}"))
    shutil.rmtree(data, ignore_errors=True)
    shutil.rmtree(work / f"warehouse_x{scale}", ignore_errors=True)
    return counts["rows"], median(runs)


def _describe(name: str, counts: dict) -> str:
    return (f"**{name}**: {counts['files']} files, {counts['rows']:,} rows ({counts['houses']:,} houses, "
            f"{counts['grants']:,} grants, {counts['poverty']:,} poverty)")


def _line(workload: str, what: str, r: Run, rows: int | None, note: str) -> str:
    rate = f"{rows / r.wall:,.0f}" if rows else ""
    return (f"| {workload} | {what} | {r.wall:.1f} | {r.largest:.0f} | {r.tree:.0f} | {rate} | exit {r.code}"
            f"{'' if r.code == 0 else ': FAILED, not a timing'}{'; ' + note if note else ''} |")


def _rows(workload: str, r: dict, unit: str) -> list[str]:
    rows = r["counts"]["rows"]
    load_what = "load, report included" if REPORT_INLINE else "load to publish"
    lines = [
        _line(workload, f"full backfill (`python -m pipeline load`, empty warehouse): {load_what}", r["backfill"], rows,
              "ingest + rules + dbt build + publish" + (" + report" if REPORT_INLINE else "")),
    ]
    if "report" in r:
        lines.append(_line(workload, "its report (`python -m pipeline report`, a process of its own)", r["report"],
                           None, "charts, HTML, PDF (Chromium), data dictionary"))
    lines += [
        _line(workload, "floor: bare python-calamine read of every sheet", r["floor"], rows, ""),
        _line(workload, "peer: `pandas.read_excel` → DuckDB, no validation", r["peer"], rows, ""),
        _line(workload, "nothing new (second load)", r["nothing_new"], None, "no dbt, no GX, no file read"),
        _line(workload, f"one new {unit} file after the backfill", r["one_new"], None,
              "ingest 1 file + dbt build of what it changed + publish" + (" + report" if REPORT_INLINE else "")),
    ]
    return lines


def _ratios(workload: str, r: dict) -> list[str]:
    bf, fl, pe = r["backfill"].wall, r["floor"].wall, r["peer"].wall
    return [
        f"- {workload}: peer / pipeline: **{pe / bf:.2f}×** (target ≥ 5×)",
        f"- {workload}: pipeline / floor: **{bf / fl:.2f}×** (stretch ≤ 3×)",
        f"- {workload}: one new file / backfill: **{r['one_new'].wall / bf:.0%}** (target ≤ 25 %); nothing new "
        f"{r['nothing_new'].wall:.1f} s (target ≤ 3 s)",
    ]


def table(r: dict, grow: list[tuple[int, int, Run]], history: dict | None = None, load_average: str = "") -> str:
    """The district era first (comparable with earlier runs), then the full history when measured."""
    lines = [
        f"Machine: {platform.machine()}, {psutil.cpu_count(logical=True)} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; scale {r['scale']}; medians of {r.get('repeat', 1)} run(s), "
        f"peer and pipeline interleaved round by round{'; load average ' + load_average if load_average else ''}.",
        "",
        f"- {_describe('district era', r['counts'])}: 12 districts × 2020-01 … 2025-03, one district's last "
        "month held back for the one-new-file step.",
    ]
    if history:
        lines.append(f"- {_describe('full history', history['counts'])}: the district era's files and the commune "
                     f"era ({history['commune_files']} files, {history['commune_rows']:,} rows: 75 communes × "
                     "2025-07 … 2026-10) in one sources folder, one commune's last month held back.")
    lines += ["", "| workload | measurement | wall (s) | peak memory, largest process (MB) | peak memory, "
              "process tree (MB) | throughput (rows/s) | note |", "|---|---|---:|---:|---:|---:|---|",
              *_rows("district era", r, "district")]
    if history:
        lines += _rows("full history", history, "commune")
    lines += ["", *_ratios("district era", r), *(_ratios("full history", history) if history else [])]
    if grow:
        lines += ["", "| growth (district era): backfill at scale | rows | wall (s) | peak, largest process (MB) | "
                  "peak, tree (MB) | µs per row | vs scale 1 | note |", "|---:|---:|---:|---:|---:|---:|---:|---|"]
        base = grow[0][2].wall / grow[0][1]
        for scale, n, g in grow:
            lines.append(f"| {scale} | {n:,} | {g.wall:.1f} | {g.largest:.0f} | {g.tree:.0f} | {g.wall / n * 1e6:.1f} | "
                         f"{(g.wall / n) / base:.2f}× | exit {g.code}{'' if g.code == 0 else ': FAILED, not a timing'} |")
        per_row = {scale: g.wall / n for scale, n, g in grow if g.code == 0}   # a failed load is no timing
        if 2 in per_row and 4 in per_row:
            lines += ["", f"- time per row, scale 4 / scale 2: **{per_row[4] / per_row[2]:.2f}×** (target: flat or "
                          "falling, ≤ 1.00×)"]
    return "\n".join(lines) + "\n"


def _load_average() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench/results/latest.md"))
    parser.add_argument("--growth", default="1,2,4", help="scales for the growth curve ('' to skip)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of every measurement; medians are reported")
    parser.add_argument("--logs", type=Path, help="keep each step's output (progress lines) in this folder")
    parser.add_argument("--eras", choices=("district", "all"), default="all",
                        help="the district era only (quick), or also the full history with the commune era (default)")
    parser.add_argument("--report-inline", action="store_true",
                        help="code from before the report left the load: its load builds the report (no --no-report)")
    args = parser.parse_args(argv)
    global LOGS, REPORT_INLINE
    REPORT_INLINE = args.report_inline
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
        LOGS = args.logs

    def say(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message} (load average {_load_average()})", file=sys.stderr, flush=True)

    before = _load_average()
    with tempfile.TemporaryDirectory(prefix="pipeline-bench-") as tmp:
        work = Path(tmp)
        results = run(args.scale, work, say, args.repeat)
        history = run_history(args.scale, work, results["generated"], say, args.repeat) if args.eras == "all" else None
        grow = []
        for scale in [int(s) for s in args.growth.split(",") if s.strip()]:
            if scale == args.scale:
                grow.append((scale, results["counts"]["rows"], results["backfill"]))
            else:
                grow.append((scale, *growth(scale, work, say, args.repeat)))
    text = table(results, grow, history, load_average=f"{before} (1/5/15 min) at the start, {_load_average()} at the end")
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
