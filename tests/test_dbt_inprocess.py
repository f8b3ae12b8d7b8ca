"""dbt inside the load's process (pipeline/transform.py): the assets and checks it reports,
a subsetted run building only what was selected, a failure reported as a failed step, and the
warehouse file released for the next step, the full build's compiled manifest reused by the data dictionary. Real dbt builds on a real (empty) raw layer."""
from __future__ import annotations

import datetime as dt
import re

import dagster as dg
import duckdb
import pytest

from pipeline import files, transform
from pipeline.defs.assets.dbt import DbtConfig, dbt_models
from pipeline.defs.resources import WarehouseResource, dbt_resource
from pipeline.report import dictionary
from pipeline.warehouse import store

pytestmark = pytest.mark.slow


def _materialize(warehouse_dir, selection=None):
    resources = {"warehouse": WarehouseResource(sources_dir=str(warehouse_dir), warehouse_dir=str(warehouse_dir)),
                 "dbt": dbt_resource()}
    return dg.materialize([dbt_models], selection=selection, resources=resources, raise_on_error=False,
                          run_config=dg.RunConfig({"dbt_models": DbtConfig(as_of="2025-03-15")}))


def _materialized(result) -> set[str]:
    return {event.asset_key.to_user_string() for event in result.get_asset_materialization_events()}


@pytest.fixture(scope="module")
def warehouse_dir(tmp_path_factory):
    warehouse_dir = tmp_path_factory.mktemp("inprocess") / "warehouse"
    store.connect(warehouse_dir).close()   # the raw layer, empty
    return warehouse_dir


