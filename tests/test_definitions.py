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
