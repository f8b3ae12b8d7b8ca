"""The three commune lists and the crosswalks, as the generator and its read-back use them.

All of them come from dbt's seeds, the warehouse's single source (the 75-list and the
crosswalks are ``communes_2025_07.csv``, ``commune_crosswalk_2025_07.csv`` and
``commune_crosswalk_2025_01.csv``: the reference files without their ``son_la_`` prefix).
"""
from __future__ import annotations

import csv
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from pipeline.config import SEEDS_DIR

REFERENCE_FILES = ("son_la_communes_2025_07.csv", "son_la_commune_crosswalk_2025_07.csv",
                   "son_la_commune_crosswalk_2025_01.csv")


def reference(name: str, seeds: Path = SEEDS_DIR) -> Path:
    """dbt's seed of that reference file (seed name = file name without the `son_la_` prefix)."""
    return seeds / name.removeprefix("son_la_")


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_units(seeds: Path = SEEDS_DIR) -> tuple[dict, dict, dict]:
    """(communes_2024, communes_2025, district_names): communes as {district: [(code, name)]},
    names as {(district, list year): name} with list year 2024 or 2025."""
    out = []
    names = {}
    for fname in ("admin_units_2024.csv", "admin_units_2025.csv"):
        by_d = defaultdict(list)
        for row in _rows(seeds / fname):
            by_d[row["district_code"]].append((row["commune_code"], row["commune_name_vi"]))
            names[(row["district_code"], 2024 if "2024" in fname else 2025)] = row["district_name_vi"]
        out.append({d: sorted(v) for d, v in by_d.items()})
    return out[0], out[1], names


class Lists:
    """Every list and crosswalk, plus the main successor of each old commune on today's map."""

    def __init__(self):
        self.c24, self.c25, self.district_names = load_units()
        self.names24 = {c: n for v in self.c24.values() for c, n in v}
        self.names25 = {c: n for v in self.c25.values() for c, n in v}
        self.district24 = {c: d for d, v in self.c24.items() for c, _ in v}
        self.district25 = {c: d for d, v in self.c25.items() for c, _ in v}
        self.c75 = {r["commune_code"]: r["commune_name"] for r in _rows(reference(REFERENCE_FILES[0]))}
        self.cw07 = {r["old_commune_code"]: r["new_commune_code"] for r in _rows(reference(REFERENCE_FILES[1]))}
        self.members = defaultdict(list)           # 75-list code -> 200-list codes merged into it
        for old, new in self.cw07.items():
            self.members[new].append(old)
        # home district of a commune of today: the district of most of its old communes (ties: lowest code)
        self.home = {}
        for new, olds in self.members.items():
            ds = [self.district25[o] for o in olds]
            self.home[new] = max(sorted(set(ds)), key=ds.count)
        dest = defaultdict(set)
        for r in _rows(reference(REFERENCE_FILES[2])):
            if r["new_commune_code"]:
                dest[r["old_commune_code"]].add(self.cw07[r["new_commune_code"]])
        # main successor of a 204-list commune on today's map (spec: reporting-units-2025.md): its own
        # code if it lives on in the 200-list, else its only known destination (pieces that all met
        # again in one unit in July count as one); none when unknown
        self.today24 = {}
        for code in self.names24:
            if code in self.names25:
                self.today24[code] = self.cw07[code]
            else:
                self.today24[code] = next(iter(dest[code])) if len(dest[code]) == 1 else None

    def today(self, code: str, list_name: str):
        """The 75-list unit of a commune code read with its list ('2024', '2025' or '2025_07')."""
        if list_name == "2025_07":
            return code if code in self.c75 else None
        if list_name == "2024":
            return self.today24.get(code)
        return self.cw07.get(code)


@lru_cache(maxsize=1)
def lists() -> Lists:
    return Lists()


def list_for_period(y: int, m: int) -> str:
    """The list a reporting month's rows are checked against (submission-format.md, corrected)."""
    if (y, m) <= (2025, 1):
        return "2024"
    return "2025" if (y, m) <= (2025, 6) else "2025_07"
