"""The operator's morning questions answered in the Dagster UI, through its GraphQL API after a
recorded demo load (the CLI with DAGSTER_HOME set: the run, its materializations and check results
are in the instance the webserver reads): which files were rejected and why (the ledger asset's
metadata, across the whole ledger), who is late or missing (by name), what each check checks, and
the singular dbt test as a check of its own."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.request

import pytest
from runner import REPO, query, run_load
from test_ui import BIN, _free_port, _stop, _wait

from pipeline import config
from pipeline.warehouse import completeness

pytestmark = pytest.mark.slow   # a real demo load and a webserver

METADATA = """
query Metadata($key: AssetKeyInput!) {
  assetOrError(assetKey: $key) {
    ... on Asset { assetMaterializations(limit: 1) { runId metadataEntries {
      label
      ... on MarkdownMetadataEntry { mdStr }
      ... on TextMetadataEntry { text }
      ... on IntMetadataEntry { intValue }
    } } }
  }
}"""
CHECKS = """
{ assetNodes { assetKey { path } assetChecksOrError { ... on AssetChecks { checks {
    name description executionForLatestMaterialization { runId status evaluation { success } } } } } } }"""


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A demo load recorded in a fresh instance, and the webserver on it (no daemon: nothing to run)."""
    root = tmp_path_factory.mktemp("ui_morning")
    home, warehouse = root / "dagster_home", root / "warehouse"
    home.mkdir()
    shutil.copy(REPO / "dagster_home.yaml", home / "dagster.yaml")
    env = {"DAGSTER_HOME": str(home), "DAGSTER_DISABLE_TELEMETRY": "1"}
    done = run_load(REPO / "sources", warehouse, "--quiet", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    port = _free_port()
    log = open(root / "webserver.log", "wb")
    web = subprocess.Popen([str(BIN / "dagster-webserver"), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
                           cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                           env={**os.environ, **env, "PIPELINE_WAREHOUSE_DIR": str(warehouse),
                                "PIPELINE_SOURCES_DIR": str(REPO / "sources"), "GX_ANALYTICS_ENABLED": "false",
                                "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"})
    web.log_path = root / "webserver.log"
    try:
        _wait(lambda: _graphql(port, "{ version }", timeout=5), "the webserver's GraphQL API", 240, [web])
        _wait(lambda: (_graphql(port, '{ repositoriesOrError { ... on RepositoryConnection { nodes { name } } } }')
                       or {}).get("repositoriesOrError", {}).get("nodes"), "the code location", 240, [web])
        yield {"port": port, "warehouse": warehouse}
    finally:
        _stop(web)


def _graphql(port: int, text: str, variables: dict | None = None, timeout: float = 120) -> dict | None:
    body = json.dumps({"query": text, "variables": variables or {}}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read())
    except OSError:
        return None
    assert "errors" not in answer, answer["errors"]
    return answer["data"]


def _metadata(recorded, *path: str) -> dict:
    data = _graphql(recorded["port"], METADATA, {"key": {"path": list(path)}})
    [materialization] = data["assetOrError"]["assetMaterializations"]
    return {e["label"]: e.get("mdStr", e.get("text", e.get("intValue"))) for e in materialization["metadataEntries"]}


def _table(markdown: str) -> list[list[str]]:
    """The rows of a markdown table (header and rule left out), cell by cell."""
    rows = [line for line in markdown.splitlines() if line.startswith("| ")][1:]
    return [[cell.strip().replace("\\|", "|") for cell in row.strip("|").split(" | ")] for row in rows]


def test_every_file_with_a_problem_is_listed_with_its_reason(recorded):
    problems = _table(_metadata(recorded, "raw", "submissions")["files_with_problems"])
    by_file = {row[0]: row for row in problems}
    ledger = query(recorded["warehouse"], "select s.file_name, s.status, s.reason, s.rows_rejected, "
                                          "string_agg(distinct r.reason, '; ') from audit.submissions as s "
                                          "left join audit.rejected_rows as r using (submission_id) "
                                          "where s.status = 'rejected' or s.rows_rejected > 0 group by all")
    assert len(ledger) == 9
    for file_name, status, reason, rows_rejected, row_reasons in ledger:
        file, unit, period, shown_status, shown_reason, shown_rows, _, workbook = by_file[file_name]
        assert shown_status == status and int(shown_rows) == rows_rejected
        assert shown_reason.startswith(reason)
        if rows_rejected:
            assert shown_reason == f"{reason}: {row_reasons}"
        assert (recorded["warehouse"] / "feedback" / workbook).is_file()
    duplicate = [row for row in problems if row[3] == "duplicate"]
    assert len(duplicate) == 1 and duplicate[0][4].startswith("same bytes as ")


def test_late_and_missing_units_are_named(recorded):
    metadata = _metadata(recorded, "submission_completeness")
    today = config.local_today()
    first = completeness.month_now_due(today).replace(year=completeness.month_now_due(today).year - 1)
    late = query(recorded["warehouse"], "select strftime(c.period, '%Y-%m'), c.unit_type, c.unit_code, u.unit_name, "
                                        "c.state from marts.agg_submission_completeness as c join "
                                        "marts.dim_reporting_unit as u using (unit_type, unit_code) "
                                        "where c.period > ? and c.state in ('late', 'missing', 'rejected_only') "
                                        "order by 1 desc, 2, 3", [first])
    listed = [tuple(row[:5]) for row in _table(metadata["late_or_missing"])]
    assert listed == late and late   # the demo has late and missing communes in its last 12 months
    months = _table(metadata["months"])
    assert [row[0][:7] for row in months] == sorted({row[0][:7] for row in months}, reverse=True)   # newest first
    assert months[0][0] == f"{completeness.month_now_due(today):%Y-%m} (now due)"
    for month, _, code, name, state in late:
        row = next(r for r in months if r[0].startswith(month))
        assert f"{code} {name} ({state.replace('_', ' ')})" in row[-1]
    latest_due = next(row[0] for row in months if "(now due)" not in row[0])
    assert metadata["latest_month_due"].startswith(f"{latest_due}, due ")


def test_checks_are_described_and_the_singular_test_is_a_check(recorded):
    nodes = _graphql(recorded["port"], CHECKS)["assetNodes"]
    checks = {(tuple(n["assetKey"]["path"]), c["name"]): c for n in nodes
              for c in (n["assetChecksOrError"] or {}).get("checks", [])}
    # every check of the definitions (dbt's data tests, the singular test, Python checks) is in the UI
    from pipeline.definitions import defs
    assert len(checks) == len(defs.resolve_asset_graph().asset_check_keys) >= 130
    described = [key for key, check in checks.items() if (check["description"] or "").strip()]
    assert len(described) >= 0.9 * len(checks)
    singular = checks[(("audit", "audit_submission_sheets"), "skipped_rows_match_sheet_counts")]
    assert singular["description"].startswith("Every skipped row is listed")
    assert singular["executionForLatestMaterialization"]["status"] == "SUCCEEDED"
    missing = checks[(("submission_completeness",), "latest_month_due_complete")]
    assert "Asia/Ho_Chi_Minh" in missing["description"]
    assert missing["executionForLatestMaterialization"]["status"] in ("SUCCEEDED", "FAILED")
    rules = checks[(("raw", "houses"), "row_rules")]
    assert "Skipped when the run brought no new rows of this sheet" in rules["description"]
    jobs = _graphql(recorded["port"], '{ repositoriesOrError { ... on RepositoryConnection { nodes { '
                                      'jobs { name description } } } } }')["repositoriesOrError"]["nodes"][0]["jobs"]
    assert {"load", "rebuild", "templates"} <= {job["name"] for job in jobs}


def test_the_sign_off_of_the_latest_months_is_shown(recorded):
    """Nothing approved after a plain load: every unit-month of the latest 12 provisional, nothing waits."""
    metadata = _metadata(recorded, "submission_completeness")
    rows = _table(metadata["sign_off"])
    expected = query(recorded["warehouse"], "select strftime(period, '%Y-%m'), count(*) from "
                                            "marts.agg_submission_completeness group by 1 order by 1 desc limit 12")
    assert [(month, int(a), int(w), int(n)) for month, a, w, n in rows] == [(m, 0, 0, n) for m, n in expected]
    assert metadata["pending_revisions"] == "none" and metadata["pending_revisions_count"] == 0
