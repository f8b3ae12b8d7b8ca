"""Deterministic demo submissions: one workbook per district and reporting month.

    python -m tools.demo_data [--out sources/demo] [--plain] [--verify]

Writes ``<out>/<district>/<YYYY>/bao_cao_<district>_<YYYY>_<MM>.xlsx`` for the 12
district-level units of Son La and every month 2020-01 .. 2025-03, following
``/work/shared/spec/submission-format.md``. The output is byte-for-byte the same on
every run (fixed seed, fixed workbook creation dates, xlsxwriter's fixed 1980-01-01 zip
member timestamps). Commune codes come from ``dbt_project/seeds/admin_units_2024.csv``
(reporting months up to 2024-12 and all poverty reviews 2020-2024) and
``dbt_project/seeds/admin_units_2025.csv`` (reporting months from 2025-01).

All personal data is synthetic: household-head names are drawn from a small pool of
Vietnamese-looking names, and every ``Số CCCD`` is ``014`` (Sơn La) + sex/century digit +
two birth-year digits + the marker ``99`` + four random digits (12 digits in all).

Figures the data is built to produce when loaded correctly (latest state per case,
superseded v1, duplicate, rejected file and broken rows excluded) -- see
``expected_figures()``:

Houses (``Nhà ở``), 2020-2024
    9,317 cases end ``Hoàn thành`` with ``Ngày hoàn thành`` in 2020-2024, total support
    (central + local + social) exactly 441,287,000,000 VND. By completion year:
    2020: 1,486 cases / 69,915,000,000; 2021: 1,702 / 80,420,500,000;
    2022: 1,853 / 87,712,000,000; 2023: 2,061 / 97,684,000,000;
    2024: 2,215 / 105,555,500,000. No 2020-2024 case starts in 2025 or is left open.
Houses, 2025-01 .. 2025-03
    2,337 cases with ``Ngày khởi công`` in 2025-01..03: 1,787 ``Hoàn thành`` by March
    (support 85,612,500,000 VND) and 550 still ``Đang thi công`` (support
    26,345,000,000 VND); 111,957,500,000 VND in all.
Grants (``Hỗ trợ``), province totals 2025-01 .. 2025-03
    production 48 households / 250,400,000; medical 1,431 people / 474,150,000;
    students 2,191 students / 916,000,000; hardship_other 2,856 households /
    9,012,500,000 VND.
Poverty (``Hộ nghèo``), province rate = sum(poor) / sum(total) * 100, 2 decimals
    review year 2020: 24.52; 2021: 21.66; 2022: 17.90; 2023: 14.41; 2024: 10.89
    (carried by the January files 2021-01 .. 2025-01, one row per commune of the 2024 list).

Ledger stories
    * ``118/2025/bao_cao_118_2025_02_lan1.xlsx`` (``Lần gửi`` 1) is superseded by
      ``118/2025/bao_cao_118_2025_02.xlsx`` (``Lần gửi`` 2); v1 lacks 3 house rows and
      1 grants row, everything else equal.
    * ``inbox_copy/bao_cao_121_2023_06.xlsx`` is a byte copy of
      ``121/2023/bao_cao_121_2023_06.xlsx`` (duplicate).
    * District 127 has no 2024-08 report; its August 2024 events are reported in 2024-09.
    * Late (``Ngày lập`` after the 10th of the following month): see LATE_FILES.
    * ``bao_cao_119_2024_13.xlsx`` (top level) has ``Kỳ báo cáo`` ``13/2024``: rejected.
    * Broken extra rows in 2023 files (see BROKEN_ROWS): never count.

Default output carries tolerated variations in about a quarter of the files (title row +
blank row above the header, headers without diacritics, house amounts in ``(triệu
đồng)``, a total row, a signature block); ``--plain`` switches them all off.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import random
import shutil
import sys
import unicodedata
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import xlsxwriter

from pipeline.config import REPO_DIR as REPO, SEEDS_DIR
SEEDS = SEEDS_DIR
SEED = 20250319

DISTRICTS = ["116", "118", "119", "120", "121", "122", "123", "124", "125", "126", "127", "128"]
PERIODS = [(y, m) for y in range(2020, 2026) for m in range(1, 13) if (y, m) <= (2025, 3)]
MISSING = {("127", 2024, 8)}
SUPERSEDED_V1 = ("118", 2025, 2)
DUPLICATE_OF = ("121", 2023, 6)
LATE_FILES = {("120", 2021, 7): 14, ("124", 2022, 11): 18, ("126", 2023, 3): 21,
              ("128", 2024, 5): 12, ("122", 2025, 1): 16}
REJECTED_NAME = "bao_cao_119_2024_13.xlsx"

# --- targets -------------------------------------------------------------------------
HOUSE_YEARS = {2020: (1486, 69_915_000_000), 2021: (1702, 80_420_500_000),
               2022: (1853, 87_712_000_000), 2023: (2061, 97_684_000_000),
               2024: (2215, 105_555_500_000)}
H2025_STARTED = 2337
H2025_COMPLETED = (1787, 85_612_500_000)
H2025_OPEN = (550, 26_345_000_000)
GRANTS_2025 = {"production": (48, 250_400_000, 12), "medical": (1431, 474_150_000, 30),
               "students": (2191, 916_000_000, 30), "hardship_other": (2856, 9_012_500_000, 36)}
POVERTY_RATES = {2020: "24.52", 2021: "21.66", 2022: "17.90", 2023: "14.41", 2024: "10.89"}


def expected_figures() -> dict:
    """The figures the demo data is built to produce (see the module docstring)."""
    return {
        "houses_completed_2020_2024": 9317,
        "houses_amount_2020_2024": 441_287_000_000,
        "houses_by_completion_year": {y: {"cases": c, "amount": a} for y, (c, a) in HOUSE_YEARS.items()},
        "houses_started_2025q1": H2025_STARTED,
        "houses_completed_2025q1": H2025_COMPLETED[0],
        "houses_completed_2025q1_amount": H2025_COMPLETED[1],
        "houses_in_progress_2025q1": H2025_OPEN[0],
        "houses_in_progress_2025q1_amount": H2025_OPEN[1],
        "grants_2025q1": {p: {"beneficiaries": n, "amount": a} for p, (n, a, _) in GRANTS_2025.items()},
        "poverty_rate_pct": {y: float(r) for y, r in POVERTY_RATES.items()},
        "ledger": {
            "superseded": "118/2025/bao_cao_118_2025_02_lan1.xlsx",
            "duplicate": "inbox_copy/bao_cao_121_2023_06.xlsx",
            "missing": {"district": "127", "period": "2024-08"},
            "late": sorted(f"{d}/{y}/bao_cao_{d}_{y}_{m:02d}.xlsx" for d, y, m in LATE_FILES),
            "rejected": REJECTED_NAME,
            "broken_rows": [f"{d}/{y}/bao_cao_{d}_{y}_{m:02d}.xlsx: {what}" for (d, y, m, _, what) in BROKEN_ROWS],
        },
    }


# --- vocabulary ----------------------------------------------------------------------
CATEGORIES = [("Hộ nghèo", 0.64), ("Hộ cận nghèo", 0.17), ("Hộ có công", 0.05), ("Hộ khó khăn khác", 0.14)]
NEW, REPAIR = "Xây mới", "Sửa chữa"
NORM = {NEW: 60_000_000, REPAIR: 30_000_000}
CENTRAL = {("Hộ nghèo", NEW): 40_000_000, ("Hộ cận nghèo", NEW): 40_000_000, ("Hộ có công", NEW): 50_000_000,
           ("Hộ khó khăn khác", NEW): 30_000_000, ("Hộ nghèo", REPAIR): 20_000_000,
           ("Hộ cận nghèo", REPAIR): 20_000_000, ("Hộ có công", REPAIR): 25_000_000,
           ("Hộ khó khăn khác", REPAIR): 15_000_000}
DONE, OPEN = "Hoàn thành", "Đang thi công"
PROGRAMMES = {"production": "Phát triển sản xuất", "medical": "Khám chữa bệnh",
              "students": "Hỗ trợ học sinh", "hardship_other": "Hoàn cảnh khó khăn khác"}
SOURCES_ = [("Ngân sách trung ương", 0.45), ("Ngân sách địa phương", 0.35), ("Xã hội hóa", 0.20)]
STEP = 500_000  # every house amount is a multiple: exact in (triệu đồng)

HOUSE_HEADERS = ["STT", "Mã hộ", "Mã xã", "Tên xã", "Bản", "Họ tên chủ hộ", "Số CCCD", "Dân tộc",
                 "Đối tượng", "Hình thức hỗ trợ", "Ngân sách trung ương", "Ngân sách địa phương",
                 "Xã hội hóa", "Ngày khởi công", "Ngày hoàn thành", "Tình trạng", "Ghi chú"]
AMOUNT_COLS = (10, 11, 12)
GRANT_HEADERS = ["STT", "Mã xã", "Tên xã", "Chương trình", "Số đối tượng", "Số tiền", "Nguồn kinh phí", "Ghi chú"]
POVERTY_HEADERS = ["STT", "Mã xã", "Tên xã", "Năm rà soát", "Tổng số hộ", "Số hộ nghèo", "Số hộ cận nghèo",
                   "Hộ nghèo DTTS", "Tỷ lệ hộ nghèo (%)"]

ETHNIC = {  # district -> weights Thái, Mông, Kinh, Mường, Khơ Mú, Dao
    "116": (5, 1, 6, 1, 0, 0), "118": (8, 2, 2, 0, 1, 0), "119": (8, 3, 1, 0, 1, 0),
    "120": (7, 4, 1, 0, 1, 0), "121": (3, 5, 1, 3, 0, 1), "122": (3, 3, 2, 5, 0, 1),
    "123": (3, 4, 4, 1, 0, 2), "124": (6, 3, 2, 0, 1, 1), "125": (6, 2, 3, 0, 2, 0),
    "126": (6, 4, 1, 0, 2, 0), "127": (5, 4, 1, 0, 1, 0), "128": (3, 5, 1, 2, 0, 2)}
ETHNIC_NAMES = ["Thái", "Mông", "Kinh", "Mường", "Khơ Mú", "Dao"]
SURNAMES = {"Thái": ["Lò", "Quàng", "Cầm", "Lường", "Tòng", "Điêu", "Hà", "Vì", "Bạc", "Lù"],
            "Mông": ["Giàng", "Sồng", "Mùa", "Thào", "Vàng", "Lầu", "Hờ", "Sùng"],
            "Kinh": ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ"],
            "Mường": ["Đinh", "Bùi", "Hà", "Xa", "Quách"],
            "Khơ Mú": ["Lò", "Quàng", "Vì", "Lường"],
            "Dao": ["Bàn", "Triệu", "Đặng", "Lý"]}
GIVEN_M = ["Pọm", "Xuân", "Chăm", "Dế", "Páo", "Chứ", "Sinh", "Tiến", "Hùng", "Ban", "Khoa", "Dũng",
           "Chính", "Sáy", "Lử", "Khánh", "Thắng", "Phong", "Sính", "Tồng", "Lả", "Hặc"]
GIVEN_F = ["Ỏn", "Hương", "Lan", "Mai", "Hoa", "Thắm", "Tươi", "Ánh", "Nhè", "Ia", "Pằng", "Xuyến",
           "Bua", "Dợ", "Mỷ", "Chi", "Lả", "Quyên"]
VILLAGES = ["Nà Sài", "Huổi Một", "Pá Sóng", "Co Mạ", "Nà Ban", "Phiêng Lanh", "Hua Mường", "Tà Làng",
            "Pá Khôm", "Nậm Giôn", "Lả Mường", "Bó Mạ", "Nà Hạ", "Co Phường", "Pom Sinh", "Cang Mường",
            "Huổi Lạ", "Kéo Cang", "Nong La", "Pá Mu", "Nà Tén", "Hát Sét"]
NOTES = ["", "", "", "", "", "", "Hộ neo đơn", "Đã nghiệm thu", "Hộ có người khuyết tật", "Vùng sạt lở"]

# 2020 district poverty rates (share of households), mountain districts higher
DISTRICT_RATE_2020 = {"116": 0.035, "118": 0.27, "119": 0.31, "120": 0.28, "121": 0.41, "122": 0.26,
                      "123": 0.13, "124": 0.23, "125": 0.19, "126": 0.36, "127": 0.44, "128": 0.34}
HOUSE_WEIGHT = {"116": 0.3, "118": 0.8, "119": 1.6, "120": 1.1, "121": 1.0, "122": 1.3, "123": 0.7,
                "124": 0.8, "125": 1.2, "126": 1.4, "127": 0.8, "128": 1.0}

# (district, year, month, sheet, description) -- extra rows that must be rejected
BROKEN_ROWS = [
    ("120", 2023, 5, "houses", "unknown commune code 99999"),
    ("125", 2023, 8, "houses", "Tình trạng 'xong'"),
    ("126", 2023, 10, "houses", "negative Ngân sách địa phương -5000000"),
    ("119", 2023, 11, "houses", "commune 03646 belongs to district 116"),
    ("122", 2023, 4, "grants", "unknown Chương trình 'Hỗ trợ khác'"),
]


def strip_diacritics(text: str) -> str:
    s = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", s.replace("đ", "d").replace("Đ", "D"))


def load_units(seeds: Path = SEEDS) -> tuple[dict, dict, dict]:
    """(communes_2024, communes_2025, district_names): communes as {district: [(code, name)]},
    names as {(district, list year): name} with list year 2024 or 2025."""
    out = []
    names = {}
    for fname in ("admin_units_2024.csv", "admin_units_2025.csv"):
        by_d = defaultdict(list)
        with open(seeds / fname, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                by_d[row["district_code"]].append((row["commune_code"], row["commune_name_vi"]))
                names[(row["district_code"], 2024 if "2024" in fname else 2025)] = row["district_name_vi"]
        out.append({d: sorted(v) for d, v in by_d.items()})
    return out[0], out[1], names


def wchoice(rng: random.Random, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def month_end(y: int, m: int) -> dt.date:
    return (dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1))


def report_month(district: str, d: dt.date) -> tuple[int, int]:
    y, m = d.year, d.month
    while (district, y, m) in MISSING:
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return y, m


# --- generation ----------------------------------------------------------------------
class Person:
    def __init__(self, rng: random.Random, district: str):
        eth = rng.choices(ETHNIC_NAMES, weights=ETHNIC[district])[0]
        female = rng.random() < 0.3
        middle = ("Thị" if female else ("A" if eth == "Mông" else "Văn"))
        self.name = f"{rng.choice(SURNAMES[eth])} {middle} {rng.choice(GIVEN_F if female else GIVEN_M)}"
        self.ethnicity = eth
        born = rng.randint(1945, 2002)
        sexc = (1 if female else 0) + (2 if born >= 2000 else 0)
        self.cccd = f"014{sexc}{born % 100:02d}99{rng.randint(0, 9999):04d}"
        self.village = "Bản " + rng.choice(VILLAGES)


def adjust_to_total(rng: random.Random, cases: list, target: int) -> None:
    """Move local budgets in STEP units until the cases' total support is exactly target."""
    diff = target - sum(c["total"] for c in cases)
    assert diff % STEP == 0
    while diff:
        c = rng.choice(cases)
        delta = STEP if diff > 0 else -STEP
        new_local = c["local"] + delta
        new_total = c["total"] + delta
        if new_local < 0 or new_total > 2 * NORM[c["support"]] or new_total < NORM[c["support"]] // 3:
            continue
        c["local"], c["total"] = new_local, new_total
        diff -= delta


