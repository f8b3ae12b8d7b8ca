"""`python -m pipeline load [--sources DIR] [--warehouse DIR] [--strict]`

Runs the same Dagster asset graph the UI shows, in-process (with DAGSTER_HOME set the run
is recorded in the UI's history), prints progress and a summary.
Exit codes: 0 run completed (even with rejected files), 1 with --strict and anything
rejected, 2 bad arguments, 3 another load holds the warehouse, 4 the pipeline failed.
"""
from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

EXIT_OK, EXIT_STRICT, EXIT_USAGE, EXIT_BUSY, EXIT_FAILED = 0, 1, 2, 3, 4


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.split("\n\n")[1])
    sub = parser.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load", help="discover -> ingest -> validate -> dbt build -> publish")
    load.add_argument("--sources", type=Path, help="folder of district workbooks "
                      "(default $PIPELINE_SOURCES_DIR, else the repo's sources/)")
    load.add_argument("--warehouse", type=Path, help="warehouse folder "
                      "(default $PIPELINE_WAREHOUSE_DIR, else warehouse/)")
    load.add_argument("--strict", action="store_true", help="exit 1 when any file or row was rejected")
    return parser


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.sources is not None and not args.sources.is_dir():
        print(f"error: --sources {args.sources} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    if args.sources is not None:
        os.environ["PIPELINE_SOURCES_DIR"] = str(args.sources.resolve())
    if args.warehouse is not None:
        os.environ["PIPELINE_WAREHOUSE_DIR"] = str(args.warehouse.resolve())
    from pipeline import settings

    sources, warehouse_dir = settings.sources_dir(), settings.warehouse_dir()
    if not sources.is_dir():
        print(f"error: sources folder {sources} does not exist", file=sys.stderr)
        return EXIT_USAGE
    try:
        warehouse_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(f"error: cannot create warehouse folder {warehouse_dir}: {error}", file=sys.stderr)
        return EXIT_USAGE

    from pipeline.lock import WarehouseBusy, warehouse_lock

    started = time.monotonic()
    run_started_at = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)
    _say(f"load: sources {sources} -> warehouse {warehouse_dir}")
    try:
        with warehouse_lock(warehouse_dir, timeout=0):
            from pipeline import state

            # Without DAGSTER_HOME there is no run history to record into, so a load with
            # nothing to do need not pay for starting Dagster and dbt (seconds).
            if not os.environ.get("DAGSTER_HOME") and state.nothing_to_do(sources, warehouse_dir):
                _say("nothing new and the published warehouse is current: nothing to do")
                success = True
            else:
                success = _run_job()
    except WarehouseBusy as busy:
        print(f"error: {busy}", file=sys.stderr)
        return EXIT_BUSY
    except Exception as error:  # a clear message, not a traceback; details with PIPELINE_DEBUG=1
        if os.environ.get("PIPELINE_DEBUG"):
            raise
        print(f"error: the pipeline could not start: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILED
    from pipeline.summary import ledger_summary

    summary = ledger_summary(warehouse_dir, since=run_started_at)
    print(summary.text(time.monotonic() - started))
    if not success:
        print("error: the pipeline failed; see the messages above (the published warehouse was not changed)",
              file=sys.stderr)
        return EXIT_FAILED
    if args.strict and summary.anything_rejected:
        return EXIT_STRICT
    return EXIT_OK


def _run_job() -> bool:
    import dagster as dg

    from pipeline.definitions import defs

    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    result = defs.resolve_job_def("load").execute_in_process(
        instance=instance,
        raise_on_error=False,
        # INFO shows our progress lines and dbt's per-model lines, not Dagster's event chatter
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
    )
    for event in result.all_events:
        if event.is_step_failure:
            error = event.event_specific_data.error
            _say(f"{event.step_key} failed: {error.message.strip() if error else ''}")
    return result.success
