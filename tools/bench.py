"""The benchmark: `python -m tools.bench [--scale 1] [--eras district|all] [--growth 1,2,4] [--logs DIR] [--out FILE]`

Generates the workload once (tools.bench_data) into a temporary folder, then measures,
each in its own subprocess (wall time, and peak memory = the maximum over time of the
summed RSS of the whole process tree, polled every 50 ms), on the district era
(12 districts x 2020-01 .. 2025-03, comparable with earlier runs: the main table):

1. full backfill: `python -m pipeline load` into an empty warehouse (ingest + rules + dbt + publish + report);
2. the floor: a bare python-calamine read of every sheet of every file;
3. the peer: `pandas.read_excel(path, sheet_name=None)` (default engine) over every file,
   straight into DuckDB tables, no validation;
4. nothing new: a second load;
5. one new file added after the backfill;

then (--eras all, the default) the same five on the full history: the district era's files and
the commune era (75 communes x 2025-07 .. 2026-10) in one sources folder, the new file being one
commune's last month; and last

6. growth (district era): the backfill at scale 1, 2 and 4 -> time per row (scale multiplies rows per file).

Prints a markdown table (its first column names the workload) and writes it to --out.
No assertion: it reports.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
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


def measure(args: list[str], env: dict | None = None, name: str = "step") -> tuple[float, float, int]:
    """(wall seconds, peak MB of the process tree, exit code)."""
    started = time.perf_counter()
    env = {k: v for k, v in {**os.environ, **(env or {})}.items() if k != "DAGSTER_HOME"}   # ephemeral instance
    out = open(LOGS / f"{name}.log", "w") if LOGS else subprocess.DEVNULL
    proc = psutil.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT if LOGS else subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        total = 0
        try:
            for p in [proc, *proc.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    pass
        except psutil.NoSuchProcess:
            pass
        peak = max(peak, total)
        time.sleep(0.05)
    if LOGS:
        out.close()
    return time.perf_counter() - started, peak / 2**20, proc.returncode


def load(sources: Path, warehouse: Path, name: str = "load") -> tuple[float, float, int]:
    return measure([PY, "-m", "pipeline", "load", "--sources", str(sources), "--warehouse", str(warehouse)],
                   name=name)


def hold_back(data: Path, unit_dir: Path, work: Path) -> tuple[Path, Path, int]:
    """Move the last month of one unit out of the sources: (its place, where it waits, its data rows)."""
    from python_calamine import CalamineWorkbook

    held = sorted(unit_dir.glob("*.xlsx"))[-1]
    spare = work / "held" / held.name
    spare.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(held, spare)
    book = CalamineWorkbook.from_path(str(spare))
    return held, spare, sum(len(book.get_sheet_by_name(n).to_python()) - 1 for n in book.sheet_names[1:])


def measure_workload(data: Path, work: Path, held: Path, spare: Path, say, tag: str = "") -> dict:
    """floor, peer, backfill, nothing new, then the held-back file: one workload's measurements
    (log names prefixed with tag)."""
    results: dict = {}
    say(f"{tag}floor: bare python-calamine read ...")
    results["floor"] = measure([PY, "-c", FLOOR, str(data)], name=f"{tag}floor")
    say(f"{tag}peer: pandas.read_excel -> DuckDB ...")
    results["peer"] = measure([PY, "-c", PEER, str(data), str(work / f"{tag}peer.duckdb")], name=f"{tag}peer")
    say(f"{tag}pipeline: full backfill ...")
    results["backfill"] = load(data, work / f"{tag}warehouse", f"{tag}backfill")
    say(f"{tag}pipeline: nothing new ...")
    results["nothing_new"] = load(data, work / f"{tag}warehouse", f"{tag}nothing_new")
    shutil.move(spare, held)
    say(f"{tag}pipeline: one new file ...")
    results["one_new"] = load(data, work / f"{tag}warehouse", f"{tag}one_new")
    return results


def run(scale: int, work: Path, say) -> dict:
    """The district era (12 districts x 2020-01 .. 2025-03): the main table, comparable over time."""
    from tools import bench_data

    data = work / "sources"
    say("generating the workload ...")
    counts = bench_data.generate(data, scale=scale)
    # hold one file back for the "one new file" measurement: the last month of one district
    held, spare, held_rows = hold_back(data, data / "116", work)
    results: dict = {"scale": scale, "generated": counts,
                     "counts": dict(counts, files=counts["files"] - 1, rows=counts["rows"] - held_rows)}
    results.update(measure_workload(data, work, held, spare, say))
    return results


def run_history(scale: int, work: Path, district: dict, say) -> dict:
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
    results.update(measure_workload(data, work, held, spare, say, tag="history_"))
    return results


def growth(scale: int, work: Path, say) -> tuple[int, float, float, int]:
    from tools import bench_data

    data = work / f"sources_x{scale}"
    say(f"growth: generating scale {scale} ...")
    counts = bench_data.generate(data, scale=scale)
    say(f"growth: backfill at scale {scale} ...")
    wall, peak, code = load(data, work / f"warehouse_x{scale}", f"backfill_x{scale}")
    shutil.rmtree(data, ignore_errors=True)
    shutil.rmtree(work / f"warehouse_x{scale}", ignore_errors=True)
    return counts["rows"], wall, peak, code


def _describe(name: str, counts: dict) -> str:
    return (f"**{name}**: {counts['files']} files, {counts['rows']:,} rows ({counts['houses']:,} houses, "
            f"{counts['grants']:,} grants, {counts['poverty']:,} poverty)")


def _rows(workload: str, r: dict, unit: str) -> list[str]:
    rows = r["counts"]["rows"]
    bf, fl, pe = r["backfill"][0], r["floor"][0], r["peer"][0]
    return [
        f"| {workload} | full backfill (`python -m pipeline load`, empty warehouse) | {bf:.1f} | {r['backfill'][1]:.0f} | "
        f"{rows / bf:,.0f} | exit {r['backfill'][2]}; ingest + rules + dbt build + publish + report |",
        f"| {workload} | floor: bare python-calamine read of every sheet | {fl:.1f} | {r['floor'][1]:.0f} | "
        f"{rows / fl:,.0f} | exit {r['floor'][2]} |",
        f"| {workload} | peer: `pandas.read_excel` → DuckDB, no validation | {pe:.1f} | {r['peer'][1]:.0f} | "
        f"{rows / pe:,.0f} | exit {r['peer'][2]} |",
        f"| {workload} | nothing new (second load) | {r['nothing_new'][0]:.1f} | {r['nothing_new'][1]:.0f} | | "
        f"exit {r['nothing_new'][2]}; no dbt, no GX, no file read |",
        f"| {workload} | one new {unit} file after the backfill | {r['one_new'][0]:.1f} | {r['one_new'][1]:.0f} | | "
        f"exit {r['one_new'][2]}; ingest 1 file + dbt build + publish + report |",
    ]


def _ratios(workload: str, r: dict) -> list[str]:
    bf, fl, pe = r["backfill"][0], r["floor"][0], r["peer"][0]
    return [
        f"- {workload}: pipeline / floor: **{bf / fl:.2f}×** (target ≤ 2×)",
        f"- {workload}: peer / pipeline: **{pe / bf:.2f}×** (target ≥ 5×)",
        f"- {workload}: one new file − nothing new: {r['one_new'][0] - r['nothing_new'][0]:.1f} s "
        f"(a dbt build of the marts + publish + report); one new file / backfill: {r['one_new'][0] / bf:.0%}",
    ]


def table(r: dict, grow: list[tuple[int, int, float, float, int]], history: dict | None = None) -> str:
    """The district era first (comparable with earlier runs), then the full history when measured."""
    lines = [
        f"Machine: {platform.machine()}, {psutil.cpu_count(logical=True)} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; scale {r['scale']}.",
        "",
        f"- {_describe('district era', r['counts'])}: 12 districts × 2020-01 … 2025-03, one district's last "
        "month held back for the one-new-file step.",
    ]
    if history:
        lines.append(f"- {_describe('full history', history['counts'])}: the district era's files and the commune "
                     f"era ({history['commune_files']} files, {history['commune_rows']:,} rows: 75 communes × "
                     "2025-07 … 2026-10) in one sources folder, one commune's last month held back.")
    lines += ["", "| workload | measurement | wall (s) | peak memory (MB) | throughput (rows/s) | note |",
              "|---|---|---:|---:|---:|---|", *_rows("district era", r, "district")]
    if history:
        lines += _rows("full history", history, "commune")
    lines += ["", *_ratios("district era", r), *(_ratios("full history", history) if history else [])]
    if grow:
        lines += ["", "| growth (district era): backfill at scale | rows | wall (s) | peak memory (MB) | µs per row "
                  "| vs scale 1 | note |", "|---:|---:|---:|---:|---:|---:|---|"]
        base = grow[0][2] / grow[0][1]
        for scale, n, wall, peak, code in grow:
            lines.append(f"| {scale} | {n:,} | {wall:.1f} | {peak:.0f} | {wall / n * 1e6:.1f} | "
                         f"{(wall / n) / base:.2f}× | exit {code}{'' if code == 0 else ': FAILED, not a timing'} |")
        per_row = {scale: wall / n for scale, n, wall, _, code in grow if code == 0}   # a failed load is no timing
        if 2 in per_row and 4 in per_row:
            lines += ["", f"- time per row, scale 4 / scale 2: **{per_row[4] / per_row[2]:.2f}×** (target within 10 %)"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench/results/latest.md"))
    parser.add_argument("--growth", default="1,2,4", help="scales for the growth curve ('' to skip)")
    parser.add_argument("--logs", type=Path, help="keep each step's output (progress lines) in this folder")
    parser.add_argument("--eras", choices=("district", "all"), default="all",
                        help="the district era only (quick), or also the full history with the commune era (default)")
    args = parser.parse_args(argv)
    global LOGS
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
        LOGS = args.logs

    def say(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="pipeline-bench-") as tmp:
        work = Path(tmp)
        results = run(args.scale, work, say)
        history = run_history(args.scale, work, results["generated"], say) if args.eras == "all" else None
        grow = []
        for scale in [int(s) for s in args.growth.split(",") if s.strip()]:
            if scale == args.scale:
                grow.append((scale, results["counts"]["rows"], *results["backfill"][:3]))
            else:
                grow.append((scale, *growth(scale, work, say)))
    text = table(results, grow, history)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