def make_case(rng: random.Random, district: str, commune, start: dt.date, completion, status) -> dict:
    category = wchoice(rng, CATEGORIES)
    support = NEW if rng.random() < 0.62 else REPAIR
    central = CENTRAL[(category, support)]
    if support == NEW:
        local = rng.randint(16, 48) * STEP
        social = 0 if rng.random() < 0.4 else rng.randint(2, 20) * STEP
    else:
        local = rng.randint(6, 24) * STEP
        social = 0 if rng.random() < 0.4 else rng.randint(1, 10) * STEP
    return {"district": district, "commune": commune, "person": Person(rng, district), "category": category,
            "support": support, "central": central, "local": local, "social": social,
            "total": central + local + social, "start": start, "completion": completion, "status": status,
            "note": rng.choice(NOTES)}


def generate_cases(rng: random.Random, c24: dict, c25: dict) -> list[dict]:
    cases = []
    dweights = [HOUSE_WEIGHT[d] for d in DISTRICTS]
    mweights = [4, 4, 5, 6, 7, 8, 8, 9, 10, 11, 12, 14]
    for year, (count, amount) in HOUSE_YEARS.items():
        ycases = []
        for _ in range(count):
            d = rng.choices(DISTRICTS, weights=dweights)[0]
            m = rng.choices(range(1, 13), weights=mweights)[0]
            comp = dt.date(year, m, rng.randint(1, 28))
            c = make_case(rng, d, rng.choice(c24[d]), comp, comp, DONE)
            dur = rng.randint(30, 150) if c["support"] == NEW else rng.randint(15, 75)
            c["start"] = min(max(comp - dt.timedelta(days=dur), dt.date(2020, 1, 1)), comp)
            ycases.append(c)
        adjust_to_total(rng, ycases, amount)
        cases += ycases
    # 2025 Q1: 2,337 started, 550 still open at the end of March
    started = []
    for _ in range(H2025_STARTED):
        d = rng.choices(DISTRICTS, weights=dweights)[0]
        m = rng.choices([1, 2, 3], weights=[27, 33, 40])[0]
        start = dt.date(2025, m, rng.randint(1, 28 if m == 2 else 31))
        started.append(make_case(rng, d, rng.choice(c25[d]), start, None, OPEN))
    keys = sorted(range(len(started)),
                  key=lambda i: -rng.random() ** (1 / {1: 0.5, 2: 2.0, 3: 6.0}[started[i]["start"].month]))
    open_ids = set(keys[:H2025_OPEN[0]])
    done, still_open = [], []
    for i, c in enumerate(started):
        if i in open_ids:
            still_open.append(c)
            continue
        dur = rng.randint(20, 75) if c["support"] == NEW else rng.randint(10, 40)
        c["completion"] = min(c["start"] + dt.timedelta(days=dur), dt.date(2025, 3, rng.randint(20, 31)))
        if c["completion"] < c["start"]:
            c["completion"] = c["start"]
        c["status"] = DONE
        done.append(c)
    adjust_to_total(rng, done, H2025_COMPLETED[1])
    adjust_to_total(rng, still_open, H2025_OPEN[1])
    cases += started
    # household ids: <district>-<start year>-<seq>, unique per district
    seq = defaultdict(int)
    for c in sorted(cases, key=lambda c: (c["district"], c["start"], c["completion"] or dt.date.max,
                                          c["commune"][0], c["person"].cccd)):
        seq[(c["district"], c["start"].year)] += 1
        c["id"] = f"{c['district']}-{c['start'].year}-{seq[(c['district'], c['start'].year)]:04d}"
    return cases


