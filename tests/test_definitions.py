"""The Dagster definitions load, and the graph runs ingest -> staging -> marts -> publish."""
import dagster as dg

from pipeline.definitions import defs


def test_definitions_load():
    dg.Definitions.validate_loadable(defs)
    keys = {key.to_user_string() for key in defs.resolve_all_asset_keys()}
    assert {"raw/houses", "raw/submissions", "staging/stg_houses", "marts/fct_houses",
            "marts/agg_poverty_province_year", "audit/audit_submissions", "bi_warehouse"} <= keys


def test_graph_order():
    graph = defs.resolve_asset_graph()
    def upstream(key):
        return {k.to_user_string() for k in graph.get(dg.AssetKey.from_user_string(key)).parent_keys}
    assert "raw/houses" in upstream("staging/stg_houses")
    assert "staging/stg_houses" in upstream("intermediate/int_house_cases_current")
    assert "marts/fct_houses" in upstream("bi_warehouse")


def test_ingest_asset_reports_feedback_and_checks(tmp_path):
    """The ingest and feedback assets on their own: the feedback asset's metadata carries the
    feedback summary; GX checks fail/pass."""
    from pipeline.defs.assets.feedback import feedback_workbooks
    from pipeline.defs.assets.ingest import ingest_submissions
    from pipeline.defs.resources import WarehouseResource
    from workbooks import grant, house, submission

    sources, warehouse_dir = tmp_path / "sources", tmp_path / "warehouse"
    submission(sources / "a.xlsx", houses=[house("H1"), house("H2", status="xong", no=2)], grants=[grant()])
    result = dg.materialize(
        [ingest_submissions, feedback_workbooks],
        resources={"warehouse": WarehouseResource(sources_dir=str(sources), warehouse_dir=str(warehouse_dir))},
    )
    assert result.success
    materializations = {m.asset_key.to_user_string(): m for m in result.asset_materializations_for_node("ingest_submissions")}
    [feedback_event] = result.asset_materializations_for_node("feedback_workbooks")
    feedback = feedback_event.metadata["feedback_workbooks"].value
    assert "a.xlsx" in feedback and "accepted_with_errors" in feedback
    assert materializations["raw/submissions"].metadata["rows_rejected"].value == 1
    checks = {(c.asset_key.to_user_string(), c.check_name): c.passed
              for c in result.get_asset_check_evaluations()}
    assert checks[("raw/houses", "row_rules")] is False      # the 'xong' status was rejected by GX
    assert checks[("raw/grants", "row_rules")] is True
    assert checks[("raw/houses", "soft_rules")] is True


def test_a_check_with_nothing_to_evaluate_reports_no_result(tmp_path):
    """Only grants arrive: the houses/poverty rule checks report nothing (not 'passed'); a second
    run with nothing new reports no check at all."""
    from pipeline.defs.assets.ingest import IngestConfig, ingest_submissions
    from pipeline.defs.resources import WarehouseResource
    from workbooks import grant, submission

    sources, warehouse_dir = tmp_path / "sources", tmp_path / "warehouse"
    submission(sources / "a.xlsx", grants=[grant()])
    resource = WarehouseResource(sources_dir=str(sources), warehouse_dir=str(warehouse_dir))
    first = dg.materialize([ingest_submissions], resources={"warehouse": resource})
    checks = {(c.asset_key.to_user_string(), c.check_name) for c in first.get_asset_check_evaluations()}
    assert checks == {("raw/grants", "row_rules"), ("raw/grants", "soft_rules")}
    again = dg.materialize([ingest_submissions], resources={"warehouse": resource},
                           run_config={"ops": {"ingest_submissions": {"config": IngestConfig(rebuild=True).model_dump()}}})
    assert again.success and again.get_asset_check_evaluations() == []


def test_dbt_build_arguments_are_a_pure_function(tmp_path):
    """The dbt command line: the warehouse's absolute path, the as-of day and DuckDB's memory limit and
    folder to spill to (owner-only, in the internal folder) as vars, logs in the warehouse (never in the
    source tree), unit tests left to the test suite."""
    import datetime
    import json

    from pipeline import transform

    args = transform.build_args(tmp_path / "wh", datetime.date(2026, 11, 1))
    assert args[0] == "build"
    variables = json.loads(args[args.index("--vars") + 1])
    assert variables == {"as_of": "2026-11-01",
                         "warehouse_db": str((tmp_path / "wh" / "internal" / "warehouse.duckdb").resolve()),
                         "duckdb_memory_limit": "128MB",
                         "duckdb_temp_directory": str((tmp_path / "wh" / "internal" / "spill").resolve())}
    assert args[args.index("--log-path") + 1] == str(tmp_path / "wh" / "internal" / "dbt" / "logs")
    assert transform.target_path(tmp_path / "wh") == tmp_path / "wh" / "internal" / "dbt" / "target"
    assert str(transform.dbt_project().manifest_path).startswith(str(transform.manifest_dir()))
