"""Build every submission in memory (build), then write the workbooks (generate)."""
from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

from .common import DONE, SEED, Person, make_case
from .communes import (COMMUNE_BEFORE_REFORM, COMMUNE_LATE, COMMUNE_MISSING, COMMUNE_PERIODS, COMMUNE_SUPERSEDED_V1,
                       NAME_ONLY_COVERS, NEIGHBOUR_ROW, OLD_TEMPLATE_COVER, STORY_COMMUNES, commune_cases,
                       commune_grants, commune_house_rows, hand_over, omits_commune, poverty_2025)
from .districts import (BROKEN_ROWS, CORRECTION, DISTRICT_AFTER_REFORM, DISTRICTS, DUPLICATE_OF, LATE_FILES, MISSING,
                        PERIODS, REJECTED_NAME, SUPERSEDED_V1, broken_house_row, correction, extend_cases,
                        extend_grants, generate_cases, generate_grants, generate_poverty, house_rows)
from .funding import fund, settle_2025
from .units import lists
from .xlsx import Sub, Style, pick_style, write_workbook


def district_rel(d: str, y: int, m: int, suffix: str = "") -> str:
    return f"{d}/{y}/bao_cao_{d}_{y}_{m:02d}{suffix}.xlsx"


def commune_rel(code: str, y: int, m: int, suffix: str = "") -> str:
    return f"communes/{code}/{y}/bao_cao_xa_{code}_{y}_{m:02d}{suffix}.xlsx"


def _due_day(rng: random.Random, late: dict, key) -> int:
    return late.get(key, rng.randint(2, 9))   # the draw happens either way: later files keep their dates


def build(plain: bool = False) -> list[Sub]:
    """Every submission of the demo, in a fixed order (the district era first, as it always was)."""
    ls = lists()
    c24, c25, dnames = ls.c24, ls.c25, ls.district_names
    assert sorted(c24) == DISTRICTS == sorted(c25)
    rng = random.Random(SEED)
    cases = generate_cases(rng, c24, c25)
    grants = generate_grants(random.Random(SEED + 1), c24, c25)
    poverty = generate_poverty(random.Random(SEED + 2), c24)
    prng = random.Random(SEED + 3)
    clerks = {d: [Person(prng, d).name for _ in range(2)] for d in DISTRICTS}
    cases = extend_cases(random.Random(SEED + 10), cases, c25)
    grants = extend_grants(random.Random(SEED + 11), grants, c25)
    crossing = hand_over(random.Random(SEED + 20), cases, ls)
    new_cases = commune_cases(random.Random(SEED + 21), ls)
    new_cases = settle_2025(random.Random(SEED + 14), cases, new_cases, STORY_COMMUNES)
    fund(random.Random(SEED + 15), cases + new_cases)
    hrows = house_rows(cases)
    subs = _district_subs(plain, cases, hrows, grants, poverty, prng, clerks, dnames, c24, c25)
    subs += _commune_subs(plain, crossing, new_cases, poverty, ls)
    _one_number_per_person(subs)
    return subs


def _one_number_per_person(subs: list[Sub]) -> None:
    """Give every household head a Số CCCD of their own. The synthetic numbers are drawn from a small space
    (4 random digits), so a few households drew a number another already had: one household under two ids
    is a mistake the load reports (submission format, "One household, one case"), which the demo must not make
    by chance. A later person keeps the prefix and takes the next free serial; no random draw is added, so
    nothing else of the demo changes."""
    taken: dict[str, int] = {}
    for sub in subs:
        for case in (*sub.houses, *sub.extra_house):
            person = case.get("person")
            if person is None or taken.setdefault(person.cccd, id(person)) == id(person):
                continue
            prefix, serial = person.cccd[:-4], int(person.cccd[-4:])
            while f"{prefix}{serial:04d}" in taken:
                serial = (serial + 1) % 10_000
            person.cccd = f"{prefix}{serial:04d}"
            taken[person.cccd] = id(person)


