"""A/B of Chromium's flags for the report PDF: peak RSS of Chromium's process tree (psutil, every
20 ms), wall time, and the pages (pdftoppm at 60 dpi, a hash per page), interleaved rounds, medians.

    python -m tools.chromium_flags <warehouse>/report/index.html [--rounds 5] \
        [--variant "NAME=+--a-flag-to-add,---a-flag-to-drop"] ...

The baseline is pipeline/report/pdf.py's FLAGS; a variant adds (+) or drops (-) flags from it.
pdf.py's last change was measured with
    --rounds 7 --variant "before=----disable-software-rasterizer,---js-flags=--optimize-for-size \
    --max-semi-space-size=1 --single-threaded-gc"
Kept for pdf.py's comment on its flags: rerun it when Chromium changes.
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import psutil

from pipeline.report import pdf


def run(binary: str, flags: list[str], html: Path) -> tuple[float, float, list[str]]:
    """(wall s, peak MB of the tree, page hashes) of one print."""
    with tempfile.TemporaryDirectory(prefix="chromium-flags-") as work:
        out = Path(work) / "out.pdf"
        started = time.perf_counter()
        proc = psutil.Popen([binary, *flags, f"--user-data-dir={work}/profile", f"--print-to-pdf={out}",
                             html.resolve().as_uri()], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "HOME": work})
        peak = 0
        while proc.poll() is None:
            total = 0
            for p in [proc, *proc.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            peak = max(peak, total)
            time.sleep(0.02)
        wall = time.perf_counter() - started
        subprocess.run(["pdftoppm", "-r", "60", str(out), f"{work}/page"], check=True)
        pages = [hashlib.md5(Path(f).read_bytes()).hexdigest()[:8] for f in sorted(glob.glob(f"{work}/page-*.ppm"))]
        return wall, peak / 2**20, pages


def variant(spec: str) -> tuple[str, list[str]]:
    name, _, changes = spec.partition("=")
    flags = list(pdf.FLAGS)
    for change in filter(None, changes.split(",")):
        if change.startswith("+"):
            flags.append(change[1:])
        elif change.startswith("-") and change[1:] in flags:
            flags.remove(change[1:])
    return name, flags


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("html", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--variant", action="append", default=[], help="NAME=+--flag,--flag-to-drop")
    args = parser.parse_args()
    binary = pdf.find_chromium()
    variants = dict([("pdf.py", list(pdf.FLAGS))] + [variant(v) for v in args.variant])
    results: dict[str, list] = {name: [] for name in variants}
    for _ in range(args.rounds):
        for name, flags in variants.items():
            results[name].append(run(binary, flags, args.html))
    base_pages = results["pdf.py"][0][2]
    print(f"load average {os.getloadavg()[0]:.1f}")
    for name, rows in results.items():
        print(f"{name:24s} wall {statistics.median(r[0] for r in rows):5.2f} s   "
              f"peak {statistics.median(r[1] for r in rows):5.0f} MB (min {min(r[1] for r in rows):.0f}, "
              f"max {max(r[1] for r in rows):.0f})   {len(rows[0][2])} pages, "
              f"same pages as pdf.py: {all(r[2] == base_pages for r in rows)}")


if __name__ == "__main__":
    main()
