"""The dbt project itself: contracts and their constraints, doc blocks, enumerations seed, freshness,
exposures, unit tests.

Real dbt runs (the venv's dbt) on DuckDB files in tmp_path; nothing is written into the source
tree (--target-path and --log-path point into tmp_path).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from pipeline import transform
from pipeline.config import DBT_PROJECT_DIR, SEEDS_DIR
from pipeline.warehouse import store
from tools.export_seeds import SEED_PATH, enumerations_csv

DBT = Path(sys.executable).parent / "dbt"
PUBLISHED_FOLDERS = ("marts", "audit")
UNIT_TESTS = {   # unique_id suffix -> model under test
    "fct_poverty_rates_rounds_half_up_in_exact_arithmetic": "fct_poverty_rates",
    "agg_submission_completeness_states": "agg_submission_completeness",
    "agg_submission_completeness_window_ends_at_latest_month_reported": "agg_submission_completeness",
    "int_house_cases_current_recency_order": "int_house_cases_current",
    "int_poverty_latest_merges_what_counts": "int_poverty_latest",
    "int_poverty_latest_counting_rows_and_their_standard": "int_poverty_latest",
    "agg_poverty_province_year_counts_every_commune_in_force": "agg_poverty_province_year",
    "agg_poverty_province_year_breaks_at_a_change_of_standard": "agg_poverty_province_year",
    "fct_poverty_rates_comparable_within_one_standard": "fct_poverty_rates",
    "agg_poverty_district_year_counts_the_districts_communes_in_force": "agg_poverty_district_year",
    "agg_poverty_commune_year_sums_old_communes_on_todays_map": "agg_poverty_commune_year",
    "int_house_cases_current_one_case_across_the_reform": "int_house_cases_current",
    # the reporting layer (models/marts/reporting/_unit_tests.yml)
    "rpt_houses_month_counts_each_case_where_it_started_and_where_it_was_completed": "rpt_houses_month",
    "rpt_grants_month_labels_programmes_and_sums_funding_sources": "rpt_grants_month",
    "rpt_headline_periods_zero_programmes_and_exact_average": "rpt_headline",
    "rpt_poverty_province_compares_within_one_standard": "rpt_poverty_province",
    "rpt_poverty_commune_change_is_like_for_like_only_between_exact_full_years_of_one_standard":
        "rpt_poverty_commune",
    "rpt_completeness_names_units_and_never_mixes_submissions": "rpt_completeness",
    "rpt_open_cases_confirmed_only_when_the_latest_report_lists_them": "rpt_open_cases",
    "int_poverty_villages_partial_figures": "int_poverty_villages",
}
# enumerated column -> the domain its codes come from (pipeline/enumerations.py, the seed enumerations)
ENUMERATED_COLUMNS = {
    ("fct_houses", "category"): "category",
    ("fct_houses", "support_type"): "support_type",
    ("fct_houses", "status"): "house_status",
    ("fct_grants", "programme"): "programme",
    ("fct_grants", "funding_source"): "funding_source",
    ("audit_submissions", "status"): "submission_status",
    ("audit_submissions", "outcome"): "submission_status",
    ("audit_submission_sheets", "sheet"): "sheet_kind",
    ("audit_rejected_rows", "sheet_kind"): "sheet_kind",
    ("audit_warnings", "sheet_kind"): "sheet_kind",
    ("audit_skipped_rows", "kind"): "skipped_row",
    ("audit_skipped_rows", "sheet_kind"): "sheet_kind",
    ("agg_submission_completeness", "latest_status"): "submission_status",
    ("agg_submission_completeness", "state"): "completeness_state",
    ("programme_beneficiary_units", "programme"): "programme",
    ("rpt_headline", "programme"): "programme",
    ("rpt_grants_month", "programme"): "programme",
    ("rpt_open_cases", "status"): "house_status",
    ("rpt_completeness", "state"): "completeness_state",
    ("rpt_completeness", "submission_status"): "submission_status",
}
# codes of its domain a column never holds
EXCLUDED_CODES = {("audit_submissions", "outcome"): ["superseded"], ("audit_submission_sheets", "sheet"): ["cover"],
                  ("audit_skipped_rows", "sheet_kind"): ["cover"]}
# checked by the data test in_enumeration against the seed instead: a seed has no contract, and a
# warning (severity warn) must not fail the build
ENUMERATION_TESTED = {("programme_beneficiary_units", "programme"), ("audit_rejected_rows", "sheet_kind"),
                      ("audit_warnings", "sheet_kind")}
# what the database enforces while building a contracted model; a data test would only say it afterwards
CONSTRAINED_TESTS = {"not_null", "unique", "accepted_values", "in_enumeration"}


def dbt(*args: str, work: Path, variables: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Run the venv's dbt on this project with its target and logs in `work`."""
    command = [str(DBT), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
               "--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    if variables is not None:
        command += ["--vars", json.dumps(variables)]
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.pop("PIPELINE_DUCKDB_PATH", None)
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=work)
    if check:
        assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout[-4000:]}{done.stderr[-2000:]}"
    return done