def _district_subs(plain, cases, hrows, grants, poverty, prng, clerks, dnames, c24, c25) -> list[Sub]:
    subs = []
    brng = random.Random(SEED + 4)
    names24 = lists().names24
    for (y, m) in PERIODS:
        for d in DISTRICTS:
            if (d, y, m) in MISSING:
                continue
            ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
            prepared = dt.date(ny, nm, _due_day(prng, LATE_FILES, (d, y, m)))
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
            old_list = (y, m) <= (2025, 1)    # the 204-list applies up to the 2025-01 reports
            houses = hrows.get((d, y, m), [])
            if old_list and y == 2025:
                houses = [dict(c, commune=(c["commune"][0], names24[c["commune"][0]])) for c in houses]
            sub = Sub(district_rel(d, y, m), "district", d, dnames[(d, 2024 if old_list else 2025)], (y, m), 1,
                      prepared, clerk, houses, grants.get((d, y, m), []), pov,
                      pick_style(d, y, m, plain, clean=bool(xh or xg)), xh, xg)
            if (d, y, m) == SUPERSEDED_V1:
                subs.append(Sub(district_rel(d, y, m, "_lan1"), "district", d, sub.name, (y, m), 1,
                                prepared - dt.timedelta(days=4), clerk, sub.houses[3:], sub.grants[:-1], pov,
                                sub.style))
                sub.version = 2
            subs.append(sub)
            if (d, y, m) == CORRECTION[:3]:
                fixed, fgrants = correction(random.Random(SEED + 12), sub.houses, sub.grants, d, c25)
                subs.append(Sub(district_rel(d, y, m, "_lan2"), "district", d, sub.name, (y, m), 2, CORRECTION[3],
                                clerk, fixed, fgrants, [], pick_style(d, 2026, 2, plain)))
    d, y, m = DUPLICATE_OF
    subs.append(Sub("inbox_copy/" + district_rel(d, y, m).rsplit("/", 1)[1], "district", d, "", (y, m), 1,
                    dt.date(y, m, 1), "", copy_of=district_rel(d, y, m)))
    subs.append(_rejected_month_13(c24, clerks, dnames))
    subs.append(_district_after_reform(c25, clerks, dnames))
    return subs


def _rejected_month_13(c24, clerks, dnames) -> Sub:
    """Rejected as a whole: month 13; its rows would change the totals if they were loaded."""
    fake = []
    frng = random.Random(SEED + 5)
    for i in range(5):
        c = make_case(frng, "119", c24["119"][i], dt.date(2024, 11, 5), dt.date(2024, 12, 20), DONE)
        c["id"] = f"119-2024-{9901 + i}"
        fake.append(c)
    return Sub(REJECTED_NAME, "district", "119", dnames[("119", 2024)], (2024, 13), 1, dt.date(2025, 1, 6),
               clerks["119"][1], fake, [{"commune": c24["119"][0], "programme": "medical", "n": 40,
                                         "amount": 12_000_000, "source": "Xã hội hóa"}])


def _district_after_reform(c25, clerks, dnames) -> Sub:
    """A former district's report for 2025-08, after the district level was abolished: rejected."""
    d, y, m = DISTRICT_AFTER_REFORM
    rng = random.Random(SEED + 13)
    fake = []
    for i in range(3):
        c = make_case(rng, d, rng.choice(c25[d]), dt.date(2025, 7, 10 + i), dt.date(2025, 8, 20 + i), DONE)
        c["id"] = f"{d}-2025-{9801 + i}"
        fake.append(c)
    return Sub(district_rel(d, y, m), "district", d, dnames[(d, 2025)], (y, m), 1, dt.date(2025, 9, 5),
               clerks[d][1], fake, [{"commune": c25[d][0], "programme": "students", "n": 12,
                                     "amount": 4_800_000, "source": "Ngân sách địa phương"}])


