"""The figures the demo is built to produce when loaded correctly (latest state per case,
superseded versions, the duplicate, rejected files and broken rows excluded).

The article's figures are targets the generator hits exactly. The 2025-2026 figures are
synthetic: what the generator drew, pinned here so that any change shows up.
`python -m tools.demo --verify` reads the workbooks back and compares everything.
"""
from __future__ import annotations

from .communes import (COMMUNE_BEFORE_REFORM, COMMUNE_LATE, COMMUNE_MISSING, COMMUNE_SUPERSEDED_V1, NEIGHBOUR_ROW,
                       POVERTY_RATE_2025)
from .districts import (BROKEN_ROWS, CORRECTION, DISTRICT_AFTER_REFORM, DUPLICATE_OF, GRANTS_2025, H2025_COMPLETED,
                        H2025_OPEN, H2025_STARTED, HOUSE_YEARS, LATE_FILES, MISSING, POVERTY_RATES, REJECTED_NAME,
                        SUPERSEDED_V1)

# the keys whose values are the article's (poverty_rate_pct also carries the synthetic 2025)
ARTICLE_KEYS = ("houses_completed_2020_2024", "houses_amount_2020_2024", "houses_by_completion_year",
                "houses_started_2025q1", "houses_completed_2025q1", "houses_completed_2025q1_amount",
                "houses_in_progress_2025q1", "houses_in_progress_2025q1_amount", "grants_2025q1", "poverty_rate_pct")

# synthetic: pinned from `python -m tools.demo --verify`
SYNTHETIC = {
    "houses_started_by_year": {2025: 3709, 2026: 370},
    "houses_completed_by_year": {2025: {"cases": 3550, "amount": 167_634_500_000},
                                 2026: {"cases": 474, "amount": 22_915_500_000}},
    "houses_open_at_2026_10": {"cases": 55, "amount": 2_837_000_000},
    "houses_crossing_the_reform": {"cases": 386, "completed": 386, "amount": 20_083_500_000},
    "grants_amount_by_year": {2020: 4_516_980_000, 2021: 4_278_370_000, 2022: 4_270_900_000, 2023: 3_969_320_000,
                              2024: 4_130_880_000, 2025: 19_146_310_000, 2026: 11_722_860_000},
    "poverty_households": {2020: {"communes": 204, "total": 330395, "poor": 81013, "near_poor": 27615},
                           2021: {"communes": 204, "total": 334533, "poor": 72460, "near_poor": 28586},
                           2022: {"communes": 204, "total": 338436, "poor": 60580, "near_poor": 28881},
                           2023: {"communes": 204, "total": 342522, "poor": 49357, "near_poor": 29340},
                           2024: {"communes": 204, "total": 346853, "poor": 37772, "near_poor": 28559},
                           2025: {"communes": 75, "total": 350703, "poor": 29705, "near_poor": 28283}},
    "poverty_2025_by_village": {"communes": 10, "village_rows": 88},
}


def _district(d, y, m, suffix=""):
    return f"{d}/{y}/bao_cao_{d}_{y}_{m:02d}{suffix}.xlsx"


def _commune(c, y, m, suffix=""):
    return f"communes/{c}/{y}/bao_cao_xa_{c}_{y}_{m:02d}{suffix}.xlsx"


def expected_ledger() -> dict:
    """Ledger stories by file (relative to sources/demo), from the generator's own constants."""
    d, y, m = DUPLICATE_OF
    ledger = {
        "duplicate": [f"inbox_copy/bao_cao_{d}_{y}_{m:02d}.xlsx"],
        "late": sorted([_district(*k) for k in LATE_FILES] + [_commune(*k) for k in COMMUNE_LATE]
                       + [_district(*CORRECTION[:3], "_lan2")]),
        "missing": [f"{d} {y}-{m:02d}" for d, y, m in sorted(MISSING)]
                   + [f"{c} {y}-{m:02d}" for c, y, m in sorted(COMMUNE_MISSING, key=lambda k: (k[1], k[2]))],
        "rejected": sorted([REJECTED_NAME, _district(*DISTRICT_AFTER_REFORM), _commune(*COMMUNE_BEFORE_REFORM)]),
        "rejected_rows": sorted([_district(d, y, m) for d, y, m, _, _ in BROKEN_ROWS] + [_commune(*NEIGHBOUR_ROW[:3])]),
        "superseded": sorted([_district(*SUPERSEDED_V1, "_lan1"), _district(*CORRECTION[:3]),
                              _commune(*COMMUNE_SUPERSEDED_V1, "_lan1")]),
    }
    return ledger


def expected_figures() -> dict:
    """Everything `verify()` recomputes, as it must come out."""
    article = {
        "houses_completed_2020_2024": 9317,
        "houses_amount_2020_2024": 441_287_000_000,
        "houses_by_completion_year": {y: {"cases": c, "amount": a} for y, (c, a) in HOUSE_YEARS.items()},
        "houses_started_2025q1": H2025_STARTED,
        "houses_completed_2025q1": H2025_COMPLETED[0],
        "houses_completed_2025q1_amount": H2025_COMPLETED[1],
        "houses_in_progress_2025q1": H2025_OPEN[0],
        "houses_in_progress_2025q1_amount": H2025_OPEN[1],
        "grants_2025q1": {p: {"beneficiaries": n, "amount": a} for p, (n, a, _) in sorted(GRANTS_2025.items())},
        "poverty_rate_pct": {**{y: float(r) for y, r in POVERTY_RATES.items()}, 2025: float(POVERTY_RATE_2025)},
    }
    ledger = expected_ledger()
    return {**article, **SYNTHETIC, "ledger_files": ledger, "ledger_counts": {k: len(v) for k, v in ledger.items()}}
