"""Policies applied once, at the root of the Definitions (pipeline/definitions.py)."""
from __future__ import annotations

import datetime as dt

import dagster as dg

# One writer at a time: every asset that writes the warehouse runs in this pool, whose limit
# is 1 in dagster_home.yaml. (A pool is an op property, not an asset spec's, so each writing
# asset names it; this constant is its only definition.)
WAREHOUSE_POOL = "warehouse"

# Published (and reported on) every night: stale after 36 h means a missed night.
MARTS_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=dt.timedelta(hours=36))
FRESH_GROUPS = ("marts", "rpt", "publish", "report")


def with_freshness(spec: dg.AssetSpec) -> dg.AssetSpec:
    if spec.group_name in FRESH_GROUPS:
        return spec.replace_attributes(freshness_policy=MARTS_FRESHNESS)
    return spec
