"""2025 as Son La published it, and who paid for the houses 2020-2025.

Published (reference/SOURCES.md, "Son La's housing programme, published figures"): 12,667
houses 2020-2025, so 3,350 in 2025 (2,905 new builds, 445 repairs), for "over 628 billion"
đồng, "over 443 billion" of it from social contributions and "over 185 billion" from the
state budget. The article gives 2020-2024 (9,317 houses, 441,287,000,000) without a split.

What the demo does with that:
* every case started in 2025 (the campaign) is supported at the 2025 norm (60 / 30 million),
  so 2025 costs 2,905 x 60 + 445 x 30 million = 187,650,000,000 and 2020-2025
  628,937,000,000 (SOURCES.md's own arithmetic);
* settle_2025 makes exactly HOUSES_2025 completions in 2025 with exactly its repairs: the cases
  are drawn as before; the surplus is left out of the communes' own cases of late 2025, and
  enough 2025 repairs become new builds (the campaign replaced temporary houses);
* fund redraws every loaded case's split by source (its total kept: the article's years stay
  exact) and pins the social part of 2020-2025 at SOCIAL_2020_2025, inside the published range
  with room either side for district 125's correction (3,000,000 less local budget).
"""
from __future__ import annotations

import random

from .common import DONE, NEW, NORM, REPAIR, STEP

HOUSES_2020_2025 = 12_667
HOUSES_2025 = {"cases": 3350, NEW: 2905, REPAIR: 445}
# "over X billion": the published figures are ranges [X, X + 1) billion
PUBLISHED_RANGES_2020_2025 = {"amount": (628_000_000_000, 629_000_000_000),
                              "social": (443_000_000_000, 444_000_000_000),
                              "state": (185_000_000_000, 186_000_000_000)}
SOCIAL_2020_2025 = 443_450_000_000                      # the demo's choice inside the range
# a loaded case's social share: none for a tenth of the houses, else 60-95 % (mean about 70 %)
SOCIAL_NONE, SOCIAL_SHARE = 0.1, (0.6, 0.95)
CENTRAL_SHARE_OF_STATE = (0.45, 0.75)


def _done_in(c: dict, first: int, last: int) -> bool:
    return c["status"] == DONE and first <= c["completion"].year <= last


def settle_2025(rng: random.Random, cases: list[dict], commune_cases: list[dict], keep=frozenset(),
                published: dict = HOUSES_2025) -> list[dict]:
    """Exactly published["cases"] completed in 2025, of which published[REPAIR] repairs; every case
    started in 2025 at its norm. Returns the commune cases kept (all those of the communes in `keep`).

    The cases are drawn as before (same households, same dates): the surplus of 2025 completions
    is taken from the communes' own cases of July-December 2025 (never registered: their Mã hộ
    numbers stay unused), and the surplus of repairs among 2025's completions becomes new builds."""
    done = [c for c in cases + commune_cases if _done_in(c, 2025, 2025)]
    surplus = len(done) - published["cases"]
    assert surplus >= 0, f"the draws give {len(done)} houses completed in 2025, fewer than {published['cases']}"
    droppable = sorted((c for c in commune_cases if _done_in(c, 2025, 2025) and c["today"] not in keep),
                       key=lambda c: c["id"])
    dropped = {c["id"] for c in rng.sample(droppable, surplus)}
    kept = [c for c in commune_cases if c["id"] not in dropped]
    done = sorted((c for c in done if c["id"] not in dropped), key=lambda c: c["id"])
    repairs = [c for c in done if c["support"] == REPAIR]
    assert len(repairs) >= published[REPAIR]
    for c in rng.sample(repairs, len(repairs) - published[REPAIR]):
        c["support"] = NEW
    for c in cases + kept:
        if c["start"].year == 2025:
            c["total"] = NORM[c["support"]]     # fund() splits it by source
    return kept


def _steps(x: float) -> int:
    return int(x / STEP) * STEP


def fund(rng: random.Random, cases: list[dict]) -> None:
    """Redraw each case's split by source, its total unchanged; then move STEP units between
    social and local budgets until the houses completed 2020-2025 carry SOCIAL_2020_2025."""
    for c in sorted(cases, key=lambda c: c["id"]):
        none = rng.random() < SOCIAL_NONE
        share, central = rng.uniform(*SOCIAL_SHARE), rng.uniform(*CENTRAL_SHARE_OF_STATE)
        social = 0 if none else _steps(c["total"] * share)
        state = c["total"] - social
        c["social"], c["central"] = social, _steps(state * central)
        c["local"] = state - c["central"]
    span = sorted((c for c in cases if _done_in(c, 2020, 2025)), key=lambda c: c["id"])
    diff = SOCIAL_2020_2025 - sum(c["social"] for c in span)
    assert diff % STEP == 0
    while diff:
        c = rng.choice(span)
        delta = STEP if diff > 0 else -STEP
        if c["local"] - delta < 0 or c["social"] + delta < 0:
            continue
        c["social"], c["local"] = c["social"] + delta, c["local"] - delta
        diff -= delta