def raw_database(path: Path) -> Path:
    """An empty raw layer, created from the pipeline's own DDL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute(store.RAW_SCHEMA_SQL)
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def manifest() -> dict:
    """`dbt parse` of this version of the project (transform.prepare: cached per version, outside
    the source tree; the manifest the Dagster definitions are built from)."""
    return json.loads(transform.prepare().read_text(encoding="utf-8"))


def published_models(manifest: dict) -> dict[str, dict]:
    return {node["name"]: node for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["fqn"][1] in PUBLISHED_FOLDERS}


# -- the enumerations seed --------------------------------------------------------------------

def test_enumerations_seed_is_what_export_seeds_writes():
    assert SEED_PATH == SEEDS_DIR / "enumerations.csv"
    assert SEED_PATH.read_text(encoding="utf-8") == enumerations_csv(), \
        "dbt_project/seeds/enumerations.csv is out of date: run python -m tools.export_seeds"
    header, *rows = enumerations_csv().splitlines()
    assert header == "domain,code,label_vi,label_en,sort_order"
    assert "house_status,completed,Hoàn thành,Completed,3" in rows


def _tests(manifest: dict):
    """(generic test name or None, model, column, node) of every data test."""
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test":
            model = (node.get("attached_node") or "").rsplit(".", 1)[-1]
            yield (node.get("test_metadata") or {}).get("name"), model, node.get("column_name"), node


def _quoted(codes: list[str]) -> str:
    return ", ".join(f"'{code}'" for code in codes)


def test_enumerated_columns_are_constrained_to_their_domain(manifest):
    """An enumerated column of a contracted model has a check constraint listing exactly its domain's codes
    (pipeline/enumerations.py, which also writes the seed); the seed's own column, and the two checked as
    warnings, keep the data test in_enumeration against the seed. Never a list typed by hand (accepted_values)."""
    from pipeline import enumerations

    models = {node["name"]: node for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    for (model, column), domain in ENUMERATED_COLUMNS.items():
        if (model, column) in ENUMERATION_TESTED:
            continue
        codes = [c for c in enumerations.codes(domain) if c not in EXCLUDED_CODES.get((model, column), [])]
        checks = [c["expression"] for c in models[model]["columns"][column]["constraints"] if c["type"] == "check"]
        assert checks == [f"{column} in ({_quoted(codes)})"], (model, column)
    tested = {}
    for name, model, column, node in _tests(manifest):
        if name == "accepted_values":
            assert (model, column) not in ENUMERATED_COLUMNS, f"{model}.{column} still has accepted_values"
        if name == "in_enumeration":
            tested[(model, column)] = node["test_metadata"]["kwargs"]["domain"]
            assert "seed.son_la.enumerations" in node["depends_on"]["nodes"]
    assert tested == {key: ENUMERATED_COLUMNS[key] for key in ENUMERATION_TESTED}


def test_the_database_enforces_what_it_can_and_data_tests_check_the_rest(manifest):
    """On the contracted models, not null, unique / primary key and accepted values are constraints (DuckDB
    and PostgreSQL enforce them while building: a violation fails the model, nothing is published); the data
    tests left say what a constraint cannot: relationships, expressions, a warning, and keys with a column
    that may be null (a unique constraint would let two rows with a null through)."""
    contracted = published_models(manifest)
    for name, model, column, node in _tests(manifest):
        if model not in contracted:
            continue
        severity = node["config"]["severity"].lower()
        if name in CONSTRAINED_TESTS:
            assert severity == "warn", f"{model}.{column}: {name} is a constraint now"
        elif name == "unique_combination":
            columns = node["test_metadata"]["kwargs"]["combination_of_columns"]
            nullable = [c for c in columns if not _not_null(contracted[model], c)]
            assert nullable or node["config"].get("where"), f"{model} {columns}: a primary key or unique constraint"
        else:
            assert name in ("relationships", "expression_is_true", None), (model, name)
    keys = {name: [c for c in node["constraints"] if c["type"] == "primary_key"]
            + [c for column in node["columns"].values() for c in column["constraints"] if c["type"] == "primary_key"]
            for name, node in contracted.items()}
    assert len(keys["fct_houses"]) == 1 and keys["fct_grants"][0]["columns"] == [
        "commune_code", "period", "programme", "funding_source"]
    assert sum(1 for found in keys.values() if found) >= 24   # of 37 contracted models
    assert all(len(found) <= 1 for found in keys.values())


def _not_null(model: dict, column: str) -> bool:
    column_constraints = {c["type"] for c in model["columns"][column]["constraints"]}
    in_key = any(c["type"] == "primary_key" and column in c["columns"] for c in model["constraints"])
    return bool(column_constraints & {"not_null", "primary_key"}) or in_key


# -- contracts and descriptions -----------------------------------------------------------------

def test_every_published_model_has_an_enforced_contract_with_types(manifest):
    models = published_models(manifest)
    assert {"fct_houses", "fct_grants", "fct_poverty_rates", "agg_poverty_district_year",
            "agg_poverty_province_year", "agg_submission_completeness", "dim_district", "dim_commune",
            "dim_enumeration", "audit_submissions", "audit_submission_sheets", "audit_rejected_rows",
            "audit_warnings", "audit_skipped_rows",
            # the 2025 reforms (warehouse-contract.md, "Across the 2025 reforms")
            "dim_commune_2025", "dim_reporting_unit", "agg_poverty_commune_year", "audit_crosswalk_gaps",
            "audit_case_collisions",
            # the rule book (pipeline/rulebook/), from the seed rules
            "audit_rules",
            # the reporting layer (warehouse-contract.md, "The reporting layer") and its standards
            "dim_poverty_standard", "rpt_reporting_period", "rpt_headline", "rpt_houses_month", "rpt_houses_year",
            "rpt_open_cases", "rpt_grants_month", "rpt_completeness", "rpt_completeness_month",
            "rpt_poverty_province", "rpt_poverty_district", "rpt_poverty_commune", "rpt_rejected_by_reason",
            "rpt_rejected_by_unit",
            # a file against what came before (warehouse-contract.md, "Sign-off, revisions, standards and outliers")
            "audit_counting_submissions", "audit_replaced_rows", "audit_outliers",
            # sign-off and revisions (same section)
            "fct_approvals", "fct_published_figures", "fct_revisions", "rpt_revisions", "rpt_pending_revisions",
            "audit_pending_revisions",
            "audit_pending_revision_figures"} == set(models)
    for name, node in models.items():
        assert node["config"]["contract"]["enforced"] is True, name
        assert node["columns"], name
        for column in node["columns"].values():
            assert column.get("data_type"), f"{name}.{column['name']} has no data_type"
            assert column.get("description"), f"{name}.{column['name']} has no description"


def test_no_description_is_written_twice():
    """A description used in more than one place is a doc block ({{ doc('...') }}), never a copy.
    (A YAML alias, as for the two admin-unit seeds' columns, is one text, not a copy.)"""
    seen: dict[str, list[str]] = {}
    visited: set[int] = set()

    def walk(node, where):
        if id(node) in visited:
            return
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            name = next((v.value for k, v in node.value if k.value == "name" and isinstance(v, yaml.ScalarNode)), None)
            for key, value in node.value:
                if key.value == "description" and isinstance(value, yaml.ScalarNode):
                    seen.setdefault(" ".join(value.value.split()), []).append(f"{where}/{name}")
                else:
                    walk(value, f"{where}/{name or key.value}")
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item, where)

    files = sorted([*(DBT_PROJECT_DIR / "models").rglob("*.yml"), *(DBT_PROJECT_DIR / "seeds").rglob("*.yml")])
    for path in files:
        visited.clear()   # aliases are per file (and ids of freed nodes get reused)
        walk(yaml.compose(path.read_text(encoding="utf-8")), path.name)
    only_doc = re.compile(r"^\{\{\s*doc\('[a-z0-9_]+'\)\s*\}\}$")
    copies = {text: places for text, places in seen.items() if len(places) > 1 and not only_doc.match(text)}
    assert not copies, copies
    # every doc block (docs.md and the reporting layer's _reporting.md) is used somewhere
    blocks = {name for path in (DBT_PROJECT_DIR / "models").rglob("*.md")
              for name in re.findall(r"\{%\s*docs\s+([a-z0-9_]+)\s*%\}", path.read_text(encoding="utf-8"))}
    used = {name for text in seen for name in re.findall(r"doc\('([a-z0-9_]+)'\)", text)}
    used.add("__overview__")   # dbt docs' front page, used by dbt itself
    assert blocks and blocks <= used, blocks - used


