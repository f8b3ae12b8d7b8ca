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
