"""One load from the command line, holding the warehouse: its log file (pipeline/runlog.py), the Dagster
job `load` in this process with its records on the console (pipeline/console.py), the summary, and the
exit code (0 completed, 1 --strict and something rejected, 4 failed: pipeline/cli.py's)."""
from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from pipeline import runlog
from pipeline.cli import EXIT_FAILED, EXIT_OK, EXIT_STRICT
from pipeline.console import Console
from pipeline.warehouse import state
from pipeline.warehouse.pg import display_url
from pipeline.warehouse.summary import LedgerSummary, ledger_summary

AFTER_PUBLISH = {"feedback_workbooks", "submission_completeness"}   # steps whose failure leaves a new publish


def load(console: Console, sources: Path, warehouse_dir: Path, url: str | None, strict: bool = False) -> int:
    """The load, the caller holding the warehouse: its log file, the job (unless nothing is to do), the
    summary; the exit code (pipeline/cli.py's)."""
    started, log = time.monotonic(), logging.getLogger("pipeline.load")
    console.open_log(runlog.new_log_path(warehouse_dir))
    runlog.prune(warehouse_dir)
    log.info(runlog.started_line(sources=sources, warehouse=warehouse_dir, database=display_url(url) if url else None))
    console.info(f"load: sources {sources} -> warehouse {warehouse_dir}" + (f", database {display_url(url)}" if url else ""))
    run_id, failed_steps, error = None, set(), None
    try:
        # Without DAGSTER_HOME there is no run history to record into, so a load with nothing to do
        # need not pay for starting Dagster and dbt (seconds).
        if not os.environ.get("DAGSTER_HOME") and state.nothing_to_do(sources, warehouse_dir, url):
            console.info("nothing new and the published warehouse is current: nothing to do")
            success = True
        else:
            success, run_id, failed_steps = run_job(console, sources, warehouse_dir, url)
    except Exception as raised:   # a clear message, not a traceback (in the log); re-raised with PIPELINE_DEBUG=1
        if os.environ.get("PIPELINE_DEBUG"):
            raise
        log.exception("the pipeline failed")
        success, error = False, raised
    try:
        summary = ledger_summary(warehouse_dir, run_id, url)
    except Exception as unread:   # the ledger itself cannot be read: the summary says so, the error is kept
        log.exception("the ledger could not be read")
        summary, success, error = LedgerSummary(warehouse_dir, {}, {}, {}, url), False, error or unread
    seconds = time.monotonic() - started
    code = EXIT_FAILED if not success else EXIT_STRICT if strict and summary.anything_rejected else EXIT_OK
    console.summary(f"{summary.text(seconds)}\n  log: {console.log_path}")
    if error is not None:
        console.error(f"the pipeline failed: {type(error).__name__}: {error} (details in the log)")
    elif not success and failed_steps and failed_steps <= AFTER_PUBLISH:
        console.error(f"the warehouse was published, but {', '.join(sorted(failed_steps))} failed; see the log")
    elif not success:
        console.error("the pipeline failed; see the messages above and the log (the published warehouse was not changed)")
    log.info(runlog.finished_line(
        exit=code, seconds=round(seconds, 1), run_id=run_id, failed_steps=sorted(failed_steps),
        outcome={EXIT_OK: "completed", EXIT_STRICT: "completed, rejected files or rows (--strict)"}.get(code, "failed"),
        files_found=console.discovered.get("found"), new_entries=summary.last_run.get("entries", 0),
        rows_loaded=summary.last_run.get("rows_loaded", 0), rows_rejected=summary.last_run.get("rows_rejected", 0),
        files_rejected=summary.last_run.get("files_rejected", 0), rejected=summary.rejected_files))
    return code


def run_job(console, sources: Path, warehouse_dir: Path, url: str | None) -> tuple[bool, str, set[str]]:
    """The Dagster job `load` in this process, on these folders, its records to the console; the lock
    is already held here."""
    from pipeline import transform

    transform.prepare()
    import dagster as dg

    from pipeline.defs.automation import REPORT_TAG, REPORTED_BY_COMMAND_LINE
    from pipeline.defs.resources import WarehouseResource
    from pipeline.definitions import defs

    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    job = defs.resolve_job_def("load").with_logger_defs({"console": console.dagster_logger()})
    console.expect(list(job.graph.node_names()))
    try:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            resources={"warehouse": WarehouseResource(sources_dir=str(sources), warehouse_dir=str(warehouse_dir),
                                                      warehouse_url=url, take_lock=False)},
            # new files only: with nothing new, the run records itself and skips dbt and publish
            run_config={"loggers": {"console": {"config": {"log_level": "DEBUG"}}},
                        "ops": {"ingest_submissions": {"config": {"rebuild": False}}}},
            # the command line builds the report itself, in another process: no report run after this one
            tags={REPORT_TAG: REPORTED_BY_COMMAND_LINE},
        )
    finally:
        console.finish()
    failed = {event.step_key for event in result.all_events if event.is_step_failure}
    return result.success, result.run_id, failed
