"""The nightly schedule, the inbox sensor (called directly with build_sensor_context on real
files) and the instance template that keeps one writer at a time."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import dagster as dg
import pytest
import workbooks

from pipeline.ingest import inbox
from pipeline.definitions import defs
from pipeline.defs.automation import inbox_sensor, nightly_load
from pipeline.defs.policies import WAREHOUSE_POOL
from pipeline.defs.resources import WarehouseResource

REPO = Path(__file__).resolve().parent.parent


def _tick(sources: Path, cursor: str | None, instance) -> dg.SensorResult:
    context = dg.build_sensor_context(
        cursor=cursor, instance=instance,
        resources={"warehouse": WarehouseResource(sources_dir=str(sources),
                                                  warehouse_dir=str(sources.parent / "warehouse"))})
    return inbox_sensor(context)


@pytest.fixture
def instance():
    with dg.instance_for_test() as test_instance:
        yield test_instance


def _two_workbooks(sources: Path) -> list[Path]:
    return [workbooks.submission(sources / "116" / "a.xlsx", district="116", period="01/2025",
                                 grants=[workbooks.grant()]),
            workbooks.submission(sources / "nested" / "b.xlsx", district="118", period="01/2025",
                                 grants=[workbooks.grant(commune="03700")])]


def test_two_new_files_request_exactly_one_run_then_none(sources, instance):
    _two_workbooks(sources)
    (sources / "~$a.xlsx").write_bytes(b"lock")            # Office lock file: ignored
    (sources / "notes.txt").write_text("not a workbook")   # ignored like the ingest does

    first = _tick(sources, None, instance)
    assert len(first.run_requests) == 1
    request = first.run_requests[0]
    assert request.run_key and request.run_key.startswith("inbox-")
    assert request.tags["inbox_new_files"] == "2"
    seen = json.loads(first.cursor)["files"]
    assert sorted(row[0] for row in seen) == ["116/a.xlsx", "nested/b.xlsx"]

    # a sensor's run is for new files: with none left by the time it runs, it skips dbt and publish
    assert request.run_config["ops"]["ingest_submissions"]["config"]["rebuild"] is False

    second = _tick(sources, first.cursor, instance)
    assert second.run_requests in (None, [])
    assert second.skip_reason is not None
    third = _tick(sources, second.cursor, instance)
    assert third.run_requests in (None, [])


def test_corrected_file_with_old_name_is_new_and_never_requested_twice(sources, instance):
    a, _ = _two_workbooks(sources)
    cursor = _tick(sources, None, instance).cursor
    original = a.read_bytes()

    # the district sends a corrected file under the same name
    workbooks.submission(a, district="116", period="01/2025", version=2,
                         grants=[workbooks.grant(beneficiaries=12)])
    assert a.read_bytes() != original
    corrected = _tick(sources, cursor, instance)
    assert len(corrected.run_requests) == 1
    assert corrected.run_requests[0].tags["inbox_new_files"] == "1"
    cursor = corrected.cursor
    assert _tick(sources, cursor, instance).run_requests in (None, [])

    # only touched (same bytes, new mtime): not new
    stat = a.stat()
    os.utime(a, (stat.st_atime + 100, stat.st_mtime + 100))
    touched = _tick(sources, cursor, instance)
    assert touched.run_requests in (None, [])
    cursor = touched.cursor

    # the old version comes back: it was already requested once
    a.write_bytes(original)
    assert _tick(sources, cursor, instance).run_requests in (None, [])


def test_new_file_among_seen_ones_gets_a_different_run_key(sources, instance):
    _two_workbooks(sources)
    first = _tick(sources, None, instance)
    shutil.copy(REPO / "tests" / "workbooks.py", sources / "ignored.py")
    workbooks.submission(sources / "c.xlsx", district="119", period="02/2025", grants=[workbooks.grant()])
    second = _tick(sources, first.cursor, instance)
    assert len(second.run_requests) == 1
    assert second.run_requests[0].run_key != first.run_requests[0].run_key


def test_unchanged_files_are_not_hashed_again(sources, monkeypatch):
    _two_workbooks(sources)
    cursor = inbox.scan(sources, None).cursor

    def no_hashing(self):
        raise AssertionError("an unchanged file was hashed again")

    monkeypatch.setattr("pipeline.ingest.discover.SourceFile.sha256", no_hashing)
    assert inbox.scan(sources, cursor).new == []


def test_unreadable_cursor_and_missing_folder(tmp_path):
    assert inbox.load_cursor("not json") == {}
    result = inbox.scan(tmp_path / "does-not-exist", None)
    assert result.new == [] and result.run_key is None


def test_nightly_schedule_at_one_in_son_la():
    schedule = defs.resolve_schedule_def("nightly_load")
    assert schedule is nightly_load
    assert schedule.cron_schedule == "0 1 * * *"
    assert schedule.execution_timezone == "Asia/Ho_Chi_Minh"
    assert schedule.job_name == "load"
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    # the nightly run rebuilds even when nothing arrived, so the marts' freshness means something
    context = dg.build_schedule_context(scheduled_execution_time=None)
    request = schedule.evaluate_tick(context).run_requests[0]
    assert request.run_config["ops"]["ingest_submissions"]["config"]["rebuild"] is True


def test_sensor_targets_load_and_is_stopped_by_default():
    sensor = defs.resolve_sensor_def("inbox_sensor")
    assert sensor.job_name == "load"
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED


def test_every_asset_is_in_the_warehouse_pool_except_readers():
    for assets_def in defs.resolve_asset_graph().assets_defs:
        if assets_def.is_executable and "submission_completeness" not in assets_def.op.name:
            assert assets_def.op.pool == WAREHOUSE_POOL, assets_def.op.name


def test_instance_template_one_writer_at_a_time(tmp_path):
    from dagster._core.instance.config import dagster_instance_config

    config, _ = dagster_instance_config(str(REPO), "dagster_home.yaml")   # Dagster's own validation
    assert config["concurrency"]["runs"]["max_concurrent_runs"] == 1
    assert config["concurrency"]["pools"]["default_limit"] == 1

    shutil.copy(REPO / "dagster_home.yaml", tmp_path / "dagster.yaml")
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    try:
        concurrency = instance.get_concurrency_config()
        assert concurrency.pool_config.default_pool_limit == 1        # pool 'warehouse': one slot
        assert instance.global_op_concurrency_default_limit == 1
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert concurrency.run_queue_config.max_concurrent_runs == 1  # one run in progress at a time
    finally:
        instance.dispose()


def test_a_run_launched_by_hand_rebuilds_even_with_nothing_new():
    """The launchpad's default run config: rebuild true, so a manual launch never silently skips dbt,
    publish and the report (the CLI and the sensor ask for rebuild false)."""
    from pipeline.defs.assets.ingest import IngestConfig

    assert IngestConfig().rebuild is True
    job = defs.resolve_job_def("load")
    default = job.run_config_schema.config_type.fields["ops"].config_type.fields["ingest_submissions"]
    assert default.config_type.fields["config"].config_type.fields["rebuild"].default_value is True


def test_rebuild_runs_transform_and_publish_without_ingest_and_the_report_is_a_job_of_its_own():
    graph = defs.resolve_asset_graph()
    rebuild = defs.resolve_job_def("rebuild")
    selected = {key.to_user_string() for key in rebuild.asset_layer.selected_asset_keys}
    dbt_keys = {key.to_user_string() for key in graph.get_all_asset_keys()
                if key.path[0] in ("staging", "intermediate", "marts", "audit", "reference")}
    assert selected == dbt_keys | {"bi_warehouse", "submission_completeness"}
    load = {key.to_user_string() for key in defs.resolve_job_def("load").asset_layer.selected_asset_keys}
    assert "bi_warehouse" in load and "provincial_report" not in load
    report = defs.resolve_job_def("report")
    assert {key.to_user_string() for key in report.asset_layer.selected_asset_keys} == {"provincial_report"}
    assert report.executor_def is dg.in_process_executor
    assert not any(key.startswith("raw/") for key in selected)
    assert "Asia/Ho_Chi_Minh" in defs.resolve_job_def("load").description


def test_jobs_run_their_steps_in_one_process():
    """As the CLI does: a process per step cost 4-5 s of start-up each (README, "One process per run")."""
    for name in ("load", "rebuild", "report"):
        assert defs.resolve_job_def(name).executor_def is dg.in_process_executor, name


def _run_status_context(instance, result: dg.ExecuteInProcessResult):
    [success] = instance.all_logs(result.run_id, of_type=dg.DagsterEventType.RUN_SUCCESS)
    return dg.build_run_status_sensor_context(sensor_name="report_after_load", dagster_event=success.dagster_event,
                                              dagster_instance=instance, dagster_run=instance.get_run_by_id(result.run_id))


@pytest.mark.slow   # a real dbt build (of an empty raw layer)
def test_no_report_run_after_a_command_line_load_or_a_load_that_published_nothing(sources, warehouse_dir, instance):
    """report_after_load follows the jobs load and rebuild (running by default: it only follows runs) and
    reads only the run's records: a command-line load (tagged: it builds its report itself, in another
    process) asks for no report run, and neither does a load with nothing to publish. The request after a
    run that published is tested on a real rebuild (tests/test_end_to_end.py)."""
    from pipeline.defs.automation import REPORT_TAG, REPORTED_BY_COMMAND_LINE, report_after_load

    sensor = defs.resolve_sensor_def("report_after_load")
    assert sensor.job_name == "report" and sensor.default_status == dg.DefaultSensorStatus.RUNNING
    resources = {"warehouse": WarehouseResource(sources_dir=str(sources), warehouse_dir=str(warehouse_dir))}
    new_files_only = dg.RunConfig(ops={"ingest_submissions": {"config": {"rebuild": False}}})
    load = defs.resolve_job_def("load")
    by_cli = load.execute_in_process(instance=instance, resources=resources, run_config=new_files_only,
                                     tags={REPORT_TAG: REPORTED_BY_COMMAND_LINE})
    assert any(e.asset_key.to_user_string() == "bi_warehouse" for e in by_cli.get_asset_materialization_events())
    skipped = report_after_load(_run_status_context(instance, by_cli))
    assert isinstance(skipped, dg.SkipReason) and "command-line load" in skipped.skip_message

    quiet = load.execute_in_process(instance=instance, resources=resources, run_config=new_files_only)
    assert quiet.success and not quiet.get_asset_materialization_events()   # nothing new: nothing published
    skipped = report_after_load(_run_status_context(instance, quiet))
    assert isinstance(skipped, dg.SkipReason) and "published nothing" in skipped.skip_message
