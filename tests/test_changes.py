"""A load builds only the dbt models downstream of what changed since the last build
(pipeline/warehouse/changes.py), and every mart is current after it: the selection rules on dbt's own
graph (fast), the order the assets are told to Dagster in (fast), and real loads built that way then
rebuilt whole, every published table compared (slow)."""
from __future__ import annotations

import json
import re
import shutil

import duckdb
import pytest

from pipeline import transform
from pipeline.warehouse import changes
from runner import REPO, run_load

DEMO = REPO / "sources" / "demo"


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(transform.prepare().read_text(encoding="utf-8"))


def _versions(manifest, **changed) -> tuple[dict, dict]:
    before = {"project": "p1", "as_of": "2026-12-07", changes.POVERTY_SLICE_TAG: "1:1",
              **{f"source:raw.{table}": "1:1" for table in changes.sources(manifest)}}
    return before, {**before, **changed}


def _names(plan: changes.Plan, manifest: dict) -> set[str]:
    return {manifest["nodes"][node]["name"] for node in plan.nodes}


def test_a_new_project_or_no_earlier_build_builds_everything(manifest):
    before, now = _versions(manifest)
    assert changes.plan(None, now, manifest).full
    assert changes.plan(before, {**now, "project": "p2"}, manifest).full
    # nothing changed: only the figures a publish records (they carry the publish's time) are built again
    again = changes.plan(before, now, manifest)
    assert not again.full and again.why.startswith("changed since the last build: nothing")
    published = {changes_node["name"] for uid, changes_node in manifest["nodes"].items()
                 if uid in changes.reading(manifest, "published_at")}
    assert published == {"int_counting_changes", "fct_published_figures"}
    assert published <= _names(again, manifest) and {"fct_revisions", "rpt_revisions"} <= _names(again, manifest)
    assert "fct_houses" not in _names(again, manifest)
    # a relation of the project missing from the warehouse (its schema dropped for a full rebuild): everything
    rebuild = changes.plan(before, now, manifest, missing=["marts.fct_houses"])
    assert rebuild.full and "marts.fct_houses" in rebuild.why


def test_new_houses_rebuild_what_reads_them_and_no_reference_or_poverty_model(manifest):
    """A commune's monthly file (houses, grants, the ledger): the house and grant marts, the audit of the ledger
    and the reporting layer on them, never a seed, the reference dimensions or the poverty slice."""
    before, now = _versions(manifest, **{f"source:raw.{t}": "2:2" for t in ("submissions", "submission_sheets", "houses",
                                                                   "grants", "counting")})
    names = _names(changes.plan(before, now, manifest), manifest)
    assert {"stg_houses", "int_house_cases_current", "fct_houses", "fct_grants", "audit_submissions",
            "agg_submission_completeness", "rpt_houses_month", "rpt_headline", "audit_outliers"} <= names
    assert not names & {"dim_district", "dim_commune", "dim_commune_2025", "stg_commune_map", "enumerations",
                        "admin_units_2024", "audit_rules"}
    tagged = {node["name"] for node in manifest["nodes"].values()
              if changes.POVERTY_SLICE_TAG in node["config"].get("tags", [])}
    assert {"agg_poverty_district_year", "rpt_poverty_district", "fct_poverty_rates"} <= tagged
    assert not names & tagged
    # the same files with a poverty review: the poverty slice too
    poverty = changes.plan(before, {**now, "source:raw.poverty": "2:2", changes.POVERTY_SLICE_TAG: "2:2"}, manifest)
    assert tagged <= _names(poverty, manifest) and "no poverty review changed" not in poverty.why


def test_a_new_day_rebuilds_what_reads_the_day(manifest):
    before, now = _versions(manifest, as_of="2026-12-08")
    names = _names(changes.plan(before, now, manifest), manifest)
    assert {"agg_submission_completeness", "rpt_completeness", "rpt_completeness_month"} <= names
    assert "fct_houses" not in names and "rpt_poverty_district" not in names