def house_rows(cases: list[dict]) -> dict:
    """{(district, y, m): [row dicts]} -- a case in its start month and in its completion month."""
    rows = defaultdict(list)
    for c in cases:
        rs = report_month(c["district"], c["start"])
        if c["status"] == DONE:
            rc = report_month(c["district"], c["completion"])
            if rs != rc:
                rows[(c["district"], *rs)].append(dict(c, status=OPEN, completion=None))
            rows[(c["district"], *rc)].append(c)
        else:
            rows[(c["district"], *rs)].append(c)
    for k in rows:
        rows[k].sort(key=lambda c: c["id"])
    return rows


def split_int(rng: random.Random, total: int, n: int) -> list[int]:
    """n positive integers summing to total."""
    cuts = sorted(rng.sample(range(1, total), n - 1))
    return [b - a for a, b in zip([0] + cuts, cuts + [total])]


def generate_grants(rng: random.Random, c24: dict, c25: dict) -> dict:
    """{(district, y, m): [row dicts]}; keys (commune, programme, source) unique per file."""
    grants = defaultdict(list)
    per_unit = {"production": (1, 4, 30, 60, 100_000), "medical": (3, 25, 25, 45, 10_000),
                "students": (5, 40, 30, 50, 10_000), "hardship_other": (2, 20, 10, 30, 100_000)}
    for (y, m) in PERIODS:
        if y >= 2025:
            continue
        for d in DISTRICTS:
            if (d, y, m) in MISSING:
                continue
            used = set()
            for _ in range(rng.randint(1, 4)):
                prog = rng.choice(sorted(PROGRAMMES))
                commune = rng.choice(c24[d])
                src = wchoice(rng, SOURCES_)
                if (commune, prog, src) in used:
                    continue
                used.add((commune, prog, src))
                lo, hi, plo, phi, unit = per_unit[prog]
                n = rng.randint(lo, hi)
                amount = n * rng.randint(plo, phi) * unit
                grants[(d, y, m)].append({"commune": commune, "programme": prog, "n": n,
                                          "amount": amount, "source": src})
    for prog, (count, amount, nrows) in GRANTS_2025.items():
        slots = []
        while len(slots) < nrows:
            d, m = rng.choice(DISTRICTS), rng.randint(1, 3)
            commune, src = rng.choice(c25[d]), wchoice(rng, SOURCES_)
            if any(r["commune"] == commune and r["programme"] == prog and r["source"] == src
                   for r in grants[(d, 2025, m)]):
                continue
            row = {"commune": commune, "programme": prog, "n": 0, "amount": 0, "source": src}
            grants[(d, 2025, m)].append(row)
            slots.append(row)
        ns = split_int(rng, count, nrows)
        weights = [n * rng.uniform(0.8, 1.25) for n in ns]
        unit = 100_000 if prog == "students" else 1_000
        amounts = [int(amount * w / sum(weights) / unit) * unit for w in weights]
        amounts[-1] += amount - sum(amounts)
        for row, n, a in zip(slots, ns, amounts):
            assert a > 0
            row["n"], row["amount"] = n, a
    for k in grants:
        grants[k].sort(key=lambda r: (r["commune"][0], r["programme"], r["source"]))
    return grants


