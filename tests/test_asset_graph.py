"""A snapshot of the asset graph (every asset key, its deps, group, kinds, checks and pool), so a
change to the graph shows up in review. After an intended change: UPDATE_SNAPSHOTS=1 pytest tests/test_asset_graph.py
(the only way the snapshot is written: a missing snapshot fails the test)."""
from __future__ import annotations

import json
import os
from pathlib import Path

from pipeline.definitions import defs

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"


def graph_snapshot() -> dict:
    graph = defs.resolve_asset_graph()
    out = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets_def = graph.assets_def_for_key(key) if node.is_executable else None
        out[key.to_user_string()] = {
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
            "group": node.group_name,
            "kinds": sorted(node.kinds),
            "checks": sorted(c.name for c in node.check_keys),
            "pool": assets_def.op.pool if assets_def is not None else None,
            "freshness": node.freshness_policy is not None,
        }
    return out


def test_asset_graph_matches_the_snapshot():
    current = graph_snapshot()
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(current, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    assert SNAPSHOT.exists(), f"{SNAPSHOT} is missing: write it with UPDATE_SNAPSHOTS=1, review it, commit it"
    expected = json.loads(SNAPSHOT.read_text())
    changed = sorted(k for k in set(current) | set(expected) if current.get(k) != expected.get(k))
    assert not changed, f"the asset graph changed ({changed[:10]}); review, then UPDATE_SNAPSHOTS=1"
