"""The operators' view, for real: dagster-webserver + dagster-daemon on 127.0.0.1 with a temporary
DAGSTER_HOME, a load launched through the GraphQL API, then the asset graph and the run page in
headless Chromium. Screenshots go to tests/artifacts/.

On the project's instance template (dagster_home.yaml, SQLite under DAGSTER_HOME), whose webserver
is then put behind the deployment recipe's nginx with basic auth; and, the minimum that proves it,
one run on the PostgreSQL one (deploy/dagster_postgres.yaml, on the throwaway cluster of tests/pg.py)."""
from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import workbooks
from proxy import nginx_proxy

pytestmark = pytest.mark.slow   # real CLI loads: the full tier only

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
LOCATION = "pipeline.definitions:defs"   # workspace.yaml: module pipeline.definitions, attribute defs
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, what: str, limit: float, procs=()):
    """Poll until predicate() is truthy; a generous limit only turns a hang into a failure."""
    deadline = time.monotonic() + limit
    while True:
        for proc in procs:
            if proc.poll() is not None:
                log = Path(getattr(proc, "log_path", "/dev/null")).read_text(errors="replace")[-4000:]
                raise AssertionError(f"{proc.args[0]} exited with {proc.returncode} while waiting for {what}\n{log}")
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(1)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def _create_storage(home: Path, env: dict) -> None:
    from unittest import mock

    import dagster as dg

    with mock.patch.dict(os.environ, env):   # the PostgreSQL template reads its connection from the environment
        instance = dg.DagsterInstance.from_config(str(home))
    try:
        instance.get_runs(limit=1)
        instance.all_instigator_state()
        instance.get_asset_keys()
    finally:
        instance.dispose()


def _instance_env(storage: str, request) -> dict:
    """The instance's own environment: none for SQLite, DAGSTER_PG_* for a fresh database on the cluster."""
    if storage == "sqlite":
        return {}
    cluster = request.getfixturevalue("pg_cluster")
    name = f"dagster_{os.getpid()}"
    cluster.execute(f"create database {name}")
    return {"DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": str(cluster.port), "DAGSTER_PG_DB": name,
            "DAGSTER_PG_USERNAME": cluster.superuser, "DAGSTER_PG_PASSWORD": cluster.password}


INSTANCE_TEMPLATES = {"sqlite": REPO / "dagster_home.yaml", "postgres": REPO / "deploy" / "dagster_postgres.yaml"}