def q2(x) -> Decimal:
    return Decimal(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def generate_poverty(rng: random.Random, c24: dict) -> dict:
    """{review_year: {district: [row dicts]}} over the 2024 commune list."""
    communes = [(d, c) for d in DISTRICTS for c in c24[d]]
    base, factor = {}, {}
    for d, c in communes:
        urban = c[1].startswith(("Phường", "Thị trấn"))
        base[c] = rng.randint(2200, 4200) if urban else rng.randint(650, 2300)
        factor[c] = min(max(rng.lognormvariate(0, 0.35), 0.3), 2.2) * (0.45 if urban and d != "116" else 1.0)
    decline = {2020: 1.0, 2021: 0.88, 2022: 0.73, 2023: 0.59, 2024: 0.445}
    out = {}
    for year, rate in POVERTY_RATES.items():
        rows = []
        for d, c in communes:
            total = int(base[c] * 1.012 ** (year - 2020)) + rng.randint(-15, 15)
            speed = 0.8 if d == "116" else 1.0
            r = min(DISTRICT_RATE_2020[d] * factor[c] * decline[year] ** (1 + (1 - speed)) * rng.uniform(0.93, 1.07), 0.8)
            rows.append({"district": d, "commune": c, "total": total, "raw": total * r})
        T = sum(r["total"] for r in rows)
        target = Decimal(rate)
        P = int((target * T / 100).to_integral_value(ROUND_HALF_UP))
        assert q2(Decimal(P) * 100 / T) == target, (year, P, T)
        S = sum(r["raw"] for r in rows)
        for r in rows:
            r["poor"] = max(1, int(r["raw"] * P / S))
        diff = P - sum(r["poor"] for r in rows)
        while diff:
            r = rng.choice(rows)
            step = 1 if diff > 0 else -1
            if r["poor"] + step < 1 or r["poor"] + step > 0.85 * r["total"]:
                continue
            r["poor"] += step
            diff -= step
        for r in rows:
            r["near"] = min(int(r["total"] * rng.uniform(0.05, 0.12)), r["total"] - r["poor"])
            share = rng.uniform(0.4, 0.7) if r["district"] == "116" else (
                rng.uniform(0.75, 0.95) if r["district"] in ("123", "125") else rng.uniform(0.9, 1.0))
            r["dtts"] = int(r["poor"] * share)
            r["rate"] = float(q2(Decimal(r["poor"]) * 100 / r["total"]))
        by_d = defaultdict(list)
        for r in rows:
            by_d[r["district"]].append(r)
        out[year] = dict(by_d)
    return out


# --- writing -------------------------------------------------------------------------
class Style:
    def __init__(self, title=False, nodiac=False, trieu=False, total=False, signature=False):
        self.title, self.nodiac, self.trieu, self.total, self.signature = title, nodiac, trieu, total, signature


def pick_style(d: str, y: int, m: int, plain: bool) -> Style:
    if plain or any((d, y, m) == (b[0], b[1], b[2]) for b in BROKEN_ROWS):
        return Style()
    r = random.Random(f"{SEED}-style-{d}-{y}-{m}")
    if r.random() >= 0.25:
        return Style()
    flags = [r.random() < 0.5 for _ in range(5)]
    if not any(flags):
        flags[r.randrange(5)] = True
    return Style(*flags)


def write_table(wb, ws, headers, rows, style: Style, fmt, title: str, total_cols=(), sign_by=""):
    """rows: lists of (kind, value); kind in 's', 'n', 'd', ''."""
    hdr = [strip_diacritics(h) if style.nodiac else h for h in headers]
    r0 = 0
    if style.title:
        ws.merge_range(0, 0, 0, len(headers) - 1, title, fmt["title"])
        r0 = 2
    for j, h in enumerate(hdr):
        ws.write_string(r0, j, h, fmt["hdr"])
    r = r0 + 1
    for row in rows:
        for j, (kind, v) in enumerate(row):
            if v is None or v == "":
                continue
            if kind == "s":
                ws.write_string(r, j, v)
            elif kind == "d":
                ws.write_datetime(r, j, dt.datetime(v.year, v.month, v.day), fmt["date"])
            else:
                ws.write_number(r, j, v)
        r += 1
    if style.total and rows:
        ws.write_string(r, 0, "Tổng cộng" if not style.nodiac else "Tong cong", fmt["hdr"])
        for j in total_cols:
            ws.write_number(r, j, sum(row[j][1] or 0 for row in rows), fmt["hdr"])
        r += 1
    if style.signature:
        ws.write_string(r + 1, 1, "Người lập biểu")
        ws.write_string(r + 1, 6, "Thủ trưởng đơn vị")
        ws.write_string(r + 2, 1, "(Ký, ghi rõ họ tên)")
        ws.write_string(r + 5, 1, sign_by)
    ws.set_column(0, len(headers) - 1, 14)


def write_workbook(path: Path, d: str, y: int, m: int, version: int, prepared: dt.date, clerk: str,
                   dname: str, houses, grants, poverty, style: Style, extra_house=(), extra_grant=()):
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})
    created = dt.datetime(prepared.year, prepared.month, prepared.day, 8, 30, 0)
    wb.set_properties({"author": clerk, "created": created})
    fmt = {"date": wb.add_format({"num_format": "dd/mm/yyyy"}), "hdr": wb.add_format({"bold": True}),
           "title": wb.add_format({"bold": True, "align": "center"})}
    cov = wb.add_worksheet("Thông tin")
    for i, (label, kind, value) in enumerate([("Mã huyện", "s", d), ("Tên huyện", "s", dname),
                                              ("Kỳ báo cáo", "s", f"{m:02d}/{y}"), ("Lần gửi", "n", version),
                                              ("Ngày lập", "d", prepared), ("Người lập", "s", clerk)]):
        cov.write_string(i, 0, label, fmt["hdr"])
        if kind == "s":
            cov.write_string(i, 1, value)
        elif kind == "n":
            cov.write_number(i, 1, value)
        else:
            cov.write_datetime(i, 1, dt.datetime(value.year, value.month, value.day), fmt["date"])
    cov.set_column(0, 1, 22)
    period = f"{m:02d}/{y}"
    if houses or extra_house:
        ws = wb.add_worksheet("Nhà ở")
        headers = list(HOUSE_HEADERS)
        div = 1
        if style.trieu:
            div = 1_000_000
            for j in AMOUNT_COLS:
                headers[j] += " (triệu đồng)"
        rows = []
        for i, c in enumerate(list(houses) + list(extra_house), 1):
            p = c["person"]
            amt = [c["central"], c["local"], c["social"]]
            amt = [a / div if div != 1 else a for a in amt]
            rows.append([("n", i), ("s", c["id"]), ("s", c["commune"][0]), ("s", c["commune"][1]),
                         ("s", p.village), ("s", p.name), ("s", p.cccd), ("s", p.ethnicity),
                         ("s", c["category"]), ("s", c["support"]), ("n", amt[0]), ("n", amt[1]),
                         ("n", amt[2]), ("d", c["start"]), ("d", c["completion"]), ("s", c["status"]),
                         ("s", c["note"])])
        write_table(wb, ws, headers, rows, style, fmt, f"BÁO CÁO HỖ TRỢ NHÀ Ở THÁNG {period} - {dname.upper()}",
                    AMOUNT_COLS, clerk)
    if grants or extra_grant:
        ws = wb.add_worksheet("Hỗ trợ")
        rows = []
        for i, g in enumerate(list(grants) + list(extra_grant), 1):
            rows.append([("n", i), ("s", g["commune"][0]), ("s", g["commune"][1]),
                         ("s", PROGRAMMES.get(g["programme"], g["programme"])), ("n", g["n"]),
                         ("n", g["amount"]), ("s", g["source"]), ("s", g.get("note", ""))])
        write_table(wb, ws, GRANT_HEADERS, rows, style, fmt, f"KẾT QUẢ HỖ TRỢ THÁNG {period}", (4, 5), clerk)
    if poverty:
        ws = wb.add_worksheet("Hộ nghèo")
        rows = []
        for i, (year, r) in enumerate(poverty, 1):
            rows.append([("n", i), ("s", r["commune"][0]), ("s", r["commune"][1]), ("n", year),
                         ("n", r["total"]), ("n", r["poor"]), ("n", r["near"]), ("n", r["dtts"]), ("n", r["rate"])])
        write_table(wb, ws, POVERTY_HEADERS, rows, style, fmt, f"KẾT QUẢ RÀ SOÁT HỘ NGHÈO - {dname.upper()}",
                    (4, 5, 6, 7), clerk)
    wb.close()