def _commune_subs(plain, crossing, new_cases, poverty, ls) -> list[Sub]:
    hrows = commune_house_rows(crossing, new_cases, ls)
    grants = commune_grants(random.Random(SEED + 22), ls)
    pov25 = poverty_2025(random.Random(SEED + 23), poverty, ls)
    crng = random.Random(SEED + 24)
    clerks = {code: Person(crng, ls.home[code]).name for code in sorted(ls.c75)}
    subs = []
    for (y, m) in COMMUNE_PERIODS:
        for code in sorted(ls.c75):
            if (code, y, m) in COMMUNE_MISSING:
                continue
            ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
            prepared = dt.date(ny, nm, _due_day(crng, COMMUNE_LATE, (code, y, m)))
            name = ls.c75[code]
            houses, gr = hrows.get((code, y, m), []), grants.get((code, y, m), [])
            pov = [(2025, r) for r in pov25[code]] if (y, m) == (2026, 1) else []
            xh = []
            if (code, y, m) == NEIGHBOUR_ROW[:3]:
                other = NEIGHBOUR_ROW[3]
                c = make_case(random.Random(SEED + 25), ls.home[code], (other, ls.c75[other]),
                              dt.date(y, m, 3), None, "Đang thi công")
                c["id"] = f"{code}-{y}-950"
                xh.append(c)
            sub = Sub(commune_rel(code, y, m), "commune", code, name, (y, m), 1, prepared, clerks[code],
                      houses, gr, pov, pick_style(code, y, m, plain, clean=bool(xh)), xh,
                      omit_commune=omits_commune(code),
                      empty_sheets=not (houses or gr or pov or xh))
            if (code, y, m) == OLD_TEMPLATE_COVER:
                d = ls.home[code]
                sub.cover = [("Mã huyện", "s", d), ("Tên huyện", "s", ls.district_names[(d, 2025)])] + \
                    sub.cover_rows()
            if (code, y, m) in NAME_ONLY_COVERS:
                sub.cover = sub.cover_rows()[1:]
            if (code, y, m) == COMMUNE_SUPERSEDED_V1:
                subs.append(Sub(commune_rel(code, y, m, "_lan1"), "commune", code, name, (y, m), 1,
                                prepared - dt.timedelta(days=3), clerks[code], houses, gr[:-1], pov, sub.style,
                                omit_commune=sub.omit_commune))
                sub.version = 2
            subs.append(sub)
    subs.append(_commune_before_reform(ls, clerks))
    return subs


def _commune_before_reform(ls, clerks) -> Sub:
    """A commune report for 2025-06, when communes still reported through their district: rejected."""
    code, y, m = COMMUNE_BEFORE_REFORM
    rng = random.Random(SEED + 26)
    fake = []
    for i in range(2):
        c = make_case(rng, ls.home[code], (code, ls.c75[code]), dt.date(2025, 5, 12 + i), dt.date(2025, 6, 25), DONE)
        c["id"] = f"{code}-2025-{901 + i}"
        fake.append(c)
    return Sub(commune_rel(code, y, m), "commune", code, ls.c75[code], (y, m), 1, dt.date(2025, 7, 4),
               clerks[code], fake, [{"commune": (code, ls.c75[code]), "programme": "medical", "n": 6,
                                     "amount": 2_100_000, "source": "Xã hội hóa"}])


def generate(out: Path, plain: bool = False, only=None) -> list[Path]:
    """Write the demo under out (only: a predicate on a submission's relative path, for tests)."""
    subs = build(plain)
    if out.exists():  # remove only what an earlier run wrote
        for old in sorted(out.rglob("bao_cao_*.xlsx")):
            old.unlink()
    written = []
    for sub in subs:
        if only is not None and not only(sub.rel):
            continue
        path = out / sub.rel
        if sub.copy_of:
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(out / sub.copy_of, path)
        else:
            write_workbook(path, sub)
        written.append(path)
    return written


__all__ = ["build", "generate", "Style"]