def test_full_build_reports_every_model_and_check_and_releases_the_file(warehouse_dir):
    result = _materialize(warehouse_dir)
    assert result.success
    expected = {key.to_user_string() for key in dbt_models.keys}
    assert _materialized(result) == expected
    checks = [e for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert len(checks) == len(list(dbt_models.check_specs))
    assert all(e.event_specific_data.passed for e in checks)
    # dbt closed the file: this process opens it again with another configuration (as the publish step does)
    con = duckdb.connect(str(store.internal_path(warehouse_dir)), config={"memory_limit": "100MB"})
    try:
        assert con.execute("select count(*) from marts.dim_district").fetchone()[0] == 12
    finally:
        con.close()


def test_a_subset_builds_only_what_was_selected(warehouse_dir):
    con = duckdb.connect(str(store.internal_path(warehouse_dir)))
    before = con.execute("select count(*) from marts.dim_enumeration").fetchone()[0]
    con.execute("delete from marts.dim_enumeration")   # the subset's build must bring it back
    con.execute("delete from marts.dim_district")      # outside the subset: must stay empty
    con.close()
    result = _materialize(warehouse_dir, selection=[dg.AssetKey(["marts", "dim_enumeration"])])
    assert result.success
    assert _materialized(result) == {"marts/dim_enumeration"}
    con = duckdb.connect(str(store.internal_path(warehouse_dir)), read_only=True)
    try:
        assert con.execute("select count(*) from marts.dim_enumeration").fetchone()[0] == before > 0
        assert con.execute("select count(*) from marts.dim_district").fetchone()[0] == 0
    finally:
        con.close()


def test_a_dbt_failure_fails_the_step_with_dbts_reason(tmp_path):
    warehouse_dir = tmp_path / "warehouse"
    con = store.connect(warehouse_dir)
    con.execute("drop table raw.houses")   # stg_houses reads it
    con.close()
    result = _materialize(warehouse_dir)
    assert not result.success
    failures = [e for e in result.all_events if e.is_step_failure]
    assert len(failures) == 1
    assert "dbt build failed" in failures[0].event_specific_data.error.message
    assert "fct_houses" not in {key.path[-1] for key in map(dg.AssetKey.from_user_string, _materialized(result))}
    duckdb.connect(str(store.internal_path(warehouse_dir)), config={"memory_limit": "100MB"}).close()   # released


def _compiled_sql(page) -> list[str]:
    """Every node's compiled SQL embedded in a data dictionary page (dbt docs --static); the publish
    time a build ran with (var published_at) and a compile's now() read alike, as "<published_at>"."""
    sql = re.findall(r'"compiled_code": ("(?:[^"\\]|\\.)*")', page.read_text(encoding="utf-8"))
    return sorted(re.sub(r"cast\((?:\\?'[0-9: .-]+\\?'|now\(\))\s+as timestamp\)", "<published_at>", code)
                  for code in sql)


def test_a_full_build_leaves_its_compiled_manifest_and_the_dictionary_uses_it(tmp_path):
    """A full build marks its manifest.json as the compiled project (the data dictionary then skips
    dbt's compile); the page is the same as a compiled one. A subset forgets the mark."""
    warehouse_dir = tmp_path / "warehouse"
    store.connect(warehouse_dir).close()
    as_of = dt.date(2025, 3, 15)
    assert _materialize(warehouse_dir).success
    assert transform.built_manifest(warehouse_dir, as_of) == transform.target_path(warehouse_dir) / "manifest.json"
    assert transform.built_manifest(warehouse_dir, dt.date(2025, 3, 16)) is None   # another as_of: compile
    from_build = dictionary.generate(warehouse_dir, tmp_path / "from-build.html", as_of)
    files.forget_built(transform.target_path(warehouse_dir) / "manifest.json")
    compiled = dictionary.generate(warehouse_dir, tmp_path / "compiled.html", as_of)
    sql = _compiled_sql(from_build)
    assert len(sql) >= len([k for k in dbt_models.keys if k.path[0] != "reference"]) and "2025-03-15" in "".join(sql)
    assert sum("<published_at>" in code for code in sql) == 2   # fct_published_figures, int_counting_changes
    assert sql == _compiled_sql(compiled)
    files.mark_built(transform.target_path(warehouse_dir) / "manifest.json", transform.build_identity(as_of))
    assert _materialize(warehouse_dir, selection=[dg.AssetKey(["marts", "dim_enumeration"])]).success
    assert transform.built_manifest(warehouse_dir, as_of) is None


def test_a_failed_test_is_a_failed_check_showing_its_first_failing_rows(tmp_path):
    """The singular test skipped_rows_match_sheet_counts is a real asset check (on audit_submission_sheets):
    a sheet counting two skipped rows that lists none fails it, and the check's metadata shows that row."""
    warehouse_dir = tmp_path / "warehouse"
    con = store.connect(warehouse_dir)
    con.execute("insert into raw.submissions (submission_id, file_name, file_sha256, received_at, district_code, "
                "period, version, outcome, status, rows_read, rows_loaded, rows_skipped, unit_type, unit_code) values "
                "('5e1f00d5a11b2c3d', 'bao_cao_116_2025_03.xlsx', 'ab', '2025-04-02 08:00', '116', '2025-03-01', 1, "
                "'accepted', 'accepted', 2, 0, 2, 'district', '116')")
    con.execute("insert into raw.submission_sheets (submission_id, sheet, sheet_name, rows_read, rows_loaded, "
                "rows_rejected, rows_skipped, warnings) values ('5e1f00d5a11b2c3d', 'grants', 'Hỗ trợ', 2, 0, 0, 2, 0)")
    con.close()
    result = _materialize(warehouse_dir)
    assert not result.success   # an error-severity test: nothing downstream is built
    [check] = [e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
               and e.event_specific_data.check_name == "skipped_rows_match_sheet_counts"]
    assert check.asset_key == dg.AssetKey(["audit", "audit_submission_sheets"]) and not check.passed
    rows = check.metadata["failing_rows"].value
    assert rows.splitlines()[0] == "| submission_id | sheet | rows_skipped | listed |"
    assert rows.splitlines()[2] == "| 5e1f00d5a11b2c3d | grants | 2 | 0 |"
    assert check.metadata["dagster_dbt/failed_row_count"].value == 1