def broken_house_row(rng, d, y, m, kind, c24) -> dict:
    day = dt.date(y, m, 10)
    c = make_case(rng, d, rng.choice(c24[d]), day - dt.timedelta(days=40), day, DONE)
    c["id"] = f"{d}-{y}-{9000 + m:04d}"
    if kind.startswith("unknown commune"):
        c["commune"] = ("99999", "Xã Không Có")
    elif "xong" in kind:
        c["status"] = "xong"
    elif kind.startswith("negative"):
        c["local"] = -5_000_000
    elif "belongs to" in kind:
        c["commune"] = c24["116"][0]
    return c


def generate(out: Path, plain: bool = False) -> list[Path]:
    c24, c25, dnames = load_units()
    assert sorted(c24) == DISTRICTS == sorted(c25)
    rng = random.Random(SEED)
    cases = generate_cases(rng, c24, c25)
    hrows = house_rows(cases)
    grants = generate_grants(random.Random(SEED + 1), c24, c25)
    poverty = generate_poverty(random.Random(SEED + 2), c24)
    prng = random.Random(SEED + 3)
    clerks = {d: [Person(prng, d).name for _ in range(2)] for d in DISTRICTS}
    if out.exists():  # remove only what an earlier run wrote
        for old in sorted(out.rglob("bao_cao_*.xlsx")):
            old.unlink()
    written = []
    brng = random.Random(SEED + 4)
    for (y, m) in PERIODS:
        for d in DISTRICTS:
            if (d, y, m) in MISSING:
                continue
            ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
            day = LATE_FILES.get((d, y, m), prng.randint(2, 9))
            prepared = dt.date(ny, nm, day)
            clerk = clerks[d][0 if y < 2023 else 1]
            pov = [(y - 1, r) for r in poverty[y - 1][d]] if m == 1 and y - 1 in poverty else []
            xh, xg = [], []
            for (bd, by, bm, sheet, what) in BROKEN_ROWS:
                if (bd, by, bm) == (d, y, m):
                    if sheet == "houses":
                        xh.append(broken_house_row(brng, d, y, m, what, c24))
                    else:
                        xg.append({"commune": c24[d][0], "programme": "Hỗ trợ khác", "n": 3,
                                   "amount": 1_500_000, "source": "Xã hội hóa", "note": "Chương trình sai"})
            style = pick_style(d, y, m, plain)
            dname = dnames[(d, 2024 if y <= 2024 else 2025)]
            path = out / d / str(y) / f"bao_cao_{d}_{y}_{m:02d}.xlsx"
            version = 1
            if (d, y, m) == SUPERSEDED_V1:
                version = 2
                hv1 = hrows[(d, y, m)][3:]
                gv1 = grants[(d, y, m)][:-1]
                p1 = out / d / str(y) / f"bao_cao_{d}_{y}_{m:02d}_lan1.xlsx"
                write_workbook(p1, d, y, m, 1, prepared - dt.timedelta(days=4), clerk, dname, hv1, gv1, pov, style)
                written.append(p1)
            write_workbook(path, d, y, m, version, prepared, clerk, dname, hrows.get((d, y, m), []),
                           grants.get((d, y, m), []), pov, style, xh, xg)
            written.append(path)
    # duplicate: exact byte copy in another folder
    d, y, m = DUPLICATE_OF
    src = out / d / str(y) / f"bao_cao_{d}_{y}_{m:02d}.xlsx"
    dup = out / "inbox_copy" / src.name
    dup.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dup)
    written.append(dup)
    # rejected as a whole: month 13; its rows would change the totals if they were loaded
    fake = []
    frng = random.Random(SEED + 5)
    for i in range(5):
        c = make_case(frng, "119", c24["119"][i], dt.date(2024, 11, 5), dt.date(2024, 12, 20), DONE)
        c["id"] = f"119-2024-{9901 + i}"
        fake.append(c)
    rej = out / REJECTED_NAME
    write_workbook(rej, "119", 2024, 13, 1, dt.date(2025, 1, 6), clerks["119"][1], dnames[("119", 2024)], fake,
                   [{"commune": c24["119"][0], "programme": "medical", "n": 40, "amount": 12_000_000,
                     "source": "Xã hội hóa"}], [], Style())
    written.append(rej)
    return written