def test_shared_logic_lives_in_one_place(manifest):
    models = {node["name"]: node for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    for name in ("agg_poverty_district_year", "agg_poverty_province_year"):
        assert "macro.son_la.poverty_by" in models[name]["depends_on"]["macros"]
        assert "seed.son_la.admin_unit_lists" in models[name]["depends_on"]["nodes"]
    assert "seed.son_la.admin_unit_lists" in models["stg_admin_units"]["depends_on"]["nodes"]
    assert "macro.son_la.admin_list_year" not in manifest["macros"]
    for name in ("int_house_cases_current", "agg_submission_completeness"):
        assert "macro.son_la.submission_recency_order" in models[name]["depends_on"]["macros"]
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    assert project["vars"]["submission_recency_order"] == [
        "period desc nulls last", "version desc nulls last", "received_at desc nulls last",
        "file_mtime desc nulls last", "submission_id desc"]
    # what counts per sheet kind is decided over the raw layer (pipeline/warehouse/supersession.py),
    # by the same var: int_poverty_latest reads its outcome (int_counting_submissions)
    from pipeline.warehouse import supersession
    assert "model.son_la.int_counting_submissions" in models["int_poverty_latest"]["depends_on"]["nodes"]
    assert supersession.RECENCY == ", ".join(project["vars"]["submission_recency_order"])
    # the day "due" is judged on comes from the var as_of, never from the clock in a model
    for path in [*(DBT_PROJECT_DIR / "models").rglob("*.sql"), *(DBT_PROJECT_DIR / "macros").rglob("*.sql")]:
        if path.name != "as_of_date.sql":
            text = path.read_text(encoding="utf-8").lower()
            assert "current_date" not in text and "now()" not in text and "current_timestamp" not in text, path


# -- exposures and freshness ---------------------------------------------------------------------

def test_exposures_cover_what_leaves_dbt(manifest):
    exposures = {node["name"]: node for node in manifest["exposures"].values()}
    assert set(exposures) == {"bi_warehouse", "district_feedback_workbooks"}
    for exposure in exposures.values():
        assert exposure["owner"] == {"name": "Son La statistics office, data platform",
                                     "email": "data-platform@sonla.example"}
        assert exposure["description"].strip()
    published = {f"model.son_la.{name}" for name in published_models(manifest)}
    assert set(exposures["bi_warehouse"]["depends_on"]["nodes"]) == published
    feedback = set(exposures["district_feedback_workbooks"]["depends_on"]["nodes"])
    assert {"source.son_la.raw.rejected_rows", "source.son_la.raw.warnings", "source.son_la.raw.submissions",
            "model.son_la.audit_rejected_rows", "model.son_la.audit_warnings"} <= feedback


def test_freshness_is_declared_on_received_at(manifest):
    source = manifest["sources"]["source.son_la.raw.submissions"]
    assert source["loaded_at_field"] == "received_at"
    assert source["freshness"]["warn_after"] == {"count": 36, "period": "hour"}
    assert source["freshness"]["error_after"] == {"count": 7, "period": "day"}
    assert "Freshness" in source["description"]


@pytest.mark.slow
def test_source_freshness_on_a_real_ledger(tmp_path):
    """dbt source freshness on a small raw layer: pass, warn and error as the newest arrival ages."""
    database = raw_database(tmp_path / "freshness.duckdb")
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    statuses = {}
    for age, expected_rc in [(dt.timedelta(hours=2), 0), (dt.timedelta(days=3), 0), (dt.timedelta(days=9), 1)]:
        con = duckdb.connect(str(database))
        con.execute("delete from raw.submissions")
        con.execute("insert into raw.submissions (submission_id, file_name, file_sha256, received_at, outcome, status) "
                    "values ('s1', 'a.xlsx', 'ff', ?, 'accepted', 'accepted'), "
                    "('s0', 'b.xlsx', 'ee', ?, 'accepted', 'accepted')", [now - age, now - age - dt.timedelta(days=30)])
        con.close()
        done = dbt("source", "freshness", "--select", "source:raw.submissions", work=tmp_path,
                   variables={"warehouse_db": str(database)}, check=False)
        assert done.returncode == expected_rc, done.stdout[-3000:]
        results = json.loads((tmp_path / "target" / "sources.json").read_text())["results"]
        assert [r["unique_id"] for r in results] == ["source.son_la.raw.submissions"]
        statuses[age.days] = results[0]["status"]
    assert statuses == {0: "pass", 3: "warn", 9: "error"}


# -- the pipeline's build and the unit tests -------------------------------------------------------

@pytest.fixture(scope="module")
def built_warehouse(tmp_path_factory) -> Path:
    """The pipeline's own dbt build (transform.build_args) of an empty raw layer."""
    warehouse = tmp_path_factory.mktemp("dbt_build") / "warehouse"
    raw_database(store.internal_path(warehouse))
    args = transform.build_args(warehouse, dt.date(2025, 3, 15))
    target = transform.target_path(warehouse)
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    done = subprocess.run([str(DBT), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
                           str(DBT_PROJECT_DIR), "--target-path", str(target)],
                          capture_output=True, text=True, env=env, cwd=warehouse)
    assert done.returncode == 0, done.stdout[-4000:]
    return warehouse


@pytest.mark.slow
def test_pipeline_build_runs_no_unit_tests(built_warehouse):
    results = json.loads((transform.target_path(built_warehouse) / "run_results.json").read_text())["results"]
    kinds = {r["unique_id"].split(".")[0] for r in results}
    assert {"seed", "model", "test"} <= kinds
    assert "unit_test" not in kinds
    failed = [(r["unique_id"], r["status"]) for r in results
              if r["status"] not in ("success", "pass") and not r["unique_id"].startswith("exposure.")]
    assert not failed
    con = duckdb.connect(str(store.internal_path(built_warehouse)), read_only=True)
    try:
        labels = con.execute("select label_vi from marts.dim_enumeration "
                             "where domain = 'house_status' and code = 'completed'").fetchall()
        lists = con.execute("select list_year, min(valid_from), max(valid_to), count(*) from staging.stg_admin_units "
                            "group by 1 order by 1").fetchall()
    finally:
        con.close()
    assert labels == [("Hoàn thành",)]
    # the 204 -> 200 change took effect on 2025-02-01 (the correction); the 75-list of 2025-07 has
    # no districts and is not in stg_admin_units (stg_commune_map)
    assert lists == [(2024, dt.date(2020, 1, 1), dt.date(2025, 1, 31), 204),
                     (2025, dt.date(2025, 2, 1), dt.date(2025, 6, 30), 200)]


@pytest.mark.slow
def test_constraints_are_in_the_built_tables_and_a_violation_fails_the_build(built_warehouse, tmp_path):
    """DuckDB holds the contracts' constraints on the built tables; a raw layer that breaks one (an outcome
    outside its enumeration) fails the model's build with the database's reason, and the table built before
    stays as it was (what the publish would copy)."""
    database = tmp_path / "warehouse.duckdb"
    shutil.copyfile(store.internal_path(built_warehouse), database)
    con = duckdb.connect(str(database))
    try:
        kinds = dict(con.execute(
            "select constraint_type, count(*) from duckdb_constraints() where schema_name = 'marts' "
            "and table_name = 'fct_houses' group by 1").fetchall())
        # CHECK: category, support_type, status, commune_2025_mapping, approval_status in their enumerations
        assert kinds["PRIMARY KEY"] == 1 and kinds["CHECK"] == 5 and kinds["NOT NULL"] >= 12
        for n, outcome in enumerate(("accepted", "superseded")):   # 'superseded' is a status, never an outcome
            con.execute("insert into raw.submissions (submission_id, file_name, file_sha256, received_at, outcome, "
                        "status) values (?, 'a.xlsx', 'ff', timestamp '2025-03-01 08:00', ?, ?)",
                        [f"s{n}", outcome, outcome])
    finally:
        con.close()
    done = dbt("build", "--select", "audit_submissions", work=tmp_path, check=False,
               variables={"warehouse_db": str(database), "as_of": "2025-03-15"})
    assert done.returncode == 1
    assert re.search(r"Constraint Error: CHECK constraint failed", done.stdout), done.stdout[-3000:]
    con = duckdb.connect(str(database), read_only=True)
    try:
        assert con.execute("select count(*) from audit.submissions").fetchone() == (0,)
    finally:
        con.close()


@pytest.mark.slow
def test_unit_tests_pass(built_warehouse, tmp_path):
    """dbt test --select test_type:unit, against the relations the build created (no data needed)."""
    database = store.internal_path(built_warehouse)
    dbt("test", "--select", "test_type:unit", work=tmp_path, variables={"warehouse_db": str(database)})
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    ran = {r["unique_id"]: r["status"] for r in results}
    assert ran == {f"unit_test.son_la.{model}.{name}": "pass" for name, model in UNIT_TESTS.items()}
