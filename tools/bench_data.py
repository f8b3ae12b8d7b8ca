"""Benchmark workload: the province's whole history as clean district workbooks.

    python -m tools.bench_data --out DIR [--scale N] [--districts K] [--months M]

12 districts x every month 2020-01 .. 2025-03 = 756 files in the canonical layout
(tests/workbooks.py): a cover, a houses sheet with the CUMULATIVE list of every case the
district has opened so far (so files grow month by month: ~11,700 cases, ~370,000 house
rows over the history), a grants sheet with the month's payments per commune, programme
and funding source (~15,000 rows in all), and the poverty review (previous year, one row
per commune) in January files from 2021.

--scale N multiplies the ROWS, not the files: every district opens N times as many cases
(distinct household ids) and pays N times as many grant lines, in the same 756 files (a
cover's district code must be a real one, so more districts cannot be invented).
--districts / --months cut the set down (tests use a tiny one).

Communes are real (dbt_project/seeds): houses use communes that are in both the 2024 and the
2025 list under the same code and name, so a case keeps its commune across the 2025 reorganisation; grants
and poverty use the list in force for the period. Every row passes every rule.
Deterministic: same arguments, same cell values. Written with xlsxwriter in
constant_memory mode, one district per worker process.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import multiprocessing
import random
import sys
from pathlib import Path

import xlsxwriter

from pipeline.ingest.sheets import COLUMNS

from pipeline.config import SEEDS_DIR as SEEDS
DISTRICTS = ["116", "118", "119", "120", "121", "122", "123", "124", "125", "126", "127", "128"]
ALL_MONTHS = [(y, m) for y in range(2020, 2026) for m in range(1, 13) if (y, m) <= (2025, 3)]
CASES_PER_DISTRICT = 975          # x 12 districts = 11,700 cases at scale 1
GRANTS_PER_FILE = 20              # x 756 files ~ 15,000 grant rows at scale 1

# The canonical headers of the submission format (pipeline/sheets.py), in the canonical order.
HOUSE_HEADERS = [c.header for c in COLUMNS["houses"]]
GRANT_HEADERS = [c.header for c in COLUMNS["grants"]]
POVERTY_HEADERS = [c.header + (" (%)" if c.key == "poverty_rate_pct" else "") for c in COLUMNS["poverty"]
                   if c.key != "village"]   # one row per commune: no village column

CATEGORIES = ["Hộ nghèo", "Hộ nghèo", "Hộ nghèo", "Hộ cận nghèo", "Hộ có công", "Hộ khó khăn khác"]
SUPPORT = {"Xây mới": (40_000_000, 15_000_000, 5_000_000), "Sửa chữa": (20_000_000, 7_000_000, 3_000_000)}
PROGRAMMES = ["Phát triển sản xuất", "Khám chữa bệnh", "Hỗ trợ học sinh", "Hoàn cảnh khó khăn khác"]
SOURCES = ["Ngân sách trung ương", "Ngân sách địa phương", "Xã hội hóa"]
ETHNIC = ["Thái", "Mông", "Kinh", "Mường", "Khơ Mú", "Dao"]
SURNAMES = ["Lò", "Quàng", "Cầm", "Lường", "Tòng", "Điêu", "Hà", "Vì", "Giàng", "Sùng", "Mùa", "Nguyễn"]
GIVEN = ["Văn Pọm", "Thị Ỏn", "Văn Xuân", "Thị Hương", "A Páo", "Thị Lan", "Văn Chăm", "Thị Mai", "A Chứ"]
VILLAGES = ["Bản Nà Sài", "Bản Huổi Một", "Bản Pá Sóng", "Bản Co Mạ", "Bản Nà Ban", "Bản Phiêng Lanh"]
NOTES = [None, None, None, None, "Hộ neo đơn", "Đã nghiệm thu"]


def load_communes() -> tuple[dict[str, list[tuple[str, str]]], dict[str, list[tuple[str, str]]]]:
    """(2024 list, 2025 list): district -> [(commune code, name)]."""
    lists = []
    for year in (2024, 2025):
        by_district: dict[str, list[tuple[str, str]]] = {}
        with open(SEEDS / f"admin_units_{year}.csv", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                by_district.setdefault(row["district_code"], []).append((row["commune_code"], row["commune_name_vi"]))
        lists.append(by_district)
    return lists[0], lists[1]


def _month_end(y: int, m: int) -> dt.date:
    return (dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1))


def _cases(rng: random.Random, district: str, both: list[tuple[str, str]], n: int, n_months: int) -> list[dict]:
    """n cases opened evenly over ALL_MONTHS; each completes 1-4 months after opening."""
    cases = []
    for i in range(n):
        opened = i * len(ALL_MONTHS) // n
        if opened >= n_months:
            break
        y, m = ALL_MONTHS[opened]
        support = "Xây mới" if rng.random() < 0.8 else "Sửa chữa"
        central, local, social = SUPPORT[support]
        bump = rng.randrange(0, 11) * 500_000
        done_index = opened + rng.randint(1, 4)
        done = None
        if done_index < len(ALL_MONTHS):
            dy, dm = ALL_MONTHS[done_index]
            done = dt.datetime(dy, dm, rng.randint(1, 28))
        commune = both[rng.randrange(len(both))]
        cases.append({
            "opened": opened, "done_index": done_index, "done": done,
            "not_started_first": rng.random() < 0.1,
            "static": [f"{district}-{i + 1:06d}", commune[0], commune[1], rng.choice(VILLAGES),
                       f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}", f"014{int(district):03d}{i + 1:06d}",
                       rng.choice(ETHNIC), rng.choice(CATEGORIES), support, central + bump, local, social],
            "start": dt.datetime(y, m, rng.randint(1, 28)),
            "note": rng.choice(NOTES),
        })
    return cases


def _grants(rng: random.Random, communes: list[tuple[str, str]], n: int) -> list[list]:
    combos = [(c, p, s) for c in communes for p in PROGRAMMES for s in SOURCES]
    rows = []
    for (code, name), programme, source in sorted(rng.sample(combos, min(n, len(combos)))):
        beneficiaries = rng.randint(1, 60)
        rows.append([code, name, programme, beneficiaries, beneficiaries * rng.randrange(200, 2000) * 1000, source])
    return rows


def _poverty(rng: random.Random, communes: list[tuple[str, str]], review_year: int) -> list[list]:
    rows = []
    for code, name in communes:
        total = rng.randint(400, 3000)
        poor = int(total * rng.uniform(0.05, 0.35))
        near = int(total * rng.uniform(0.03, 0.15))
        ethnic = int(poor * rng.uniform(0.6, 1.0))
        rows.append([code, name, review_year, total, poor, near, ethnic, round(poor / total * 100, 2)])
    return rows


def _write_district(args: tuple) -> list[tuple[str, int, int, int]]:
    out, district, scale, n_months = args
    c24, c25 = load_communes()
    both = sorted(set(c24[district]) & set(c25[district]))   # same code and same name in both lists
    rng = random.Random(f"bench-{district}-{scale}")
    cases = _cases(rng, district, both, CASES_PER_DISTRICT * scale, n_months)
    written = []
    for index, (y, m) in enumerate(ALL_MONTHS[:n_months]):
        path = Path(out) / district / f"bao_cao_{district}_{y}_{m:02d}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        communes = (c24 if (y, m) <= (2025, 1) else c25)[district]   # the 200-list from 2025-02-01
        grants = _grants(rng, communes, GRANTS_PER_FILE * scale)
        poverty = _poverty(rng, c24[district] if y - 1 <= 2024 else c25[district], y - 1) if m == 1 and y > 2020 else []
        houses = _write_file(path, district, y, m, index, cases, grants, poverty)
        written.append((str(path), houses, len(grants), len(poverty)))
    return written


def _write_file(path: Path, district: str, y: int, m: int, index: int, cases, grants, poverty) -> int:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    wb.set_properties({"created": dt.datetime(y, m, 1)})
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    cover = wb.add_worksheet("Thông tin")
    cover.write_row(0, 0, ["Mã huyện", district])
    cover.write_row(1, 0, ["Kỳ báo cáo", f"{m:02d}/{y}"])
    cover.write_row(2, 0, ["Lần gửi", 1])
    cover.write_string(3, 0, "Ngày lập")
    prepared = _month_end(y, m) + dt.timedelta(days=3)
    cover.write_datetime(3, 1, dt.datetime(prepared.year, prepared.month, prepared.day), date)

    houses = wb.add_worksheet("Nhà ở")
    houses.write_row(0, 0, HOUSE_HEADERS)
    row = 0
    for case in cases:
        if case["opened"] > index:
            break
        row += 1
        houses.write_number(row, 0, row)
        houses.write_row(row, 1, case["static"])
        first = case["opened"] == index
        if first and case["not_started_first"]:
            status = "Chưa khởi công"
        else:
            houses.write_datetime(row, 13, case["start"], date)
            if case["done"] is not None and case["done_index"] <= index:
                houses.write_datetime(row, 14, case["done"], date)
                status = "Hoàn thành"
            else:
                status = "Đang thi công"
        houses.write_string(row, 15, status)
        if case["note"]:
            houses.write_string(row, 16, case["note"])

    sheet = wb.add_worksheet("Hỗ trợ")
    sheet.write_row(0, 0, GRANT_HEADERS)
    for i, values in enumerate(grants, 1):
        sheet.write_number(i, 0, i)
        sheet.write_row(i, 1, values)
    if poverty:
        sheet = wb.add_worksheet("Hộ nghèo")
        sheet.write_row(0, 0, POVERTY_HEADERS)
        for i, values in enumerate(poverty, 1):
            sheet.write_number(i, 0, i)
            sheet.write_row(i, 1, values)
    wb.close()
    return row


def generate(out: Path, scale: int = 1, districts: int | None = None, months: int | None = None,
             processes: int = 2) -> dict:
    """Write the set; returns {"files", "houses", "grants", "poverty", "rows"} counts."""
    out.mkdir(parents=True, exist_ok=True)
    chosen = DISTRICTS[:districts] if districts else DISTRICTS
    n_months = min(months or len(ALL_MONTHS), len(ALL_MONTHS))
    jobs = [(str(out), d, scale, n_months) for d in chosen]
    if processes > 1 and len(jobs) > 1:
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            results = pool.map(_write_district, jobs)
    else:
        results = [_write_district(job) for job in jobs]
    files = [item for result in results for item in result]
    counts = {"files": len(files), "houses": sum(f[1] for f in files), "grants": sum(f[2] for f in files),
              "poverty": sum(f[3] for f in files)}
    counts["rows"] = counts["houses"] + counts["grants"] + counts["poverty"]
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_data", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--scale", type=int, default=1, help="multiply the rows per file (default 1)")
    parser.add_argument("--districts", type=int, help="only the first K districts")
    parser.add_argument("--months", type=int, help="only the first M months from 2020-01")
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be >= 1")
    counts = generate(args.out, args.scale, args.districts, args.months)
    print(", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
