"""The benchmark: `python -m tools.bench [--scale 1] [--out bench/results/latest.md]`

Generates the workload once (tools.bench_data) into a temporary folder, then measures,
each in its own subprocess (wall time, and peak memory = the maximum over time of the
summed RSS of the whole process tree, polled every 50 ms):

1. full backfill: `python -m pipeline load` into an empty warehouse (ingest + GX + dbt + publish);
2. the floor: a bare python-calamine read of every sheet of every file;
3. the peer: `pandas.read_excel(path, sheet_name=None)` (default engine) over every file,
   straight into DuckDB tables, no validation;
4. nothing new: a second load;
5. one new file added after the backfill;
6. growth: the backfill at scale 1, 2 and 4 -> time per row (scale multiplies rows per file).

Prints a markdown table and writes it to --out. No assertion: it reports.
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
made = set()
for p in sorted(pathlib.Path(sys.argv[1]).rglob("*.xlsx")):
    for name, frame in pd.read_excel(p, sheet_name=None).items():
        table = {"Thông tin": "cover", "Nhà ở": "houses", "Hỗ trợ": "grants", "Hộ nghèo": "poverty"}[name]
        frame = frame.astype(str)
        frame.columns = [f"c{i}" for i in range(len(frame.columns))]
        con.register("f", frame)
        if table in made:
            con.execute(f"insert into {table} by name select * from f")
        else:
            con.execute(f"create table {table} as select * from f")
            made.add(table)
        con.unregister("f")
con.close()
"""


def measure(args: list[str], env: dict | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak MB of the process tree, exit code)."""
    started = time.perf_counter()
    env = {k: v for k, v in {**os.environ, **(env or {})}.items() if k != "DAGSTER_HOME"}   # ephemeral instance
    proc = psutil.Popen(args, env=env, stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL)
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
    return time.perf_counter() - started, peak / 2**20, proc.returncode


def load(sources: Path, warehouse: Path) -> tuple[float, float, int]:
    return measure([PY, "-m", "pipeline", "load", "--sources", str(sources), "--warehouse", str(warehouse)])


def run(scale: int, work: Path, say) -> dict:
    from tools import bench_data

    results: dict = {"scale": scale}
    data = work / "sources"
    say("generating the workload ...")
    counts = bench_data.generate(data, scale=scale)
    results["counts"] = counts
    # hold one file back for the "one new file" measurement: the last month of one district
    held = sorted((data / "116").glob("*.xlsx"))[-1]
    spare = work / "held" / held.name
    spare.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(held, spare)
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(spare))
    held_rows = sum(len(book.get_sheet_by_name(n).to_python()) - 1 for n in book.sheet_names[1:])
    counts = dict(counts, files=counts["files"] - 1, rows=counts["rows"] - held_rows)
    results["counts"] = counts

    say("floor: bare python-calamine read ...")
    results["floor"] = measure([PY, "-c", FLOOR, str(data)])
    say("peer: pandas.read_excel -> DuckDB ...")
    results["peer"] = measure([PY, "-c", PEER, str(data), str(work / "peer.duckdb")])
    say("pipeline: full backfill ...")
    results["backfill"] = load(data, work / "warehouse")
    say("pipeline: nothing new ...")
    results["nothing_new"] = load(data, work / "warehouse")
    shutil.move(spare, held)
    say("pipeline: one new file ...")
    results["one_new"] = load(data, work / "warehouse")
    return results


def growth(scale: int, work: Path, say) -> tuple[int, float, float]:
    from tools import bench_data

    data = work / f"sources_x{scale}"
    say(f"growth: generating scale {scale} ...")
    counts = bench_data.generate(data, scale=scale)
    say(f"growth: backfill at scale {scale} ...")
    wall, peak, _ = load(data, work / f"warehouse_x{scale}")
    shutil.rmtree(data, ignore_errors=True)
    shutil.rmtree(work / f"warehouse_x{scale}", ignore_errors=True)
    return counts["rows"], wall, peak


def table(r: dict, grow: list[tuple[int, int, float, float]]) -> str:
    rows = r["counts"]["rows"]
    files = r["counts"]["files"]
    bf, fl, pe = r["backfill"][0], r["floor"][0], r["peer"][0]
    lines = [
        f"Machine: {platform.machine()}, {psutil.cpu_count(logical=True)} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; workload: {files} files, {rows:,} rows "
        f"({r['counts']['houses']:,} houses, {r['counts']['grants']:,} grants, {r['counts']['poverty']:,} poverty)",
        "",
        "| measurement | wall (s) | peak memory (MB) | throughput (rows/s) | note |",
        "|---|---:|---:|---:|---|",
        f"| full backfill (`python -m pipeline load`, empty warehouse) | {bf:.1f} | {r['backfill'][1]:.0f} | "
        f"{rows / bf:,.0f} | exit {r['backfill'][2]}; ingest + GX + dbt build + publish |",
        f"| floor: bare python-calamine read of every sheet | {fl:.1f} | {r['floor'][1]:.0f} | {rows / fl:,.0f} | |",
        f"| peer: `pandas.read_excel` → DuckDB, no validation | {pe:.1f} | {r['peer'][1]:.0f} | {rows / pe:,.0f} | |",
        f"| nothing new (second load) | {r['nothing_new'][0]:.1f} | {r['nothing_new'][1]:.0f} | | "
        f"exit {r['nothing_new'][2]}; no dbt, no GX, no file read |",
        f"| one new file after the backfill | {r['one_new'][0]:.1f} | {r['one_new'][1]:.0f} | | "
        f"exit {r['one_new'][2]}; ingest 1 file + dbt build + publish |",
        "",
        f"- pipeline / floor: **{bf / fl:.2f}×** (target ≤ 2×)",
        f"- peer / pipeline: **{pe / bf:.2f}×** (target ≥ 5×)",
        f"- one new file − nothing new: {r['one_new'][0] - r['nothing_new'][0]:.1f} s (a dbt build of the marts + publish)",
    ]
    if grow:
        lines += ["", "| growth: backfill at scale | rows | wall (s) | peak memory (MB) | µs per row | vs scale 1 |",
                  "|---:|---:|---:|---:|---:|---:|"]
        base = grow[0][2] / grow[0][1]
        for scale, n, wall, peak in grow:
            lines.append(f"| {scale} | {n:,} | {wall:.1f} | {peak:.0f} | {wall / n * 1e6:.1f} | "
                         f"{(wall / n) / base:.2f}× |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench/results/latest.md"))
    parser.add_argument("--growth", default="1,2,4", help="scales for the growth curve ('' to skip)")
    args = parser.parse_args(argv)

    def say(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="pipeline-bench-") as tmp:
        work = Path(tmp)
        results = run(args.scale, work, say)
        grow = []
        for scale in [int(s) for s in args.growth.split(",") if s.strip()]:
            if scale == args.scale:
                grow.append((scale, results["counts"]["rows"], *results["backfill"][:2]))
            else:
                grow.append((scale, *growth(scale, work, say)))
    text = table(results, grow)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
