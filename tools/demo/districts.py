"""The district era: 12 districts, every month 2020-01 .. 2025-06.

Everything up to 2025-03 is drawn exactly as before the reform work (same seeds, same
order of draws); funding.py then sets every loaded case's amounts by source (the article's
years keep their totals) and, for the 2025 cases, their support at the province's published
split. April-June 2025 and the late correction are drawn from their own seeds after that.
"""
from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from .common import (DONE, NEW, OPEN, PROGRAMMES, SOURCES_, GRANT_UNITS, adjust_to_total, make_case,
                     months, next_month, q2, small_grant, split_int, wchoice)

DISTRICTS = ["116", "118", "119", "120", "121", "122", "123", "124", "125", "126", "127", "128"]
ARTICLE_PERIODS = months((2020, 1), (2025, 3))
PERIODS = months((2020, 1), (2025, 6))
MISSING = {("127", 2024, 8)}
SUPERSEDED_V1 = ("118", 2025, 2)
DUPLICATE_OF = ("121", 2023, 6)
LATE_FILES = {("120", 2021, 7): 14, ("124", 2022, 11): 18, ("126", 2023, 3): 21,
              ("128", 2024, 5): 12, ("122", 2025, 1): 16, ("119", 2025, 5): 13}
REJECTED_NAME = "bao_cao_119_2024_13.xlsx"
# a district's correction of one of its last months, sent long after the reform
CORRECTION = ("125", 2025, 5, dt.date(2026, 2, 9))
# a former district still sending a report for a commune-era month: rejected
DISTRICT_AFTER_REFORM = ("126", 2025, 8)

# --- targets (the article's figures) --------------------------------------------------
HOUSE_YEARS = {2020: (1486, 69_915_000_000), 2021: (1702, 80_420_500_000),
               2022: (1853, 87_712_000_000), 2023: (2061, 97_684_000_000),
               2024: (2215, 105_555_500_000)}
H2025_STARTED = 2337
H2025_OPEN = 550                          # of the 2,337, still being built in the 2025-03 reports
GRANTS_2025 = {"production": (48, 250_400_000, 12), "medical": (1431, 474_150_000, 30),
               "students": (2191, 916_000_000, 30), "hardship_other": (2856, 9_012_500_000, 36)}
POVERTY_RATES = {2020: "24.52", 2021: "21.66", 2022: "17.90", 2023: "14.41", 2024: "10.89"}

# --- April-June 2025 (synthetic) -------------------------------------------------------
Q2_STARTS = {4: 260, 5: 230, 6: 180}      # district cases started per month
Q1_OPEN_LEFT_AT_JUNE = 25                 # of the 550, still being built when the districts closed
# new 200-list phường with no known predecessor cannot be named in a 2025-01 report
JANUARY_SUBSTITUTE = {"03980": "03979", "03983": "03982", "03984": "03982"}

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


def report_month(district: str, d: dt.date) -> tuple[int, int]:
    y, m = d.year, d.month
    while (district, y, m) in MISSING:
        y, m = next_month(y, m)
    return y, m


def generate_cases(rng: random.Random, c24: dict, c25: dict) -> list[dict]:
    """The article's cases: 2020-2024 completions and the 2,337 started in Q1 2025."""
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
    names25 = {c: n for v in c25.values() for c, n in v}
    codes24 = {c for v in c24.values() for c, _ in v}
    for _ in range(H2025_STARTED):
        d = rng.choices(DISTRICTS, weights=dweights)[0]
        m = rng.choices([1, 2, 3], weights=[27, 33, 40])[0]
        start = dt.date(2025, m, rng.randint(1, 28 if m == 2 else 31))
        commune = rng.choice(c25[d])
        if m == 1 and commune[0] not in codes24:   # the January report names the 204-list
            sub = JANUARY_SUBSTITUTE[commune[0]]
            commune = (sub, names25[sub])
        started.append(make_case(rng, d, commune, start, None, OPEN))
    keys = sorted(range(len(started)),
                  key=lambda i: -rng.random() ** (1 / {1: 0.5, 2: 2.0, 3: 6.0}[started[i]["start"].month]))
    open_ids = set(keys[:H2025_OPEN])
    for i, c in enumerate(started):
        if i in open_ids:
            continue
        dur = rng.randint(20, 75) if c["support"] == NEW else rng.randint(10, 40)
        c["completion"] = min(c["start"] + dt.timedelta(days=dur), dt.date(2025, 3, rng.randint(20, 31)))
        if c["completion"] < c["start"]:
            c["completion"] = c["start"]
        c["status"] = DONE
    cases += started   # their amounts: the 2025 norms (funding.settle_2025)
    # household ids: <district>-<start year>-<seq>, unique per district
    seq = defaultdict(int)
    for c in sorted(cases, key=lambda c: (c["district"], c["start"], c["completion"] or dt.date.max,
                                          c["commune"][0], c["person"].cccd)):
        seq[(c["district"], c["start"].year)] += 1
        c["id"] = f"{c['district']}-{c['start'].year}-{seq[(c['district'], c['start'].year)]:04d}"
    return cases


