"""Benchmark workload: the province's whole history as clean workbooks, district era then commune era.

    python -m tools.bench_data --out DIR [--scale N] [--eras district|all]
                               [--districts K] [--months M] [--communes K] [--commune-months M]

District era: 12 districts x every month 2020-01 .. 2025-03 = 756 files in the canonical layout
(the form's canonical headers, pipeline/form/): a cover, a houses sheet with the CUMULATIVE list of every case the
district has opened so far (so files grow month by month: ~11,700 cases, ~370,000 house
rows over the history), a grants sheet with the month's payments per commune, programme
and funding source (~15,000 rows in all), and the poverty review (previous year, one row
per commune) in January files from 2021.

Commune era (reporting-units-2025.md): the 75 communes of the 2025-07 list report directly,
every month 2025-07 .. 2026-10 = 1,200 files in DIR/communes/: a commune cover (Mã xã, Tên xã),
the cumulative list of the commune's cases (~40 opened per commune, plus the district cases still
open in 2025-03, handed over under the same Mã hộ and finished by 2025-09), ~3 grant lines a month,
and the 2025 review (one row, the 75-list) in the 2026-01 file. About half the communes leave
the commune columns out of their data sheets, as the format allows.

--scale N multiplies the ROWS, not the files: every unit opens N times as many cases
(distinct household ids) and pays N times as many grant lines, in the same files (a
cover's unit code must be a real one, so more units cannot be invented; a commune has only
12 grant keys, so its grant lines stop growing above scale 4).
--districts / --months and --communes / --commune-months cut the sets down (tests use tiny ones).
The district era is the same, byte for byte, whether or not the commune era is written.

Communes are real (dbt_project/seeds): district houses use communes that are in both the 2024 and the
2025 list under the same code and name, so a case keeps its commune across the 2025 reorganisation; grants
and poverty use the list in force for the period (the 200-list from 2025-02-01, the 75-list
from 2025-07). Every row passes every rule.
Deterministic: same arguments, same cell values. Written with xlsxwriter in
constant_memory mode, one unit per worker process.
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

from pipeline import form
from pipeline.config import SEEDS_DIR as SEEDS

DISTRICTS = ["116", "118", "119", "120", "121", "122", "123", "124", "125", "126", "127", "128"]
ALL_MONTHS = [(y, m) for y in range(2020, 2026) for m in range(1, 13) if (y, m) <= (2025, 3)]
CASES_PER_DISTRICT = 975          # x 12 districts = 11,700 cases at scale 1
GRANTS_PER_FILE = 20              # x 756 files ~ 15,000 grant rows at scale 1
# The commune era: the province's pace of the district era (~185 new cases and 240 grant lines a
# month) spread over the 75 communes; a commune has 4 programmes x 3 sources = 12 grant keys, so
# grants stop growing with --scale above 4.
COMMUNE_MONTHS = [(y, m) for y in (2025, 2026) for m in range(1, 13) if (2025, 7) <= (y, m) <= (2026, 10)]
CASES_PER_COMMUNE = 40            # x 75 communes = 3,000 cases at scale 1
GRANTS_PER_COMMUNE_FILE = 3       # x 1,200 files = 3,600 grant rows at scale 1
COMMUNE_DIR = "communes"          # sorts after the district folders (116 ... 128)

# The columns each sheet fills, in the order its rows are written; headers from the form (pipeline/form/).
HOUSE_KEYS = ("no", "household_id", "commune_code", "commune_name", "village", "household_head", "national_id",
              "ethnicity", "category", "support_type", "central_budget", "local_budget", "social_contribution",
              "start_date", "completion_date", "status", "notes")
GRANT_KEYS = ("no", "commune_code", "commune_name", "programme", "beneficiaries", "amount", "funding_source", "notes")
POVERTY_KEYS = ("no", "commune_code", "commune_name", "review_year", "total_households", "poor_households",
                "near_poor_households", "poor_ethnic_minority_households", "poverty_rate_pct")   # no village: per commune
HOUSE_HEADERS = form.HOUSES.headers(HOUSE_KEYS)
GRANT_HEADERS = form.GRANTS.headers(GRANT_KEYS)
POVERTY_HEADERS = form.POVERTY.headers(POVERTY_KEYS)
COMMUNE_HEADERS = {form.COMMUNE_CODE.header, form.COMMUNE_NAME.header}
LABEL = {key: label.label for key, label in form.COVER_LABEL.items()}
_AT = {key: i for i, key in enumerate(HOUSE_KEYS)}   # a houses column's position (with the commune columns)

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


def _cases(rng: random.Random, unit: str, both: list[tuple[str, str]], n: int, n_months: int,
           months: list[tuple[int, int]] = ALL_MONTHS) -> list[dict]:
    """n cases opened evenly over `months`; each completes 1-4 months after opening.
    Mã hộ and CCCD carry the unit's code (3 digits: district, 5: commune), so no two units share one."""
    cases = []
    for i in range(n):
        opened = i * len(months) // n
        if opened >= n_months:
            break
        y, m = months[opened]
        support = "Xây mới" if rng.random() < 0.8 else "Sửa chữa"
        central, local, social = SUPPORT[support]
        bump = rng.randrange(0, 11) * 500_000
        done_index = opened + rng.randint(1, 4)
        done = None
        if done_index < len(months):
            dy, dm = months[done_index]
            done = dt.datetime(dy, dm, rng.randint(1, 28))
        commune = both[rng.randrange(len(both))]
        household_id, national_id = (f"{unit}-{i + 1:06d}", f"014{int(unit):03d}{i + 1:06d}") if len(unit) == 3 \
            else (f"{unit}-{i + 1:05d}", f"014{unit}{i + 1:04d}")
        cases.append({
            "opened": opened, "done_index": done_index, "done": done,
            "not_started_first": rng.random() < 0.1,
            "static": [household_id, commune[0], commune[1], rng.choice(VILLAGES),
                       f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}", national_id,
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
        houses = _write_file(path, [[LABEL["district_code"], district]], y, m, index, cases, grants, poverty)
        written.append((str(path), houses, len(grants), len(poverty)))
    return written


def _write_file(path: Path, unit: list[list[str]], y: int, m: int, index: int, cases, grants, poverty,
                commune_columns: bool = True) -> int:
    """unit: the cover's first rows (who reports). Without commune_columns the data sheets leave
    Mã xã / Tên xã out (a commune's own rows may)."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    wb.set_properties({"created": dt.datetime(y, m, 1)})
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    cover = wb.add_worksheet(form.COVER.name)
    for i, label_value in enumerate(unit):
        cover.write_row(i, 0, label_value)
    top = len(unit)
    cover.write_row(top, 0, [LABEL["period"], f"{m:02d}/{y}"])
    cover.write_row(top + 1, 0, [LABEL["version"], 1])
    cover.write_string(top + 2, 0, LABEL["prepared_on"])
    prepared = _month_end(y, m) + dt.timedelta(days=3)
    cover.write_datetime(top + 2, 1, dt.datetime(prepared.year, prepared.month, prepared.day), date)

    def keep(headers: list[str], values: list) -> list:   # values from the STT column on
        return [v for h, v in zip(headers, values) if commune_columns or h not in COMMUNE_HEADERS]

    shift = 0 if commune_columns else 2      # the columns after Mã xã / Tên xã move left
    houses = wb.add_worksheet(form.HOUSES.name)
    houses.write_row(0, 0, keep(HOUSE_HEADERS, HOUSE_HEADERS))
    row = 0
    for case in cases:
        if case["opened"] > index:
            break
        row += 1
        houses.write_number(row, 0, row)
        houses.write_row(row, 1, keep(HOUSE_HEADERS, [None, *case["static"]])[1:])
        first = case["opened"] == index
        if first and case["not_started_first"]:
            status = "Chưa khởi công"
        else:
            houses.write_datetime(row, _AT["start_date"] - shift, case["start"], date)
            if case["done"] is not None and case["done_index"] <= index:
                houses.write_datetime(row, _AT["completion_date"] - shift, case["done"], date)
                status = "Hoàn thành"
            else:
                status = "Đang thi công"
        houses.write_string(row, _AT["status"] - shift, status)
        if case["note"]:
            houses.write_string(row, _AT["notes"] - shift, case["note"])

    _write_rows(wb, form.GRANTS.name, keep(GRANT_HEADERS, GRANT_HEADERS),
                [keep(GRANT_HEADERS, [None, *values])[1:] for values in grants])
    if poverty:
        _write_rows(wb, form.POVERTY.name, keep(POVERTY_HEADERS, POVERTY_HEADERS),
                    [keep(POVERTY_HEADERS, [None, *values])[1:] for values in poverty])
    wb.close()
    return row


def _write_rows(wb, name: str, headers: list[str], rows: list[list]) -> None:
    sheet = wb.add_worksheet(name)
    sheet.write_row(0, 0, headers)
    for i, values in enumerate(rows, 1):
        sheet.write_number(i, 0, i)
        sheet.write_row(i, 1, values)


def load_communes_2025_07() -> list[tuple[str, str]]:
    """The 75-list in force from 2025-07: [(commune code, name)], by code."""
    with open(SEEDS / "communes_2025_07.csv", encoding="utf-8", newline="") as handle:
        return sorted((row["commune_code"], row["commune_name"]) for row in csv.DictReader(handle))


def handed_over(scale: int) -> dict[str, list[dict]]:
    """The district cases still open in the district era's last month (2025-03), by the commune of
    the 75-list they now belong to (crosswalk 200 -> 75): that commune reports them from 2025-07,
    under the same Mã hộ, so a case runs across both eras (the full history has them as one case)."""
    with open(SEEDS / "commune_crosswalk_2025_07.csv", encoding="utf-8", newline="") as handle:
        today = {row["old_commune_code"]: row["new_commune_code"] for row in csv.DictReader(handle)}
    c24, c25 = load_communes()
    by_commune: dict[str, list[dict]] = {}
    for district in DISTRICTS:   # the district part's cases again: same seed, same draws
        both = sorted(set(c24[district]) & set(c25[district]))
        rng = random.Random(f"bench-{district}-{scale}")
        for case in _cases(rng, district, both, CASES_PER_DISTRICT * scale, len(ALL_MONTHS)):
            if case["done"] is None:
                by_commune.setdefault(today[case["static"][1]], []).append(case)
    return by_commune


def _write_commune(args: tuple) -> list[tuple[str, int, int, int]]:
    out, code, name, scale, n_months, inherited = args
    rng = random.Random(f"bench-commune-{code}-{scale}")
    cases = []
    for old in inherited:   # listed from the commune's first report, finished within its first 3 months
        done_index = rng.randint(0, 2)
        dy, dm = COMMUNE_MONTHS[done_index]
        cases.append(dict(old, opened=0, done_index=done_index, done=dt.datetime(dy, dm, rng.randint(1, 28)),
                          not_started_first=False, static=[old["static"][0], code, name, *old["static"][3:]]))
    cases += _cases(rng, code, [(code, name)], CASES_PER_COMMUNE * scale, n_months, COMMUNE_MONTHS)
    # about half the communes leave Mã xã / Tên xã out: the rows are the submitting commune's
    commune_columns = random.Random(f"bench-omit-{code}").random() >= 0.5
    written = []
    for index, (y, m) in enumerate(COMMUNE_MONTHS[:n_months]):
        path = Path(out) / COMMUNE_DIR / code / f"bao_cao_{code}_{y}_{m:02d}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        grants = _grants(rng, [(code, name)], GRANTS_PER_COMMUNE_FILE * scale)
        # the previous year's review in January: 2025 on the 75-list (in force at the end of 2025)
        poverty = _poverty(rng, [(code, name)], y - 1) if m == 1 else []
        houses = _write_file(path, [[LABEL["commune_code"], code], [LABEL["commune_name"], name]], y, m, index,
                             cases, grants, poverty, commune_columns)
        written.append((str(path), houses, len(grants), len(poverty)))
    return written


def _counts(results: list[list[tuple[str, int, int, int]]]) -> dict:
    files = [item for result in results for item in result]
    counts = {"files": len(files), "houses": sum(f[1] for f in files), "grants": sum(f[2] for f in files),
              "poverty": sum(f[3] for f in files)}
    counts["rows"] = counts["houses"] + counts["grants"] + counts["poverty"]
    return counts


def _run(worker, jobs: list[tuple], processes: int) -> list:
    if processes > 1 and len(jobs) > 1:
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            return pool.map(worker, jobs)
    return [worker(job) for job in jobs]


def generate_communes(out: Path, scale: int = 1, communes: int | None = None, months: int | None = None,
                      processes: int = 2) -> dict:
    """The commune era into out/communes/: every commune of the 75-list x every month 2025-07 ..
    2026-10 (or the first `communes` / `months`); returns the counts like generate()."""
    out.mkdir(parents=True, exist_ok=True)
    chosen = load_communes_2025_07()[:communes] if communes else load_communes_2025_07()
    n_months = min(months or len(COMMUNE_MONTHS), len(COMMUNE_MONTHS))
    inherited = handed_over(scale)
    jobs = [(str(out), code, name, scale, n_months, inherited.get(code, [])) for code, name in chosen]
    return _counts(_run(_write_commune, jobs, processes))


def generate(out: Path, scale: int = 1, districts: int | None = None, months: int | None = None,
             processes: int = 2) -> dict:
    """The district era; returns {"files", "houses", "grants", "poverty", "rows"} counts."""
    out.mkdir(parents=True, exist_ok=True)
    chosen = DISTRICTS[:districts] if districts else DISTRICTS
    n_months = min(months or len(ALL_MONTHS), len(ALL_MONTHS))
    jobs = [(str(out), d, scale, n_months) for d in chosen]
    return _counts(_run(_write_district, jobs, processes))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_data", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--scale", type=int, default=1, help="multiply the rows per file (default 1)")
    parser.add_argument("--eras", choices=("district", "all"), default="all",
                        help="the district era only, or the whole history with the commune era (default)")
    parser.add_argument("--districts", type=int, help="only the first K districts")
    parser.add_argument("--months", type=int, help="only the first M months from 2020-01")
    parser.add_argument("--communes", type=int, help="only the first K communes of the 75-list (by code)")
    parser.add_argument("--commune-months", type=int, help="only the first M months from 2025-07")
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be >= 1")
    counts = generate(args.out, args.scale, args.districts, args.months)
    print("district era: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    if args.eras == "all":
        counts = generate_communes(args.out, args.scale, args.communes, args.commune_months)
        print("commune era: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
