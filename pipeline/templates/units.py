"""Which reporting units are due a report for a month, and the communes each may name.

Up to 2025-06 the 12 districts report, each for the communes of the list in force at the end
of the month (pipeline/ingest/reference.py reads that from the seeds, as the load does); from
2025-07 the 75 communes of the 2025-07 list report directly, each for itself
(../shared/spec/reporting-units-2025.md).
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
from dataclasses import dataclass

from pipeline.config import SEEDS_DIR
from pipeline.ingest import reference

DISTRICT, COMMUNE = "district", "commune"
COMMUNE_ERA = dt.date(2025, 7, 1)          # the district level ended on 2025-06-30 (Resolution 1681)
COMMUNES_2025_07_SEED = "communes_2025_07.csv"


@dataclass(frozen=True)
class UnitCommune:
    code: str
    name: str


@dataclass(frozen=True)
class ReportingUnit:
    unit_type: str                          # DISTRICT | COMMUNE
    code: str                               # 3 digits (district) or 5 (commune)
    name: str
    communes: tuple[UnitCommune, ...]       # the communes its rows may name, in code order


@functools.cache
def _communes_2025_07() -> tuple[UnitCommune, ...]:
    with open(SEEDS_DIR / COMMUNES_2025_07_SEED, encoding="utf-8", newline="") as handle:
        rows = [UnitCommune(row["commune_code"], row["commune_name"]) for row in csv.DictReader(handle)]
    return tuple(sorted(rows, key=lambda c: c.code))


def units_in_force(period: dt.date) -> list[ReportingUnit]:
    """The units due a report for the month `period` (any day of it), in code order."""
    month = period.replace(day=1)
    if month >= COMMUNE_ERA:
        return [ReportingUnit(COMMUNE, c.code, c.name, (c,)) for c in _communes_2025_07()]
    units = reference.unit_list(reference.list_for_month(month))
    by_district: dict[str, list[UnitCommune]] = {code: [] for code in units.districts}
    for commune in units.communes.values():
        by_district[commune.district_code].append(UnitCommune(commune.code, commune.name))
    return [ReportingUnit(DISTRICT, code, units.districts[code], tuple(sorted(by_district[code], key=lambda c: c.code)))
            for code in sorted(units.districts)]