# --- verification (independent read-back) ---------------------------------------------
def _fold(v) -> str:
    return " ".join(strip_diacritics(str(v)).lower().replace("_", " ").split()) if v is not None else ""


def verify(out: Path) -> dict:
    """Read every workbook back with openpyxl and recompute the figures."""
    import openpyxl
    c24, c25, _ = load_units()
    valid = {2024: {d: dict(v) for d, v in c24.items()}, 2025: {d: dict(v) for d, v in c25.items()}}
    seen, subs, ledger = {}, [], defaultdict(list)
    problems = []
    for path in sorted(out.rglob("*.xlsx")):
        rel = path.relative_to(out).as_posix()
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        if sha in seen:
            ledger["duplicate"].append(f"{rel} (= {seen[sha]})")
            continue
        seen[sha] = rel
        wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
        sheets = {_fold(n).replace(" ", ""): wb[n] for n in wb.sheetnames}
        cover = {}
        for row in sheets["thongtin"].iter_rows(values_only=True):
            if row[0]:
                cover[_fold(row[0]).rstrip(":")] = row[1]
        mm, yy = (int(x) for x in str(cover["ky bao cao"]).split("/"))
        if not 1 <= mm <= 12:
            ledger["rejected"].append(f"{rel} (period {cover['ky bao cao']})")
            continue
        prepared = cover["ngay lap"].date()
        ny, nm = (yy + 1, 1) if mm == 12 else (yy, mm + 1)
        if prepared > dt.date(ny, nm, 10):
            ledger["late"].append(f"{rel} (prepared {prepared})")
        sub = {"rel": rel, "d": cover["ma huyen"], "p": (yy, mm), "v": int(cover["lan gui"]),
               "houses": [], "grants": [], "poverty": [], "rejected_rows": []}
        for key, name in (("houses", "nhao"), ("grants", "hotro"), ("poverty", "hongheo")):
            if name not in sheets:
                continue
            rows = list(sheets[name].iter_rows(values_only=True))
            hi = next(i for i, r in enumerate(rows[:30]) if "ma xa" in [_fold(c) for c in r])
            cols, units = {}, {}
            for j, h in enumerate(rows[hi]):
                f = _fold(h)
                unit = 1
                if f.endswith("(trieu dong)"):
                    f, unit = f[: -len("(trieu dong)")].strip(), 1_000_000
                cols[f], units[f] = j, unit
            for i, r in enumerate(rows[hi + 1:], hi + 2):
                first = next((c for c in r if c not in (None, "")), None)
                if isinstance(first, str) and _fold(first).startswith(("nguoi lap", "thu truong")):
                    break  # signature block: everything below is footer
                if first is None or (isinstance(first, str) and _fold(first).startswith(("tong", "cong"))):
                    continue
                rec = {f: r[j] if j < len(r) else None for f, j in cols.items()}
                if rec.get("ma xa") in (None, ""):
                    continue  # signature block / notes
                for f, u in units.items():
                    if u != 1 and rec[f] is not None:
                        v = rec[f] * u
                        if v != int(v):
                            problems.append(f"{rel}:{i} inexact million amount {rec[f]}")
                        rec[f] = int(v)
                lst = valid[2024 if (key == "poverty" or yy <= 2024) else 2025][sub["d"]]
                err = None
                if rec["ma xa"] not in lst:
                    err = f"commune {rec['ma xa']}"
                elif lst[rec["ma xa"]] != rec["ten xa"]:
                    err = "commune name"
                if key == "houses" and not err:
                    if rec["tinh trang"] not in (DONE, OPEN, "Chưa khởi công"):
                        err = f"status {rec['tinh trang']}"
                    elif min(rec[f] or 0 for f in ("ngan sach trung uong", "ngan sach dia phuong", "xa hoi hoa")) < 0:
                        err = "negative amount"
                if key == "grants" and not err:
                    progs = {v: k for k, v in PROGRAMMES.items()}
                    if rec["chuong trinh"] not in progs:
                        err = f"programme {rec['chuong trinh']}"
                    else:
                        rec["programme"] = progs[rec["chuong trinh"]]
                if err:
                    sub["rejected_rows"].append(f"{rel} {key} row {i}: {err}")
                else:
                    sub[key].append(rec)
        subs.append(sub)
    # supersession: highest version per district and month
    best = {}
    for s in subs:
        k = (s["d"], s["p"])
        if k not in best or s["v"] > best[k]["v"]:
            best[k] = s
    for s in subs:
        if best[(s["d"], s["p"])] is not s:
            ledger["superseded"].append(f"{s['rel']} (v{s['v']})")
    live = sorted(best.values(), key=lambda s: (s["p"], s["v"]))
    for s in live:
        ledger["rejected_rows"] += s["rejected_rows"]
    present = {(d, p) for d, p in best}
    ledger["missing"] = [f"{d} {y}-{m:02d}" for (y, m) in PERIODS for d in DISTRICTS if (d, (y, m)) not in present]
    # houses: latest state per (district, household id)
    state = {}
    for s in live:
        ids = [r["ma ho"] for r in s["houses"]]
        if len(ids) != len(set(ids)):
            problems.append(f"{s['rel']}: duplicate household ids")
        pend = month_end(*s["p"])
        for r in s["houses"]:
            st = r["ngay khoi cong"].date() if r["ngay khoi cong"] else None
            cp = r["ngay hoan thanh"].date() if r["ngay hoan thanh"] else None
            tot = sum(int(r[f] or 0) for f in ("ngan sach trung uong", "ngan sach dia phuong", "xa hoi hoa"))
            norm = NORM[r["hinh thuc ho tro"]]
            if r["tinh trang"] == DONE and (cp is None or cp > pend or cp < st or tot <= 0):
                problems.append(f"{s['rel']}: bad completed row {r['ma ho']}")
            if tot > 3 * norm or r["doi tuong"] not in dict(CATEGORIES):
                problems.append(f"{s['rel']}: bad row {r['ma ho']}")
            if not (isinstance(r["so cccd"], str) and len(r["so cccd"]) == 12 and r["so cccd"].isdigit()):
                problems.append(f"{s['rel']}: bad CCCD {r['so cccd']}")
            state[(s["d"], r["ma ho"])] = (r["tinh trang"], st, cp, tot)
    fig = {"houses_by_completion_year": {}}
    for y in range(2020, 2025):
        sel = [v for v in state.values() if v[0] == DONE and v[2].year == y]
        fig["houses_by_completion_year"][y] = {"cases": len(sel), "amount": sum(v[3] for v in sel)}
    old = [v for v in state.values() if v[1].year < 2025]
    fig["houses_completed_2020_2024"] = sum(1 for v in old if v[0] == DONE and v[2].year <= 2024)
    fig["houses_amount_2020_2024"] = sum(v[3] for v in old if v[0] == DONE and v[2].year <= 2024)
    if any(v[0] != DONE for v in old):
        problems.append("a 2020-2024 case is not completed")
    new = [v for v in state.values() if v[1] >= dt.date(2025, 1, 1)]
    fig["houses_started_2025q1"] = len(new)
    fig["houses_completed_2025q1"] = sum(1 for v in new if v[0] == DONE)
    fig["houses_completed_2025q1_amount"] = sum(v[3] for v in new if v[0] == DONE)
    fig["houses_in_progress_2025q1"] = sum(1 for v in new if v[0] == OPEN)
    fig["houses_in_progress_2025q1_amount"] = sum(v[3] for v in new if v[0] == OPEN)
    g = defaultdict(lambda: {"beneficiaries": 0, "amount": 0})
    gyear = defaultdict(int)
    for s in live:
        keys = [(r["ma xa"], r["programme"], r["nguon kinh phi"]) for r in s["grants"]]
        if len(keys) != len(set(keys)):
            problems.append(f"{s['rel']}: duplicate grant keys")
        for r in s["grants"]:
            gyear[s["p"][0]] += r["so tien"]
            if s["p"] >= (2025, 1):
                g[r["programme"]]["beneficiaries"] += r["so doi tuong"]
                g[r["programme"]]["amount"] += r["so tien"]
    fig["grants_2025q1"] = dict(sorted(g.items()))
    fig["grants_amount_by_year"] = dict(sorted(gyear.items()))
    pov = {}
    for s in live:
        for r in s["poverty"]:
            pov[(r["ma xa"], r["nam ra soat"])] = r
            if r["so ho ngheo"] + r["so ho can ngheo"] > r["tong so ho"] or r["ho ngheo dtts"] > r["so ho ngheo"] \
                    or abs(r["ty le ho ngheo (%)"] - r["so ho ngheo"] * 100 / r["tong so ho"]) > 0.0051:
                problems.append(f"{s['rel']}: bad poverty row {r['ma xa']}")
    fig["poverty_rate_pct"], fig["poverty_households"] = {}, {}
    for y in range(2020, 2025):
        rows = [r for (c, yy), r in pov.items() if yy == y]
        T, P = sum(r["tong so ho"] for r in rows), sum(r["so ho ngheo"] for r in rows)
        fig["poverty_rate_pct"][y] = float(q2(Decimal(P) * 100 / T))
        fig["poverty_households"][y] = {"communes": len(rows), "total": T, "poor": P,
                                        "near_poor": sum(r["so ho can ngheo"] for r in rows)}
    fig["ledger"] = dict(ledger)
    fig["problems"] = problems
    return fig


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(REPO / "sources" / "demo"))
    ap.add_argument("--plain", action="store_true", help="no tolerated variations (title rows, units, ...)")
    ap.add_argument("--verify", action="store_true", help="read the output back and print the figures")
    a = ap.parse_args(argv)
    out = Path(a.out)
    files = generate(out, a.plain)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"wrote {len(files)} workbooks to {out} ({size / 1e6:.2f} MB)")
    if a.verify:
        import pprint
        fig = verify(out)
        pprint.pprint(fig, width=120, sort_dicts=False)
        exp = expected_figures()
        bad = [k for k in exp if k in fig and k != "ledger" and fig[k] != exp[k]]
        if bad or fig["problems"]:
            print("MISMATCH:", bad, fig["problems"][:20], file=sys.stderr)
            return 1
        print("all figures match expected_figures()")
    return 0


if __name__ == "__main__":
    sys.exit(main())
