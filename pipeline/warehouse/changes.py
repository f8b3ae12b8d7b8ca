"""What changed since the last dbt build, so that a load builds only the models downstream of it.

A build reads three kinds of input: the project (models, seeds, macros and the raw layer's DDL:
transform.build_identity without the day), the day completeness is judged on (`as_of`), and the raw
layer's tables. After each successful build their versions are kept in raw.load_state (`built_inputs`);
the next build compares:

- no build known, or the project changed: everything is built (seeds and the reference data change
  only with the project, so otherwise they are never rebuilt);
- else the models downstream of each raw table whose rows changed (`source:raw.houses+`, dbt's own
  graph), of the models that read `as_of` when the day changed, and of those that read the time of
  the publish (`published_at`: the figures a publish records), always;
- minus the poverty slice (models tagged `poverty_slice` in dbt_project.yml: the poverty reviews from
  their rows up to the reporting layer) when no poverty row, no poverty counting and no submission
  carrying poverty rows changed: those models read the ledger only through such rows (a commune's
  monthly file rebuilds no district-era poverty model). tests/test_changes.py builds a load both ways
  and compares every published table.

Nothing else is skipped: every model a change can reach is rebuilt, the rest are current (the Dagster
asset reports them so, unchanged since the build that made them). DuckDB only: on PostgreSQL every
build is a full one.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.warehouse import store

POVERTY_SLICE_TAG = "poverty_slice"
STATE_KEY = "built_inputs"
# The poverty reviews' share of the ledger: their rows, their counting, and the submissions that carry them.
POVERTY_SLICE = """
    select 'p' as part, hash(t) as h from raw.poverty as t
    union all select 'r', hash(t) from raw.rejected_poverty_rows as t
    union all select 'c', hash(t) from raw.counting as t where t.sheet_kind = 'poverty'
    union all select 's', hash(t) from raw.submissions as t where t.submission_id in (
        select submission_id from raw.poverty union select submission_id from raw.rejected_poverty_rows)
"""


@dataclass
class Plan:
    """What a build selects: everything (full), or these models and seeds (dbt unique ids; none: nothing changed)."""

    full: bool
    nodes: set[str] = field(default_factory=set)
    why: str = ""

    @property
    def nothing(self) -> bool:
        return not self.full and not self.nodes

    def select(self, manifest: dict) -> list[str]:
        """dbt's --select for the nodes (by name; their tests come with them)."""
        return sorted(manifest["nodes"][node]["name"] for node in self.nodes)


def sources(manifest: dict) -> list[str]:
    """The raw tables dbt reads (its sources)."""
    return sorted(source["name"] for source in manifest["sources"].values())


def versions(con, project: str, as_of: str, tables: list[str]) -> dict[str, str]:
    """The version of every input of a build: the project, the day, each raw table, the poverty slice (a raw
    table that is not there: "missing", so that dbt's build, not this, says what is wrong)."""
    present = {name for (name,) in con.execute(
        "select table_name from information_schema.tables where table_schema = 'raw'").fetchall()}
    found = {"project": project, "as_of": as_of}
    for table in tables:
        found[f"source:raw.{table}"] = (_digest(con, f"select hash(t) as h from raw.{table} as t")
                                        if table in present else "missing")
    slice_tables = {"poverty", "rejected_poverty_rows", "counting", "submissions"}
    found[POVERTY_SLICE_TAG] = _digest(con, POVERTY_SLICE) if slice_tables <= present else "missing"
    return found


def missing_relations(con, manifest: dict) -> list[str]:
    """The project's tables and views (models, seeds) the warehouse does not hold: dropped by hand, or a
    schema removed for a full rebuild. Any of them makes the build a full one (a model downstream of a
    change reads its parents' relations)."""
    held = set(con.execute("select table_schema, table_name from information_schema.tables").fetchall())
    return sorted(f"{node['schema']}.{node['alias']}" for node in manifest["nodes"].values()
                  if node["resource_type"] in ("model", "seed") and node["config"].get("materialized") != "ephemeral"
                  and (node["schema"], node["alias"]) not in held)


def _digest(con, rows_sql: str) -> str:
    """Rows' count and the sum of their hashes: any row added, removed or changed changes it."""
    count, total = con.execute(f"select count(*), coalesce(sum(h::hugeint), 0) from ({rows_sql})").fetchone()
    return f"{count}:{total}"