def extend_cases(rng: random.Random, cases: list[dict], c25: dict) -> list[dict]:
    """April-June 2025: most of the 550 finish before 19 May (the article's aim), new cases start;
    what is still open on 2025-06-30 is handed over to the new communes (`crossing`)."""
    q1_open = sorted((c for c in cases if c["status"] == OPEN), key=lambda c: c["id"])
    left = set(c["id"] for c in rng.sample(q1_open, Q1_OPEN_LEFT_AT_JUNE))
    for c in q1_open:
        if c["id"] in left:
            c["crossing"] = True
            continue
        day = dt.date(2025, 4, 1) + dt.timedelta(days=min(int(rng.expovariate(1 / 22)), 58))
        c["completion"], c["status"] = max(day, c["start"]), DONE
    seq = defaultdict(int)
    for c in cases:
        if c["start"].year == 2025:
            seq[c["district"]] = max(seq[c["district"]], int(c["id"].rsplit("-", 1)[1]))
    dweights = [HOUSE_WEIGHT[d] for d in DISTRICTS]
    new = []
    for m, count in Q2_STARTS.items():
        for _ in range(count):
            d = rng.choices(DISTRICTS, weights=dweights)[0]
            start = dt.date(2025, m, rng.randint(1, 30))
            c = make_case(rng, d, rng.choice(c25[d]), start, None, OPEN)
            dur = rng.randint(25, 110) if c["support"] == NEW else rng.randint(12, 50)
            if start + dt.timedelta(days=dur) <= dt.date(2025, 6, 30):
                c["completion"], c["status"] = start + dt.timedelta(days=dur), DONE
            else:
                c["crossing"], c["duration"] = True, dur
            new.append(c)
    for c in sorted(new, key=lambda c: (c["district"], c["start"], c["commune"][0], c["person"].cccd)):
        seq[c["district"]] += 1
        c["id"] = f"{c['district']}-2025-{seq[c['district']]:04d}"
    return cases + new


def house_rows(cases: list[dict]) -> dict:
    """{(district, y, m): [row dicts]} -- a case in its start month and in its completion month
    (district months only: what communes report about a crossing case is theirs)."""
    rows = defaultdict(list)
    for c in cases:
        rs = report_month(c["district"], c["start"])
        if c["status"] == DONE and not c.get("crossing"):
            rc = report_month(c["district"], c["completion"])
            if rs != rc:
                rows[(c["district"], *rs)].append(dict(c, status=OPEN, completion=None))
            rows[(c["district"], *rc)].append(c)
        else:
            rows[(c["district"], *rs)].append(dict(c, status=OPEN, completion=None))
    for k in rows:
        rows[k].sort(key=lambda c: c["id"])
    return rows


def generate_grants(rng: random.Random, c24: dict, c25: dict) -> dict:
    """{(district, y, m): [row dicts]}; keys (commune, programme, source) unique per file."""
    grants = defaultdict(list)
    names24 = {c: n for v in c24.values() for c, n in v}
    for (y, m) in ARTICLE_PERIODS:
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
                lo, hi, plo, phi, unit = GRANT_UNITS[prog]
                n = rng.randint(lo, hi)
                amount = n * rng.randint(plo, phi) * unit
                grants[(d, y, m)].append({"commune": commune, "programme": prog, "n": n,
                                          "amount": amount, "source": src})
    for prog, (count, amount, nrows) in GRANTS_2025.items():
        slots = []
        while len(slots) < nrows:
            d, m = rng.choice(DISTRICTS), rng.randint(1, 3)
            commune, src = rng.choice(c25[d]), wchoice(rng, SOURCES_)
            if m == 1:   # January reports name the 204-list (the 200-list took effect on 2025-02-01)
                code = JANUARY_SUBSTITUTE.get(commune[0], commune[0])
                commune = (code, names24[code])
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


def extend_grants(rng: random.Random, grants: dict, c25: dict) -> dict:
    """April-June 2025: one to four small grant rows per district and month."""
    for (y, m) in months((2025, 4), (2025, 6)):
        for d in DISTRICTS:
            used = set()
            for _ in range(rng.randint(1, 4)):
                prog, commune, src = rng.choice(sorted(PROGRAMMES)), rng.choice(c25[d]), wchoice(rng, SOURCES_)
                if (commune, prog, src) in used:
                    continue
                used.add((commune, prog, src))
                n, amount = small_grant(rng, prog)
                grants[(d, y, m)].append({"commune": commune, "programme": prog, "n": n,
                                          "amount": amount, "source": src})
            grants[(d, y, m)].sort(key=lambda r: (r["commune"][0], r["programme"], r["source"]))
    return grants


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


def correction(rng: random.Random, rows: list[dict], grants: list[dict], d: str, c25: dict) -> tuple[list, list]:
    """The corrected May 2025 report (houses, grants): one house amount lowered, one grant row the
    first version forgot. No case is added or removed: the year's houses are the same with or without
    the correction (the sign-off may hold it back), only 3,000,000 of one house's cost differs."""
    m = CORRECTION[2]
    fixable = [r for r in rows if r["status"] == DONE and r["completion"].month == m and r["support"] == NEW
               and r["local"] >= 4 * 1_000_000]
    fixed = rng.choice(fixable)
    houses = [dict(r, local=r["local"] - 3_000_000, total=r["total"] - 3_000_000, note="Điều chỉnh kinh phí")
              if r is fixed else r for r in rows]
    used = {(g["commune"], g["programme"], g["source"]) for g in grants}
    while True:
        key = (rng.choice(c25[d]), rng.choice(sorted(PROGRAMMES)), wchoice(rng, SOURCES_))
        if key not in used:
            break
    n, amount = small_grant(rng, key[1])
    forgotten = {"commune": key[0], "programme": key[1], "n": n, "amount": amount, "source": key[2], "note": "Bổ sung"}
    return houses, sorted(grants + [forgotten], key=lambda r: (r["commune"][0], r["programme"], r["source"]))
