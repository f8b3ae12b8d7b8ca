"""Every commune of every list on today's map (the 75-list), with the quality of that mapping.

Pure: reads the crosswalk seeds, returns rows. `python -m tools.export_seeds` writes the
result as the seed commune_map.csv, which dbt reads (the rule lives here, once).

The rule (reporting-units-2025.md): chain 204 -> 200 (commune_crosswalk_2025_01) and
200 -> 75 (commune_crosswalk_2025_07, every commune whole: exact). An old commune whose
known pieces all land in one unit of today, from rows that are not `unresolved` and with no
unknown destination, is `exact`. Otherwise its figures go to its *main successor*, marked
`approximate`: the 200-list unit with its own code (for `unresolved` rows, the unit filled
in), else its only known destination; then that unit's place on today's map. No main
successor: `none` (the commune counts in the province only, and in audit.crosswalk_gaps).
Households are never divided by area: the sources give no shares.
"""
from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import SEEDS_DIR

EXACT, APPROXIMATE, NONE = "exact", "approximate", "none"
LIST_2024, LIST_2025_02, LIST_2025_07 = "2024", "2025-02", "2025-07"
HEADER = ("commune_list", "commune_code", "commune_name", "district_code",
          "commune_2025_code", "commune_2025_name", "mapping")


@dataclass(frozen=True)
class Mapped:
    commune_list: str
    commune_code: str
    commune_name: str
    district_code: str          # '' on the 2025-07 list
    commune_2025_code: str      # '' when there is no main successor
    commune_2025_name: str
    mapping: str                # EXACT | APPROXIMATE | NONE

    def row(self) -> tuple[str, ...]:
        return (self.commune_list, self.commune_code, self.commune_name, self.district_code,
                self.commune_2025_code, self.commune_2025_name, self.mapping)


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def map_2024(rows_2025_01: list[dict], to_today: dict[str, str]) -> dict[str, tuple[str, str]]:
    """204-list code -> (code of today's unit or '', mapping), by the main-successor rule."""
    by_old: dict[str, list[dict]] = {}
    for row in rows_2025_01:
        by_old.setdefault(row["old_commune_code"], []).append(row)
    codes_2025_02 = set(to_today)
    result = {}
    for code, rows in by_old.items():
        destinations = [row["new_commune_code"] for row in rows]
        known = {to_today[d] for d in destinations if d}
        unresolved = any(row["change"] == "unresolved" for row in rows)
        if len(known) == 1 and all(destinations) and not unresolved:
            result[code] = (known.pop(), EXACT)
            continue
        if unresolved:
            main = next((d for d in destinations if d), "")
        elif code in codes_2025_02:
            main = code
        else:
            only = {d for d in destinations if d}
            main = only.pop() if len(only) == 1 else ""
        result[code] = (to_today[main], APPROXIMATE) if main else ("", NONE)
    return result


def commune_map(seeds_dir: Path = SEEDS_DIR) -> list[Mapped]:
    """One row per commune per list (204 + 200 + 75), in list then seed order."""
    today = {row["commune_code"]: row["commune_name"] for row in _read(seeds_dir / "communes_2025_07.csv")}
    rows_07 = _read(seeds_dir / "commune_crosswalk_2025_07.csv")
    to_today = {row["old_commune_code"]: row["new_commune_code"] for row in rows_07}
    mapped_2024 = map_2024(_read(seeds_dir / "commune_crosswalk_2025_01.csv"), to_today)
    result = []
    for row in _read(seeds_dir / "admin_units_2024.csv"):
        code_today, quality = mapped_2024[row["commune_code"]]
        result.append(Mapped(LIST_2024, row["commune_code"], row["commune_name_vi"], row["district_code"],
                             code_today, today.get(code_today, ""), quality))
    for row in _read(seeds_dir / "admin_units_2025.csv"):
        code_today = to_today[row["commune_code"]]
        result.append(Mapped(LIST_2025_02, row["commune_code"], row["commune_name_vi"], row["district_code"],
                             code_today, today[code_today], EXACT))
    for code, name in today.items():
        result.append(Mapped(LIST_2025_07, code, name, "", code, name, EXACT))
    return result


@functools.cache
def today_by_commune() -> dict[tuple[str, str], str]:
    """(commune_list, commune_code) -> the code of its unit of today's map, where it has one."""
    return {(m.commune_list, m.commune_code): m.commune_2025_code for m in commune_map() if m.commune_2025_code}


def commune_map_csv(seeds_dir: Path = SEEDS_DIR) -> str:
    lines = [",".join(HEADER)]
    for mapped in commune_map(seeds_dir):
        lines.append(",".join(_csv_field(value) for value in mapped.row()))
    return "\n".join(lines) + "\n"


def _csv_field(value: str) -> str:
    return f'"{value}"' if "," in value or '"' in value else value