def plan(previous: dict | None, current: dict[str, str], manifest: dict, missing: list[str] = ()) -> Plan:
    """The models and seeds a build selects, from the inputs' versions at the last build and now (pure):
    everything downstream of what changed (dbt's graph: the manifest's child_map), but the poverty slice
    when the poverty reviews' share of the ledger did not change; everything when a relation is missing."""
    if not previous or previous.get("project") != current["project"]:
        return Plan(full=True, why="no earlier build of this project" if not previous else "the project changed")
    if missing:
        return Plan(full=True, why=f"{len(missing)} of the project's relations missing (first: {missing[0]})")
    changed = sorted(key.split(":", 1)[1] for key in current if key.startswith("source:") and previous.get(key) != current[key])
    day = previous.get("as_of") != current["as_of"]
    # what reads the day, when it changed; what reads the time of the publish (published_at), always
    reached = set(reading(manifest, "as_of_date")) if day else set()
    reached |= set(reading(manifest, "published_at"))
    todo = [f"source.son_la.{table}" for table in changed] + sorted(reached)
    while todo:
        for child in manifest["child_map"].get(todo.pop(), ()):
            if child not in reached:
                reached.add(child)
                todo.append(child)
    poverty_unchanged = previous.get(POVERTY_SLICE_TAG) == current[POVERTY_SLICE_TAG]
    nodes = {node for node in reached if manifest["nodes"].get(node, {}).get("resource_type") in ("model", "seed")
             and not (poverty_unchanged and POVERTY_SLICE_TAG in manifest["nodes"][node]["config"].get("tags", []))}
    why = "changed since the last build: " + (", ".join([*(t.split(".", 1)[1] for t in changed), *(["as_of"] if day else [])])
                                              or "nothing")
    return Plan(full=False, nodes=nodes, why=why + ("; no poverty review changed" if poverty_unchanged and nodes else ""))


def reading(manifest: dict, macro: str) -> list[str]:
    """The models that call one of the project's macros (as_of_date: the day; published_at: the time of the
    publish), by unique id."""
    return sorted(uid for uid, node in manifest["nodes"].items()
                  if node["resource_type"] == "model" and f"macro.son_la.{macro}" in node["depends_on"]["macros"])


class InOrder:
    """The order a build's assets are told to Dagster in (upstream first, as a multi-asset must): a current
    asset (not rebuilt) is told once everything upstream of it in the build is told; a check once its asset is.
    deps: each asset's upstream assets; current: the assets not rebuilt. Keys of any kind (pure)."""

    def __init__(self, deps: dict, current: set):
        self.deps, self.waiting, self.told = deps, set(current), set()

    def told_now(self, key=None) -> list:
        """After `key` was told (None: at the start), the current assets now ready, in order."""
        if key is not None:
            self.told.add(key)
        ready: list = []
        while found := sorted((k for k in self.waiting
                               if all(up in self.told or up not in self.deps for up in self.deps[k])), key=str):
            self.waiting.difference_update(found)
            self.told.update(found)
            ready += found
        return ready


def plan_build(warehouse_dir: Path, project: str, as_of: dt.date, manifest: dict, everything: bool = False,
               ) -> tuple[Plan, dict[str, str]]:
    """(what this build selects, the versions of its inputs now), read from the internal warehouse;
    everything: a full build whatever changed."""
    con = store.connect(warehouse_dir, read_only=True)
    try:
        inputs = versions(con, project, as_of.isoformat(), sources(manifest))
        recorded = store.get_state(con, STATE_KEY)
        missing = missing_relations(con, manifest)
    finally:
        con.close()
    if everything:
        return Plan(full=True, why="every model asked for"), inputs
    return plan(json.loads(recorded) if recorded else None, inputs, manifest, missing), inputs


def record(warehouse_dir: Path, inputs: dict[str, str]) -> None:
    """After a successful build: what it was built from (a failed one keeps the last successful build's,
    so the next build selects everything changed since then)."""
    con = store.connect(warehouse_dir)
    try:
        store.set_state(con, STATE_KEY, json.dumps(inputs, sort_keys=True))
    finally:
        con.close()