@contextlib.contextmanager
def _dagster_ui(storage: str, root: Path, request):
    """webserver + daemon on a fresh DAGSTER_HOME of the given instance template."""
    home, sources, warehouse, logs = root / "dagster_home", root / "sources", root / "warehouse", root / "logs"
    for folder in (home, logs):
        folder.mkdir()
    shutil.copy(INSTANCE_TEMPLATES[storage], home / "dagster.yaml")
    workbooks.submission(sources / "116_2025_03.xlsx", district="116", period="03/2025",
                         prepared_on="05/04/2025", houses=[workbooks.house()], grants=[workbooks.grant()])
    workbooks.submission(sources / "118_2025_03.xlsx", district="118", period="03/2025",
                         grants=[workbooks.grant(commune="03682", name="Xã Mường Chiên")])
    env = {**os.environ, "DAGSTER_HOME": str(home), "PIPELINE_SOURCES_DIR": str(sources),
           "PIPELINE_WAREHOUSE_DIR": str(warehouse), "GX_ANALYTICS_ENABLED": "false",
           "DAGSTER_DISABLE_TELEMETRY": "1", "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           **_instance_env(storage, request)}
    _create_storage(home, env)   # webserver and daemon starting together on a fresh home race to create it
    port = _free_port()
    procs = []

    def start(name: str, args: list[str]) -> None:
        log = open(logs / f"{name}.log", "wb")
        proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)   # own process group: killed as a whole
        proc.log_path = logs / f"{name}.log"
        procs.append(proc)

    def server_info():
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5) as response:
                return json.loads(response.read())
        except OSError:
            return None

    try:
        start("webserver", [str(BIN / "dagster-webserver"), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)])
        _wait(server_info, "the webserver's /server_info", 240, procs)
        # the daemon dequeues runs (the template's run queue) and would run schedules and sensors
        start("daemon", [str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"])
        yield {"port": port, "procs": procs, "logs": logs, "warehouse": warehouse, "home": home}
    finally:
        for proc in procs:
            _stop(proc)


def _launch(ui: dict, job: str = "load", run_config: dict | None = None) -> str:
    """A job (the load by default) submitted through the GraphQL API, followed there until it ends; its run id."""
    from dagster_graphql import DagsterGraphQLClient, DagsterGraphQLClientError

    client = DagsterGraphQLClient("127.0.0.1", port_number=ui["port"])

    def submit():   # the code location may still be loading right after the server answers
        try:
            return client.submit_job_execution(job, repository_location_name=LOCATION,
                                               repository_name="__repository__", run_config=run_config)
        except DagsterGraphQLClientError:
            return None

    run_id = _wait(submit, "the code location to accept a run", 240, ui["procs"])
    terminal = {"SUCCESS", "FAILURE", "CANCELED"}
    status = _wait(lambda: (s := client.get_run_status(run_id).value) in terminal and s,
                   "the run to finish", 600, ui["procs"])
    if status != "SUCCESS":
        logs = "\n".join(p.read_text(errors="replace")[-3000:] for p in ui["logs"].iterdir())
        pytest.fail(f"run {run_id} ended {status}\n{logs}")
    return run_id


def _completeness_cells(warehouse: Path) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(warehouse / "bi.duckdb"), read_only=True)
    try:
        return con.execute("select district_code, state from marts.agg_submission_completeness "
                           "where period = '2025-03-01' and district_code in ('116', '118') order by 1").fetchall()
    finally:
        con.close()


def test_on_the_postgresql_instance_a_run_lives_in_its_database(tmp_path, request):
    """The PostgreSQL instance template (deploy/dagster_postgres.yaml): one run launched and followed
    through GraphQL; nothing under DAGSTER_HOME, the run and its events are rows of the instance
    database. (The UI's other checks run on the SQLite instance only: they do not depend on it.)"""
    with _dagster_ui("postgres", tmp_path, request) as ui:
        run_id = _launch(ui)
        assert _completeness_cells(ui["warehouse"]) == [("116", "on_time"), ("118", "late")]
    assert not (ui["home"] / "history").exists() and not (ui["home"] / "schedules").exists()
    [(runs, events, instigators)] = request.getfixturevalue("pg_cluster").execute(
        "select (select count(*) from runs where run_id = %(r)s), "
        "(select count(*) from event_logs where run_id = %(r)s), "
        "to_regclass('public.instigators') is not null", database=f"dagster_{os.getpid()}", params={"r": run_id})
    assert runs == 1 and events > 10 and instigators


@pytest.fixture(scope="module")
def dagster_ui(tmp_path_factory, request):
    """The project's instance template (dagster_home.yaml: SQLite under DAGSTER_HOME)."""
    with _dagster_ui("sqlite", tmp_path_factory.mktemp("ui_sqlite"), request) as ui:
        yield ui


@pytest.fixture(scope="module")
def launched_run(dagster_ui):
    return _launch(dagster_ui)


def test_run_through_graphql_publishes(dagster_ui, launched_run):
    # 116 gives Ngày lập 05/04/2025 (before the 10th); 118 gives none, so it counts from today's receipt
    assert _completeness_cells(dagster_ui["warehouse"]) == [("116", "on_time"), ("118", "late")]


def test_runs_and_events_live_under_dagster_home(dagster_ui, launched_run):
    assert (dagster_ui["home"] / "history" / "runs.db").exists()


GRAPHQL_QUERY = '{ version repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } } } } }'


def _post_graphql(url: str, headers: dict) -> dict:
    body = json.dumps({"query": GRAPHQL_QUERY}).encode()
    req = urllib.request.Request(f"{url}/graphql", data=body, headers={"Content-Type": "application/json", **headers})
    with urllib.request.urlopen(req, timeout=60) as response:
        return json.loads(response.read())


def test_webserver_listens_on_loopback_only(dagster_ui):
    import psutil

    webserver = next(p for p in dagster_ui["procs"] if "dagster-webserver" in p.args[0])
    listening = {c.laddr.ip for proc in [psutil.Process(webserver.pid), *psutil.Process(webserver.pid).children(True)]
                 for c in proc.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN}
    assert listening == {"127.0.0.1"}


def test_behind_nginx_basic_auth(dagster_ui):
    """The deployment recipe: nginx with basic auth in front; 401 without credentials, GraphQL with them."""
    user, password = "operator", "đúng-mật-khẩu-42"
    with nginx_proxy(f"127.0.0.1:{dagster_ui['port']}", user, password) as url:
        for headers in ({}, {"Authorization": "Basic " + base64.b64encode(f"{user}:wrong".encode()).decode()}):
            with pytest.raises(urllib.error.HTTPError) as refused:
                _post_graphql(url, headers)
            assert refused.value.code == 401
            assert "Basic" in refused.value.headers["WWW-Authenticate"]
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        answer = _post_graphql(url, {"Authorization": f"Basic {token}"})
    assert "errors" not in answer, answer
    assert answer["data"]["version"]
    nodes = answer["data"]["repositoriesOrError"]["nodes"]
    assert [(n["name"], n["location"]["name"]) for n in nodes] == [("__repository__", LOCATION)]


METADATA_QUERY = """
query Metadata($key: AssetKeyInput!) {
  assetOrError(assetKey: $key) {
    ... on Asset { assetMaterializations(limit: 1) { runId metadataEntries {
      label
      ... on MarkdownMetadataEntry { mdStr }
      ... on IntMetadataEntry { intValue }
    } } }
  }
}"""


def test_run_metadata_through_graphql(dagster_ui, launched_run):
    from dagster_graphql import DagsterGraphQLClient

    client = DagsterGraphQLClient("127.0.0.1", port_number=dagster_ui["port"])

    def entries(*path: str) -> dict:
        data = client._execute(METADATA_QUERY, {"key": {"path": list(path)}})
        materialization = data["assetOrError"]["assetMaterializations"][0]
        assert materialization["runId"] == launched_run
        return {e["label"]: e.get("mdStr", e.get("intValue")) for e in materialization["metadataEntries"]}

    houses = entries("raw", "houses")["rows_by_submission"]
    assert "116_2025_03.xlsx" in houses and "**total**" in houses
    assert "| accepted |" in entries("raw", "submissions")["files_by_status"]
    published = entries("bi_warehouse")
    assert published["rows_agg_submission_completeness"] > 0
    assert published["preview_fct_houses"].startswith("| district_code |")
    grid = entries("submission_completeness")["grid"]
    assert grid.splitlines()[0].endswith("| 2025-03 |")
    assert next(line for line in grid.splitlines() if line.startswith("| 116 |")).endswith("| ✓ |")


def _dismiss_community_dialog(page) -> None:
    """A fresh DAGSTER_HOME greets the first visitor with a 'Join the Dagster community' dialog."""
    skip = page.get_by_role("button", name="Skip")
    try:
        skip.wait_for(timeout=15_000)
    except Exception:   # playwright's TimeoutError: the dialog did not come, nothing to dismiss
        return
    skip.click()


def test_asset_graph_and_run_page_in_chromium(dagster_ui, launched_run):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian chromium is required (.ci/run and scripts/test install it)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    base = f"http://127.0.0.1:{dagster_ui['port']}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(120_000)

            page.goto(f"{base}/assets")
            page.get_by_text("bi_warehouse").first.wait_for()
            _dismiss_community_dialog(page)
            page.screenshot(path=str(ARTIFACTS / "assets.png"), full_page=True)
            # the catalog is virtualised (only the rows in view are drawn; 86 assets since the history merge):
            # scrolled through, every name found on the way
            wanted, seen = {"bi_warehouse", "submission_completeness", "fct_houses"}, set()
            page.mouse.move(800, 600)
            for _ in range(40):
                seen |= {name for name in wanted if name in page.content()}
                if seen == wanted:
                    break
                page.mouse.wheel(0, 600)
                page.wait_for_timeout(250)
            assert seen == wanted, wanted - seen

            # the marts' lineage graph; tall enough that every node is drawn (the graph is virtualised;
            # the reporting layer's tables downstream show as links to their group, rpt)
            page.set_viewport_size({"width": 1800, "height": 4000})
            page.goto(f"{base}/locations/{LOCATION}/asset-groups/marts")
            page.get_by_text("fct_houses").first.wait_for()
            page.get_by_text("bi_warehouse").first.wait_for()
            page.screenshot(path=str(ARTIFACTS / "asset_graph_marts.png"))
            graph = page.content()
            for name in ("fct_houses", "agg_submission_completeness", "dim_district", "bi_warehouse"):
                assert name in graph, name
            page.set_viewport_size({"width": 1600, "height": 1000})

            page.goto(f"{base}/runs/{launched_run}")
            page.get_by_text("Success").first.wait_for()
            page.get_by_text("RUN_SUCCESS").first.wait_for()   # the event log has loaded
            page.screenshot(path=str(ARTIFACTS / "run.png"), full_page=True)
            run_page = page.content()
            assert "Success" in run_page and launched_run[:8] in run_page

            page.goto(f"{base}/assets/submission_completeness")
            page.get_by_text("grid").first.wait_for()
            page.screenshot(path=str(ARTIFACTS / "submission_completeness.png"), full_page=True)
        finally:
            browser.close()


def test_the_approve_job_launched_through_graphql_approves_a_unit_month(dagster_ui, launched_run):
    """The sign-off from the launchpad: the job `approve` with the command's choices as run config (last in this
    module: it republishes the warehouse the tests above read)."""
    import duckdb

    by = "Cục Thống kê tỉnh Sơn La"
    _launch(dagster_ui, "approve", {"ops": {"sign_off": {"config": {
        "periods": ["2025-03"], "units": ["116"], "by": by, "note": "approved from the launchpad"}}}})
    con = duckdb.connect(str(dagster_ui["warehouse"] / "bi.duckdb"), read_only=True)
    try:
        approvals = con.execute("select unit_code, period, state, approved_by, note, approval_status "
                                "from marts.fct_approvals").fetchall()
        statuses = con.execute("select unit_code, approval_status from marts.agg_submission_completeness "
                               "where period = '2025-03-01' and unit_code in ('116', '118') order by 1").fetchall()
    finally:
        con.close()
    assert [(code, str(period), state, who, note, status) for code, period, state, who, note, status in approvals] == [
        ("116", "2025-03-01", "approved", by, "approved from the launchpad", "approved")]
    assert statuses == [("116", "approved"), ("118", "provisional")]