def test_the_poverty_slice_reads_the_ledger_only_through_raw_sources_it_is_versioned_by(manifest):
    """Every model of the slice stands on the reference data and on raw.poverty, raw.rejected_poverty_rows,
    raw.submissions and raw.counting only (the last two through their poverty rows: the real loads below)."""
    nodes = manifest["nodes"]
    parents = {uid: node.get("depends_on", {}).get("nodes", []) for uid, node in nodes.items()}

    def sources(uid, seen=None) -> set[str]:
        seen = seen if seen is not None else set()
        found = set()
        for parent in parents.get(uid, ()):
            if parent.startswith("source.") and parent not in seen:
                found.add(parent.rsplit(".", 1)[-1])
            elif parent not in seen:
                seen.add(parent)
                found |= sources(parent, seen)
        return found

    tagged = [uid for uid, node in nodes.items() if changes.POVERTY_SLICE_TAG in node["config"].get("tags", [])]
    assert len(tagged) == 10
    for uid in tagged:
        assert sources(uid) <= {"poverty", "rejected_poverty_rows", "submissions", "counting"}, uid


def test_current_assets_are_told_upstream_first():
    deps = {"seed": set(), "dim": {"seed"}, "stg": {"raw/x"}, "fct": {"stg", "dim"}, "slice": {"stg", "dim"},
            "rpt": {"fct", "slice"}}
    order = changes.InOrder(deps, current={"seed", "dim", "slice"})
    assert order.told_now() == ["seed", "dim"]   # stand on nothing the build makes
    assert order.told_now("stg") == ["slice"]    # once what it reads was built
    assert order.told_now("fct") == [] and order.told_now("rpt") == []


def _published(warehouse) -> dict[str, list]:
    con = duckdb.connect(str(warehouse / "bi.duckdb"), read_only=True)
    try:
        tables = con.execute("select table_schema || '.' || table_name from information_schema.tables "
                             "order by 1").fetchall()
        return {table: con.execute(f"select * from {table} order by all").fetchall() for (table,) in tables}
    finally:
        con.close()


def _rebuilt_whole(sources, warehouse) -> dict[str, list]:
    """The job rebuild (every model built, then published) on the same warehouse: what a full build publishes."""
    import dagster as dg

    from pipeline.definitions import defs
    from pipeline.defs.resources import WarehouseResource

    result = defs.resolve_job_def("rebuild").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        resources={"warehouse": WarehouseResource(sources_dir=str(sources), warehouse_dir=str(warehouse))})
    assert result.success
    return _published(warehouse)


@pytest.mark.slow   # real CLI loads and dbt builds
def test_after_each_load_every_published_table_is_what_a_full_build_publishes(tmp_path):
    sources, warehouse = tmp_path / "sources", tmp_path / "warehouse"
    sources.mkdir()
    for name in ("116/2021/bao_cao_116_2021_01.xlsx", "118/2021/bao_cao_118_2021_01.xlsx"):
        shutil.copy(DEMO / name, sources)
    first = run_load(sources, warehouse, "--no-report")
    assert first.returncode == 0 and "current" not in first.stderr, first.stderr[-2000:]   # the first: a full build

    shutil.copy(DEMO / "116/2021/bao_cao_116_2021_02.xlsx", sources)   # houses and grants, no poverty review
    second = run_load(sources, warehouse, "--no-report")
    assert second.returncode == 0, second.stderr[-2000:]
    assert re.search(r"✓ transform +\d+ dbt nodes: \d+ ok; \d+ models and seeds current", second.stderr)
    log = sorted((warehouse / "logs").glob("load-*.log"))[-1].read_text(encoding="utf-8")
    assert "no poverty review changed" in log
    selective = _published(warehouse)
    assert selective == _rebuilt_whole(sources, warehouse)

    shutil.copy(DEMO / "118/2022/bao_cao_118_2022_01.xlsx", sources)   # a new poverty review
    third = run_load(sources, warehouse, "--no-report")
    assert third.returncode == 0, third.stderr[-2000:]
    log = sorted((warehouse / "logs").glob("load-*.log"))[-1].read_text(encoding="utf-8")
    assert "only what changed is built" in log and "no poverty review changed" not in log
    reviews = len(selective["marts.fct_poverty_rates"])
    selective = _published(warehouse)
    assert len(selective["marts.fct_poverty_rates"]) > reviews   # the slice was rebuilt with the new review
    assert selective == _rebuilt_whole(sources, warehouse)
